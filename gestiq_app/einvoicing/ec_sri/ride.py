"""The RIDE (Representación Impresa del Documento Electrónico): its data and its PDF.

The clave de acceso is printed as a Code128 barcode drawn by reportlab's barcode module and embedded as an
SVG data URI; the page is `templates/documents/ride.html` rendered by Jinja and laid out by xhtml2pdf (tables
with explicit widths: xhtml2pdf ignores percentage margins and border-collapse).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode import createBarcodeDrawing
from xhtml2pdf import pisa

from gestiq_app.einvoicing.ec_sri.client import AuthorizationResult
from gestiq_app.einvoicing.ec_sri.documents import (
    BUYER_ID_TYPES,
    IVA_RATE_LABELS,
    PAYMENT_METHODS,
    RETENTION_TAX_CODES,
    SriCreditNote,
    SriDocument,
    SriInvoice,
    SriRetention,
)
from gestiq_app.einvoicing.ec_sri.xml import amount2, sri_date

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TITLES = {"01": "FACTURA", "04": "NOTA DE CRÉDITO", "07": "COMPROBANTE DE RETENCIÓN"}
ENVIRONMENT_LABELS = {1: "PRUEBAS", 2: "PRODUCCIÓN"}


class RideError(RuntimeError):
    """The PDF could not be produced."""


@dataclass(frozen=True)
class RideAuthorization:
    """What the RIDE prints about the authorization."""

    state: str
    number: str
    authorized_at: str


def barcode_data_uri(value: str) -> str:
    """Return a Code128 barcode of `value` as an SVG data URI."""
    drawing = createBarcodeDrawing("Code128", value=value, barHeight=36, barWidth=0.62, humanReadable=False, quiet=False)
    svg = renderSVG.drawToString(drawing)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _subtotals(document: SriInvoice | SriCreditNote) -> list[tuple[str, str]]:
    rows = []
    for tax in document.totals.tax_totals:
        label = IVA_RATE_LABELS.get(tax.rate_code, f"{amount2(tax.rate)}%") if tax.code == "2" else f"impuesto {tax.code}"
        rows.append((f"SUBTOTAL {label.upper()}", amount2(tax.base)))
    rows.append(("SUBTOTAL SIN IMPUESTOS", amount2(document.totals.total_without_taxes)))
    rows.append(("TOTAL DESCUENTO", amount2(document.totals.total_discount)))
    for tax in document.totals.tax_totals:
        if tax.code == "2" and tax.amount:
            rows.append((f"IVA {IVA_RATE_LABELS.get(tax.rate_code, amount2(tax.rate) + '%')}", amount2(tax.amount)))
    if isinstance(document, SriInvoice) and document.totals.tip:
        rows.append(("PROPINA", amount2(document.totals.tip)))
    rows.append(("VALOR TOTAL", amount2(document.totals.total)))
    return rows


def build_ride_context(document: SriDocument, authorization: AuthorizationResult | None) -> dict[str, Any]:
    """Return everything the RIDE template prints, already formatted."""
    issuer = document.issuer
    person = document.subject if isinstance(document, SriRetention) else document.buyer
    context: dict[str, Any] = {
        "title": TITLES[document.doc_type], "document_number": document.document_number,
        "access_key": document.access_key, "barcode": barcode_data_uri(document.access_key),
        "environment": ENVIRONMENT_LABELS[document.environment], "emission": "NORMAL",
        "issue_date": sri_date(document.issue_date), "issuer": issuer,
        "person": person, "person_id_type": BUYER_ID_TYPES.get(person.id_type, person.id_type),
        "additional_info": document.additional_info,
        "authorization": RideAuthorization(
            state=authorization.state if authorization else "PENDIENTE DE AUTORIZACIÓN",
            number=authorization.authorization_number if authorization else "",
            authorized_at=authorization.authorized_at if authorization else "",
        ),
    }
    if isinstance(document, SriRetention):
        context["retentions"] = [
            {"doc_number": support.number, "doc_date": sri_date(support.issue_date), "period": document.fiscal_period,
             "base": amount2(line.base), "tax": RETENTION_TAX_CODES[line.code], "code": line.retention_code,
             "percentage": amount2(line.percentage), "amount": amount2(line.amount)}
            for support in document.supporting_documents for line in support.retentions
        ]
        context["retained_total"] = amount2(sum(
            (line.amount for support in document.supporting_documents for line in support.retentions), Decimal("0")))
        return context
    context["lines"] = [
        {"code": line.main_code, "description": line.description, "quantity": f"{line.quantity.normalize():f}",
         "unit_price": amount2(line.unit_price) if line.unit_price == line.unit_price.quantize(Decimal("0.01")) else f"{line.unit_price:.6f}",
         "discount": amount2(line.discount), "total": amount2(line.total_without_tax)}
        for line in document.lines
    ]
    context["subtotals"] = _subtotals(document)
    if isinstance(document, SriInvoice):
        context["payments"] = [(PAYMENT_METHODS.get(p.method, p.method), amount2(p.total)) for p in document.payments]
    else:
        modified = document.modified_document
        context["modified"] = {"number": modified.number, "date": sri_date(modified.issue_date), "reason": document.reason}
    return context


def render_ride_html(document: SriDocument, authorization: AuthorizationResult | None) -> str:
    """Render the RIDE page as HTML."""
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    return environment.get_template("documents/ride.html").render(**build_ride_context(document, authorization))


def render_ride_pdf(document: SriDocument, authorization: AuthorizationResult | None) -> bytes:
    """Return the RIDE as PDF bytes."""
    output = io.BytesIO()
    result = pisa.CreatePDF(render_ride_html(document, authorization), dest=output, encoding="utf-8")
    if result.err:
        raise RideError("No se pudo generar el RIDE en PDF")
    return output.getvalue()
