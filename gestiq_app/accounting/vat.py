"""VAT return figures of a period: Spain modelo 303, Ecuador formulario 104.

Output tax (devengado / IVA cobrado, 0 % sales included) is summed from the issued documents' own tax breakdowns
(credit notes subtract); input tax (deducible / IVA pagado, and Ecuador's 0 % purchases) from the recorded purchase
documents' IVA rows, and the withholdings the tenant made from their withholding rows, so every figure equals the
documents to the cent. Non-deductible IVA is kept apart (never deducted). All sums are SQL aggregates.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select

from gestiq_app.accounting.reports import _check_range, _header, money
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


def purchase_tax_breakdown(date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Return base and IVA per rate, SRI code and deductibility of the purchase documents recorded in the period."""
    from gestiq_app.purchases.models import PurchaseDocument as P, PurchaseDocumentTax as T

    statement = (select(T.rate, T.authority_code, T.is_deductible, func.sum(T.base), func.sum(T.amount))
                 .join(P, and_(P.id == T.document_id, P.tenant_id == T.tenant_id))
                 .where(P.state != "draft", T.tax_type == "iva", P.issue_date >= date_from, P.issue_date <= date_to)
                 .group_by(T.rate, T.authority_code, T.is_deductible).order_by(T.rate.desc(), T.authority_code))
    return [{"rate": Decimal(rate).normalize(), "authority_code": code, "is_deductible": bool(deductible), "base": money(base),
             "amount": money(amount)} for rate, code, deductible, base, amount in session().execute(statement)]


def purchase_withholdings(date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Return base and amount per kind (iva | renta), code and rate of the withholdings on documents recorded in the period."""
    from gestiq_app.purchases.models import PurchaseDocument as P, PurchaseWithholdingLine as W

    statement = (select(W.kind, W.code, W.rate, func.sum(W.base), func.sum(W.amount))
                 .join(P, and_(P.id == W.document_id, P.tenant_id == W.tenant_id))
                 .where(P.state != "draft", P.issue_date >= date_from, P.issue_date <= date_to)
                 .group_by(W.kind, W.code, W.rate).order_by(W.kind, W.rate.desc(), W.code))
    return [{"kind": kind, "code": code, "rate": Decimal(rate).normalize(), "base": money(base), "amount": money(amount)}
            for kind, code, rate, base, amount in session().execute(statement)]


def vat_summary(*, tenant_id: uuid.UUID, date_from: date, date_to: date) -> dict[str, Any]:
    """Return the VAT return figures of the period for the tenant's country."""
    _check_range(date_from, date_to)
    header = _header(tenant_id, date_from=date_from, date_to=date_to)
    sales = sales_tax_breakdown(date_from, date_to)
    output_tax = [row for row in sales if row["tax_type"] == "iva"]
    surcharge = [row for row in sales if row["tax_type"] == "recargo"]
    withheld_by_customers = [row for row in sales if row["tax_type"] not in ("iva", "recargo")]
    bought = purchase_tax_breakdown(date_from, date_to)
    # Spain: exempt / 0 % purchases are not part of modelo 303's IVA deducible; Ecuador: compras tarifa 0 % are.
    purchases = [{"rate": row["rate"], "authority_code": row["authority_code"], "base": row["base"], "amount": row["amount"]}
                 for row in bought if row["is_deductible"] and (row["rate"] > 0 or header["country"] == "EC")]
    non_deductible = [{"rate": row["rate"], "authority_code": row["authority_code"], "base": row["base"], "amount": row["amount"]}
                      for row in bought if not row["is_deductible"]]
    withholdings = purchase_withholdings(date_from, date_to)
    if header["country"] == "ES":  # Spanish retentions on purchases are modelo 111/115, not IVA: all "renta".
        withholdings = [{**row, "kind": "renta"} for row in withholdings]
    total_output = sum((row["amount"] for row in output_tax), ZERO)
    total_surcharge = sum((row["amount"] for row in surcharge), ZERO)
    total_input = sum((row["amount"] for row in purchases), ZERO)
    totals = {
        "output_tax": total_output, "surcharge": total_surcharge, "accrued_tax": total_output + total_surcharge,
        "input_tax": total_input, "non_deductible_tax": sum((row["amount"] for row in non_deductible), ZERO),
        "result": total_output + total_surcharge - total_input,
        "withheld_iva": sum((row["amount"] for row in withholdings if row["kind"] == "iva"), ZERO),
        "withheld_renta": sum((row["amount"] for row in withholdings if row["kind"] == "renta"), ZERO),
        "withheld_by_customers": sum((row["amount"] for row in withheld_by_customers), ZERO),
    }
    return {**header, "form": FORMS[header["country"]], "output_tax": output_tax, "surcharge": surcharge,
            "input_tax": purchases, "non_deductible_input_tax": non_deductible, "withholdings": withholdings,
            "withheld_by_customers": withheld_by_customers,
            "totals": totals, "figures": _figures(header["country"], output_tax, surcharge, purchases, non_deductible, totals)}


def _rate_label(rate: Decimal | None) -> str:
    return f"{rate:f} %".replace(".", ",") if rate is not None else "sin tipo"


def _figures(country: str, output_tax: list[dict[str, Any]], surcharge: list[dict[str, Any]], purchases: list[dict[str, Any]],
             non_deductible: list[dict[str, Any]], totals: dict[str, Decimal]) -> list[dict[str, Any]]:
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
        for row in non_deductible:
            figures += [(f"Compras tarifa {_rate_label(row['rate'])} sin derecho a crédito tributario: valor neto", row["base"]),
                        (f"Compras tarifa {_rate_label(row['rate'])} sin derecho a crédito tributario: IVA pagado", row["amount"])]
        figures += [("Total IVA pagado en compras (crédito tributario)", totals["input_tax"]),
                    ("Retenciones en la fuente de IVA efectuadas", totals["withheld_iva"]),
                    ("Retenciones en la fuente de renta efectuadas", totals["withheld_renta"]),
                    ("Impuesto causado (IVA cobrado − IVA pagado)", totals["result"])]
    return [{"label": label, "amount": amount} for label, amount in figures]
