"""What a document template receives: every value already formatted for the tenant's locale (Babel).

Other modules add fields through `register_pdf_context_provider(provider)`: `provider(document)` returns a
dict merged into the context (payments: ``payment_url``, printed as a "Pagar en línea" link; e-invoicing:
``einvoice`` = {"label": ..., "lines": [(label, value), ...]}, e.g. Ecuador's clave de acceso and
authorization number). A provider runs inside the renderer's tenant context and must only read.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask import current_app
from sqlalchemy import select

from gestiq_app.crm.models import Customer
from gestiq_app.db import session
from gestiq_app.fiscal.verifactu_qr import build_qr_url
from gestiq_app.pdf.branding import Branding, get_branding, logo_data_uri
from gestiq_app.pdf.qr import qr_data_uri
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.models import Tenant

log = logging.getLogger("gestiq.pdf")

ContextProvider = Callable[[SalesDocument], dict[str, Any]]
_providers: list[ContextProvider] = []

TITLES = {"invoice": "Factura", "credit_note": "Factura rectificativa", "quote": "Presupuesto"}
EC_TITLES = {"credit_note": "Nota de crédito"}
TAX_LABELS = {"iva": "IVA", "recargo": "Recargo de equivalencia", "irpf": "Retención IRPF", "withholding": "Retención"}
TAX_ID_LABELS = {"ES": "NIF", "EC": "RUC"}
DATE_PATTERN = "dd/MM/yyyy"
NUMBERED_STATES_WITH_QR = ("issued", "partially_paid", "paid", "rectified")


def register_pdf_context_provider(provider: ContextProvider) -> ContextProvider:
    """Register `provider(document) -> dict` whose fields are added to every document's context (decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_pdf_context_provider(provider: ContextProvider) -> None:
    """Remove a provider (tests)."""
    if provider in _providers:
        _providers.remove(provider)


@dataclass(frozen=True)
class Formatter:
    """Babel formatting for one locale and currency."""

    locale: str
    currency: str

    def money(self, value: Decimal | None) -> str:
        """Format an amount with the currency symbol (es_ES: "1.234,56 €", es_EC: "$1.234,56")."""
        return format_currency(Decimal(value or 0), self.currency, locale=self.locale)

    def price(self, value: Decimal) -> str:
        """Format a unit price: two decimals at least, up to four when the price has them ("33,333 €")."""
        value = Decimal(value).quantize(Decimal("0.0001")).normalize()
        if value == value.quantize(Decimal("0.01")):
            return self.money(value)
        return format_currency(value, self.currency, locale=self.locale, decimal_quantization=False)

    def number(self, value: Decimal, *, places: int | None = None) -> str:
        """Format a quantity or price without trailing zeros beyond `places` (at least the decimals it has)."""
        value = Decimal(value)
        if places is not None:
            return format_decimal(value, format=f"#,##0.{'0' * places}", locale=self.locale)
        return format_decimal(value.normalize(), format="#,##0.######", locale=self.locale)

    def rate(self, value: Decimal) -> str:
        """Format a percentage rate ("21 %", "5,2 %")."""
        return f"{format_decimal(Decimal(value).normalize(), format='#,##0.##', locale=self.locale)} %"

    def date(self, value: date | None) -> str:
        """Format a date as dd/mm/yyyy."""
        return format_date(value, DATE_PATTERN, locale=self.locale) if value else ""


def formatter_for(tenant: Tenant, currency: str | None = None) -> Formatter:
    """Return the formatter of the tenant's locale ("es-ES" -> es_ES)."""
    return Formatter(locale=tenant.locale.replace("-", "_"), currency=currency or tenant.currency)


def _address_lines(address: dict[str, Any] | None) -> list[str]:
    address = address or {}
    first = address.get("line1") or address.get("street") or ""
    second = address.get("line2") or ""
    city = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    region = address.get("province") or address.get("region") or ""
    return [part for part in (first, second, ", ".join(p for p in (city, region) if p)) if part]


