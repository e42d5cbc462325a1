"""VAT return figures of a period: Spain modelo 303, Ecuador formulario 104.

Output tax (devengado / IVA cobrado) is summed from the issued documents' own tax breakdowns (credit notes
subtract); input tax (deducible / IVA pagado) and withholdings come from the journal's tax lines, which
carry rate and base (the purchases tables live in another module). All sums are SQL aggregates.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select

from gestiq_app.accounting.chart import ROLE_CODES
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.accounting.reports import _check_range, _header, _lines_joined, money
from gestiq_app.db import session

ZERO = Decimal("0.00")
FORMS = {"ES": "303", "EC": "104"}


def sales_tax_breakdown(date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Return base and tax per tax type and rate of the documents issued in the period (credit notes negative)."""
    from gestiq_app.sales.models import SalesDocument as D, SalesDocumentTax as T

    sign = case((D.kind == "credit_note", -1), else_=1)
    statement = (select(T.tax_type, T.rate, T.authority_code, func.sum(sign * T.base), func.sum(sign * T.amount))
                 .join(D, and_(D.id == T.document_id, D.tenant_id == T.tenant_id))
                 .where(D.kind.in_(("invoice", "credit_note")), D.state != "draft", D.issue_date >= date_from, D.issue_date <= date_to)
                 .group_by(T.tax_type, T.rate, T.authority_code).order_by(T.tax_type, T.rate.desc(), T.authority_code))
    return [{"tax_type": tax_type, "rate": Decimal(rate).normalize(), "authority_code": code, "base": money(base), "amount": money(amount)}
            for tax_type, rate, code, base, amount in session().execute(statement)]


def journal_tax_lines(codes: list[str], date_from: date, date_to: date, *, is_debit_side: bool) -> list[dict[str, Any]]:
    """Return base and amount per account and rate of the journal's tax lines (debit side: input tax)."""
    L, E, A = JournalLine, JournalEntry, Account
    amount = (L.debit - L.credit) if is_debit_side else (L.credit - L.debit)
    positive = (L.debit > 0) if is_debit_side else (L.credit > 0)
    base = case((positive, func.coalesce(L.tax_base, 0)), else_=-func.coalesce(L.tax_base, 0))
    statement = (_lines_joined(A.code, L.tax_rate, func.sum(base), func.sum(amount))
                 .where(A.code.in_(codes), E.entry_date >= date_from, E.entry_date <= date_to)
                 .group_by(A.code, L.tax_rate).order_by(A.code, L.tax_rate.desc()))
    return [{"account_code": code, "rate": Decimal(rate).normalize() if rate is not None else None, "base": money(base_sum),
             "amount": money(amount_sum)} for code, rate, base_sum, amount_sum in session().execute(statement)]


def vat_summary(*, tenant_id: uuid.UUID, date_from: date, date_to: date) -> dict[str, Any]:
    """Return the VAT return figures of the period for the tenant's country."""
    _check_range(date_from, date_to)
    header = _header(tenant_id, date_from=date_from, date_to=date_to)
    roles = ROLE_CODES[header["country"]]
    sales = sales_tax_breakdown(date_from, date_to)
    output_tax = [row for row in sales if row["tax_type"] == "iva"]
    surcharge = [row for row in sales if row["tax_type"] == "recargo"]
    withheld_by_customers = [row for row in sales if row["tax_type"] not in ("iva", "recargo")]
    purchases = [{"rate": row["rate"], "base": row["base"], "amount": row["amount"]}
                 for row in journal_tax_lines([roles["vat_input"]], date_from, date_to, is_debit_side=True)]
    withholdings = [{"kind": "iva" if row["account_code"] == roles["withholding_payable_iva"] else "renta", "rate": row["rate"],
                     "base": row["base"], "amount": row["amount"]}
                    for row in journal_tax_lines(sorted({roles["withholding_payable_iva"], roles["withholding_payable_renta"]}),
                                                 date_from, date_to, is_debit_side=False)]
    if header["country"] == "ES":  # Spanish retentions on purchases are modelo 111/115, not IVA: all "renta".
        withholdings = [{**row, "kind": "renta"} for row in withholdings]
    total_output = sum((row["amount"] for row in output_tax), ZERO)
    total_surcharge = sum((row["amount"] for row in surcharge), ZERO)
    total_input = sum((row["amount"] for row in purchases), ZERO)
    totals = {
        "output_tax": total_output, "surcharge": total_surcharge, "accrued_tax": total_output + total_surcharge,
        "input_tax": total_input, "result": total_output + total_surcharge - total_input,
        "withheld_iva": sum((row["amount"] for row in withholdings if row["kind"] == "iva"), ZERO),
        "withheld_renta": sum((row["amount"] for row in withholdings if row["kind"] == "renta"), ZERO),
        "withheld_by_customers": sum((row["amount"] for row in withheld_by_customers), ZERO),
    }
    return {**header, "form": FORMS[header["country"]], "output_tax": output_tax, "surcharge": surcharge,
            "input_tax": purchases, "withholdings": withholdings, "withheld_by_customers": withheld_by_customers,
            "totals": totals, "figures": _figures(header["country"], output_tax, surcharge, purchases, totals)}


def _rate_label(rate: Decimal | None) -> str:
    return f"{rate:f} %".replace(".", ",") if rate is not None else "sin tipo"


def _figures(country: str, output_tax: list[dict[str, Any]], surcharge: list[dict[str, Any]], purchases: list[dict[str, Any]],
             totals: dict[str, Decimal]) -> list[dict[str, Any]]:
    """Return the return's figures as (label, amount) lines, in the form's order and words."""
    figures: list[tuple[str, Decimal]] = []
    if country == "ES":
        for row in output_tax:
            figures += [(f"IVA devengado {_rate_label(row['rate'])}: base imponible", row["base"]),
                        (f"IVA devengado {_rate_label(row['rate'])}: cuota", row["amount"])]
        for row in surcharge:
            figures += [(f"Recargo de equivalencia {_rate_label(row['rate'])}: base imponible", row["base"]),
                        (f"Recargo de equivalencia {_rate_label(row['rate'])}: cuota", row["amount"])]
        figures += [("Total cuota devengada", totals["accrued_tax"])]
        for row in purchases:
            figures += [(f"IVA deducible {_rate_label(row['rate'])}: base", row["base"]),
                        (f"IVA deducible {_rate_label(row['rate'])}: cuota", row["amount"])]
        figures += [("Total a deducir", totals["input_tax"]), ("Resultado (devengado − deducible)", totals["result"])]
    else:
        for row in output_tax:
            figures += [(f"Ventas tarifa {_rate_label(row['rate'])} (código {row['authority_code'] or '-'}): valor neto", row["base"]),
                        (f"Ventas tarifa {_rate_label(row['rate'])}: IVA generado", row["amount"])]
        figures += [("Total IVA cobrado en ventas", totals["output_tax"])]
        for row in purchases:
            figures += [(f"Compras tarifa {_rate_label(row['rate'])}: valor neto", row["base"]),
                        (f"Compras tarifa {_rate_label(row['rate'])}: IVA pagado", row["amount"])]
        figures += [("Total IVA pagado en compras (crédito tributario)", totals["input_tax"]),
                    ("Retenciones en la fuente de IVA efectuadas", totals["withheld_iva"]),
                    ("Retenciones en la fuente de renta efectuadas", totals["withheld_renta"]),
                    ("Impuesto causado (IVA cobrado − IVA pagado)", totals["result"])]
    return [{"label": label, "amount": amount} for label, amount in figures]
