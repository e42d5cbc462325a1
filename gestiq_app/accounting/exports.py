"""Reports as CSV or XLSX: one table per report, cells safe from formula injection.

A text cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR) is written with a leading
apostrophe; amounts are written as numbers (XLSX) or plain decimals (CSV), never as text formulas.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"


def safe_text(value: str) -> str:
    """Neutralize a text cell that a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def _accounts_table(rows: list[dict[str, Any]], amount_key: str = "amount") -> list[list[Any]]:
    return [[row["code"], row["name"], row[amount_key]] for row in rows]


def report_table(kind: str, data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Return the header and rows of a report as one flat table."""
    if kind == "trial-balance":
        rows = [[row["code"], row["name"], row["debit"], row["credit"], row["balance"]] for row in data["accounts"]]
        rows.append(["", "Total", data["total_debit"], data["total_credit"], data["total_debit"] - data["total_credit"]])
        return ["Cuenta", "Nombre", "Debe", "Haber", "Saldo"], rows
    if kind == "general-ledger":
        rows = [["", "Saldo inicial", "", "", "", data["opening_balance"]]]
        rows += [[line["entry_date"], line["description"], line["reference"], line["debit"], line["credit"], line["balance"]]
                 for line in data["lines"]]
        return ["Fecha", "Concepto", "Referencia", "Debe", "Haber", "Saldo"], rows
    if kind == "profit-and-loss":
        rows = [["Ingresos", *row] for row in _accounts_table(data["income"])]
        rows += [["Gastos", *row] for row in _accounts_table(data["expenses"])]
        rows += [["", "", "Total ingresos", data["total_income"]], ["", "", "Total gastos", data["total_expenses"]],
                 ["", "", "Resultado", data["result"]]]
        return ["Sección", "Cuenta", "Nombre", "Importe"], rows
    if kind == "balance-sheet":
        rows = [["Activo", *row] for row in _accounts_table(data["assets"])]
        rows += [["Pasivo", *row] for row in _accounts_table(data["liabilities"])]
        rows += [["Patrimonio neto", *row] for row in _accounts_table(data["equity"])]
        rows += [["Patrimonio neto", "", "Resultado del periodo", data["result_of_the_period"]],
                 ["", "", "Total activo", data["total_assets"]],
                 ["", "", "Total pasivo y patrimonio neto", data["total_liabilities_and_equity"]]]
        return ["Sección", "Cuenta", "Nombre", "Importe"], rows
    if kind in ("aged-receivables", "aged-payables"):
        from gestiq_app.accounting.reports import BUCKETS

        keys = [key for key, *_ in BUCKETS]
        rows = [[party["name"], *(party[key] for key in keys), party["total"]] for party in data["parties"]]
        rows.append(["Total", *(data[key] for key in keys), data["total"]])
        return ["Nombre", *(label for _, label, *_ in BUCKETS), "Total"], rows
    if kind == "vat-summary":
        return ["Concepto", "Importe"], [[figure["label"], figure["amount"]] for figure in data["figures"]]
    raise ValueError(kind)


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """Return the table as UTF-8 CSV (with BOM, so spreadsheets read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(name) for name in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """Return the table as an XLSX workbook with one sheet (amounts as numbers with two decimals)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([safe_text(name) for name in header])
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