def verifactu_qr(document: SalesDocument, tenant: Tenant) -> dict[str, str] | None:
    """Return the VERI*FACTU cotejo URL and its QR image for a Spanish issued invoice, else None."""
    if tenant.country != "ES" or document.kind == "quote" or document.state not in NUMBERED_STATES_WITH_QR:
        return None
    url = build_qr_url(base_url=current_app.config["GESTIQ_VERIFACTU_QR_URL"], nif=tenant.tax_id,
                       invoice_number=document.full_number or "", issue_date=document.issue_date,
                       total_amount=f"{document.total:.2f}")
    return {"url": url, "image": qr_data_uri(url)}


def build_context(document: SalesDocument, *, tenant: Tenant, branding: Branding) -> dict[str, Any]:
    """Return the template context of a document (lines and taxes must be loaded)."""
    fmt = formatter_for(tenant, document.currency)
    customer = session().scalar(select(Customer).where(Customer.id == document.customer_id))
    title = (EC_TITLES if tenant.country == "EC" else {}).get(document.kind, TITLES[document.kind])
    rectified = None
    if document.rectified_document_id is not None:
        original = session().execute(select(SalesDocument.full_number, SalesDocument.issue_date)
                                     .where(SalesDocument.id == document.rectified_document_id)).first()
        if original is not None:
            rectified = {"number": original.full_number, "date": fmt.date(original.issue_date), "reason": document.reason or "",
                         "type": document.rectification_type or "", "method": document.rectification_method or ""}
    taxes = []
    for tax in document.taxes:
        is_withheld = tax.tax_type in ("irpf", "withholding")
        taxes.append({
            "label": f"{TAX_LABELS.get(tax.tax_type, tax.tax_type)} {fmt.rate(tax.rate)}",
            "base": fmt.money(tax.base),
            "amount": fmt.money(-tax.amount if is_withheld else tax.amount),
        })
    lines = [{
        "description": line.description,
        "quantity": fmt.number(line.quantity),
        "unit_price": fmt.price(line.unit_price),
        "discount": fmt.rate(line.discount_percent) if line.discount_percent else "",
        "tax": fmt.rate(line.tax_rate),
        "amount": fmt.money(line.base_amount),
    } for line in document.lines]
    context: dict[str, Any] = {
        "kind": document.kind,
        "title": title,
        "number": document.full_number or "",
        "is_draft": not document.full_number,
        "issue_date": fmt.date(document.issue_date),
        "due_date": fmt.date(document.due_date),
        "due_label": "Válido hasta" if document.kind == "quote" else "Vencimiento",
        "currency": document.currency,
        "issuer": {"legal_name": tenant.legal_name, "tax_id": tenant.tax_id, "tax_id_label": TAX_ID_LABELS.get(tenant.country, "NIF")},
        "customer": {
            "name": document.customer_name, "tax_id": document.customer_tax_id,
            "tax_id_label": (customer.tax_id_type.upper() if customer is not None else TAX_ID_LABELS.get(tenant.country, "NIF")),
            "address": _address_lines(customer.address if customer is not None else None),
            "email": customer.email if customer is not None else None,
        },
        "lines": lines,
        "taxes": taxes,
        "subtotal": fmt.money(document.subtotal),
        "total": fmt.money(document.total),
        "amount_due": fmt.money(document.amount_due),
        "notes": document.notes or "",
        "rectified": rectified,
        "branding": {"color": branding.color, "footer": branding.footer, "legal_text": branding.legal_text,
                     "logo": logo_data_uri(tenant_id=tenant.id, branding=branding)},
        "verifactu": verifactu_qr(document, tenant),
        "payment_url": None,
        "einvoice": None,
    }
    for provider in list(_providers):
        context.update(provider(document) or {})
    return context


def tenant_row(tenant_id: uuid.UUID) -> Tenant:
    """Return the tenant (platform table, readable in the tenant's own context)."""
    tenant = session().get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"tenant {tenant_id} not found")
    return tenant
