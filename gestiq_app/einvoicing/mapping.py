"""Map an issued sales document onto the engines' typed inputs (SRI comprobante, VERI*FACTU alta / anulación).

Every problem found is collected and raised as one EinvoicingInvalidError (422, Spanish), so the issuing
transaction rolls back as a whole: an invoice whose mapping fails is not issued at all.

Ecuador: the establishment and emission point come from the series prefix when it has the SRI shape
("001-002-"), else from the settings; the sequential is the series number (Ecuadorian series never restart).
Spain: the IVA breakdown comes from the document's frozen tax rows (recargo de equivalencia joined to the IVA row of
the same category and base; IRPF withholding is not part of CuotaTotal/ImporteTotal). Credit notes are rectificativas
of their R1–R5 type: `diferencias` (I) carry the credited amounts as negative differences; `sustitucion` (S) carry
what remains of the invoice after all its issued credit notes (zero when everything is credited) with the invoice's base and cuota
as ImporteRectificacion.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gestiq_app.catalog.models import Product
from gestiq_app.crm.models import Customer
from gestiq_app.db import session
from gestiq_app.einvoicing.ec_sri.documents import (
    SriBuyer,
    SriCreditNote,
    SriInvoice,
    SriIssuer,
    SriLine,
    SriModifiedDocument,
    SriPayment,
    SriRetention,
    line_tax,
    money,
    totals_from_lines,
)
from gestiq_app.einvoicing.es_verifactu.records import (
    VerifactuBreakdown,
    VerifactuCancellation,
    VerifactuInvoice,
    VerifactuParty,
    VerifactuRectified,
)
from gestiq_app.einvoicing.exceptions import EinvoicingInvalidError
from gestiq_app.einvoicing.settings import EinvoicingSettings
from gestiq_app.purchases.models import PurchaseDocument, PurchaseWithholding
from gestiq_app.purchases.withholdings import build_sri_retention
from gestiq_app.sales.models import DocumentSeries, SalesDocument, SalesDocumentTax
from gestiq_app.tenancy.models import Tenant

SRI_PREFIX = re.compile(r"^(\d{3})-(\d{3})-$")
SRI_NUMBER = re.compile(r"^\d{3}-\d{3}-\d{9}$")
SRI_BUYER_TYPES = {"ruc": "04", "cedula": "05", "passport": "06", "consumidor_final": "07"}
FINAL_CONSUMER_ID = "9999999999999"
SPANISH_IDS = ("nif", "nie", "cif")
OTHER_ID_TYPES = {"vat_eu": "02", "passport": "03"}
ZERO = Decimal("0")


def _fail(problems: list[str]) -> None:
    if problems:
        raise EinvoicingInvalidError("El documento no se puede emitir como factura electrónica: " + "; ".join(problems),
                                     errors={"einvoicing": problems})


def _customer(document: SalesDocument) -> Customer | None:
    return session().scalar(select(Customer).where(Customer.id == document.customer_id))


def _address(customer: Customer | None) -> str | None:
    parts = [str((customer.address or {}).get(key) or "").strip() for key in ("street", "city", "province")] if customer else []
    text = ", ".join(part for part in parts if part)
    return text[:300] or None


# --- Ecuador ---------------------------------------------------------------------------------------------------

def _establishment(document: SalesDocument, settings: EinvoicingSettings) -> tuple[str, str]:
    prefix = session().scalar(select(DocumentSeries.prefix).where(DocumentSeries.id == document.series_id)) or ""
    matched = SRI_PREFIX.match(prefix)
    return (matched.group(1), matched.group(2)) if matched else (settings.sri_establishment, settings.sri_emission_point)


def _sri_issuer(tenant: Tenant, settings: EinvoicingSettings, problems: list[str]) -> SriIssuer:
    if not settings.head_office_address.strip():
        problems.append("Configure la dirección de la matriz de la empresa (Facturación electrónica > Ajustes)")
    return SriIssuer(
        ruc=tenant.tax_id, legal_name=tenant.legal_name, head_office_address=settings.head_office_address.strip() or "-",
        is_accounting_required=settings.is_accounting_required, trade_name=settings.trade_name or None,
        establishment_address=settings.establishment_address or None,
        special_taxpayer_number=settings.special_taxpayer_number or None, rimpe_label=settings.rimpe_label or None,
    )


def _sri_buyer(document: SalesDocument, customer: Customer | None) -> SriBuyer:
    id_type = SRI_BUYER_TYPES.get(customer.tax_id_type if customer else "", "08")
    id_number = FINAL_CONSUMER_ID if id_type == "07" else document.customer_tax_id
    return SriBuyer(id_type=id_type, id_number=id_number, legal_name=document.customer_name, address=_address(customer))


def _sri_lines(document: SalesDocument, problems: list[str]) -> tuple[SriLine, ...]:
    product_ids = [line.product_id for line in document.lines if line.product_id is not None]
    skus = dict(session().execute(select(Product.id, Product.sku).where(Product.id.in_(product_ids))).all()) if product_ids else {}
    lines = []
    for line in document.lines:
        if not line.tax_code:
            problems.append(f"Línea {line.position}: el tipo de IVA no tiene código de porcentaje del SRI")
        gross = money(line.quantity * line.unit_price)
        lines.append(SriLine(
            main_code=(skus.get(line.product_id) or f"ITEM-{line.position}")[:25], description=line.description[:300],
            quantity=line.quantity, unit_price=line.unit_price, discount=max(gross - line.base_amount, ZERO),
            total_without_tax=line.base_amount,
            taxes=(line_tax(rate_code=line.tax_code or "0", rate=line.tax_rate, base=line.base_amount),),
        ))
    return tuple(lines)


def _sri_number(document: SalesDocument, establishment: str, emission_point: str) -> str:
    number = document.full_number or ""
    return number if SRI_NUMBER.match(number) else f"{establishment}-{emission_point}-{document.number or 0:09d}"


def sri_document_of(document: SalesDocument, *, tenant: Tenant, settings: EinvoicingSettings,
                    rectified: SalesDocument | None = None) -> SriInvoice | SriCreditNote:
    """Return the factura (or nota de crédito) of an issued Ecuadorian document; 422 listing every problem."""
    problems: list[str] = []
    issuer = _sri_issuer(tenant, settings, problems)
    customer = _customer(document)
    lines = _sri_lines(document, problems)
    totals = totals_from_lines(lines)
    if (totals.total_without_taxes, totals.total) != (money(document.subtotal), money(document.total)):
        problems.append(f"Los totales del SRI ({totals.total_without_taxes} / {totals.total}) no cuadran con la factura "
                        f"({document.subtotal} / {document.total})")
    establishment, emission_point = _establishment(document, settings)
    info: list[tuple[str, str]] = []
    if customer is not None and customer.email:
        info.append(("Email", customer.email[:300]))
    if document.notes:
        info.append(("Observaciones", document.notes.strip()[:300]))
    common: dict[str, Any] = dict(
        environment=settings.sri_environment, issuer=issuer, establishment=establishment, emission_point=emission_point,
        sequential=document.number or 0, issue_date=document.issue_date, additional_info=tuple(info),
        buyer=_sri_buyer(document, customer), lines=lines, totals=totals,
    )
    if document.kind == "credit_note":
        if rectified is None:
            problems.append("La nota de crédito no tiene factura modificada")
        _fail(problems)
        modified = SriModifiedDocument(doc_type="01", number=_sri_number(rectified, establishment, emission_point),  # type: ignore[arg-type]
                                       issue_date=rectified.issue_date)  # type: ignore[union-attr]
        return SriCreditNote(**common, modified_document=modified, reason=(document.reason or "Devolución")[:300])
    _fail(problems)
    days = (document.due_date - document.issue_date).days if document.due_date else 0
    payment = SriPayment(method=settings.sri_payment_method, total=totals.total,
                         term=Decimal(days) if days > 0 else None, time_unit="dias" if days > 0 else None)
    return SriInvoice(**common, payments=(payment,))


def sri_retention_of(withholding: PurchaseWithholding, *, tenant: Tenant, settings: EinvoicingSettings) -> SriRetention:
    """Return the comprobante de retención (codDoc 07) of a recorded Ecuadorian purchase; 422 listing every problem.

    Establishment, emission point and sequential are the withholding's own (its series); the environment is the
    tenant's setting; the supporting invoice is rebuilt from the purchase document.
    """
    problems: list[str] = []
    issuer = _sri_issuer(tenant, settings, problems)
    document = session().scalar(select(PurchaseDocument).where(PurchaseDocument.id == withholding.document_id)
                                .options(selectinload(PurchaseDocument.taxes), selectinload(PurchaseDocument.withholdings)))
    if document is None:
        problems.append("La retención no tiene factura de proveedor")
    elif not document.withholdings:
        problems.append("La factura de proveedor no tiene retenciones")
    _fail(problems)
    return build_sri_retention(withholding, document, issuer=issuer, environment=settings.sri_environment)  # type: ignore[arg-type]


# --- Spain -----------------------------------------------------------------------------------------------------

def _recipients(document: SalesDocument, customer: Customer | None) -> tuple[VerifactuParty, ...]:
    kind = customer.tax_id_type if customer else "nif"
    if kind in SPANISH_IDS:
        return (VerifactuParty(name=document.customer_name[:120], nif=document.customer_tax_id),)
    if kind in OTHER_ID_TYPES:
        country = document.customer_tax_id[:2] if kind == "vat_eu" else (customer.country if customer else None)
        return (VerifactuParty(name=document.customer_name[:120], other_id=document.customer_tax_id,
                               other_id_type=OTHER_ID_TYPES[kind], country=country),)
    return ()


def _breakdown(taxes: Sequence[SalesDocumentTax], sign: Decimal) -> list[VerifactuBreakdown]:
    surcharges = {(tax.category, tax.base): tax for tax in taxes if tax.tax_type == "recargo"}
    rows = []
    for tax in taxes:
        if tax.tax_type != "iva":
            continue
        surcharge = surcharges.get((tax.category, tax.base))
        exempt = tax.category == "exento"
        rows.append(VerifactuBreakdown(
            rate=tax.rate, base=sign * tax.base, tax=sign * tax.amount,
            operation_kind=None if exempt else "S1", exemption_code="E1" if exempt else None,
            surcharge_rate=surcharge.rate if surcharge else None, surcharge=sign * surcharge.amount if surcharge else None,
        ))
    return rows


def _issued_credit_notes(invoice: SalesDocument) -> list[SalesDocument]:
    return list(session().scalars(
        select(SalesDocument).where(SalesDocument.kind == "credit_note", SalesDocument.state == "issued",
                                    SalesDocument.rectified_document_id == invoice.id)
        .options(selectinload(SalesDocument.taxes))
    ))


def _remaining_breakdown(invoice: SalesDocument, credit_note: SalesDocument) -> list[VerifactuBreakdown]:
    """Return the invoice's breakdown minus every issued credit note of it (this one included)."""
    credited: dict[tuple[Decimal, str | None], list[Decimal]] = {}
    notes = _issued_credit_notes(invoice)
    if credit_note not in notes:
        notes.append(credit_note)
    for note in notes:
        for row in _breakdown(note.taxes, Decimal("1")):
            totals = credited.setdefault((row.rate, row.exemption_code), [ZERO, ZERO, ZERO])
            totals[0], totals[1], totals[2] = totals[0] + row.base, totals[1] + row.tax, totals[2] + (row.surcharge or ZERO)
    rows = []
    for row in _breakdown(invoice.taxes, Decimal("1")):
        base, tax, surcharge = credited.get((row.rate, row.exemption_code), [ZERO, ZERO, ZERO])
        rows.append(VerifactuBreakdown(
            rate=row.rate, base=row.base - base, tax=row.tax - tax, operation_kind=row.operation_kind,
            exemption_code=row.exemption_code, surcharge_rate=row.surcharge_rate,
            surcharge=None if row.surcharge is None else row.surcharge - surcharge))
    return rows


def _description(document: SalesDocument) -> str:
    text = "; ".join(line.description.strip() for line in document.lines if line.description.strip())
    return (document.reason if document.kind == "credit_note" and document.reason else text or "Venta")[:500]


def verifactu_invoice_of(document: SalesDocument, *, tenant: Tenant, rectified: SalesDocument | None = None) -> VerifactuInvoice:
    """Return the registro de alta input of an issued Spanish invoice or rectificativa; 422 listing every problem."""
    problems: list[str] = []
    customer = _customer(document)
    recipients = _recipients(document, customer)
    extra: dict[str, Any] = {}
    if document.kind == "credit_note":
        invoice_type = document.rectification_type or "R1"
        if rectified is None:
            problems.append("La rectificativa no tiene factura rectificada")
            _fail(problems)
        reference = VerifactuRectified(issuer_nif=tenant.tax_id, invoice_number=rectified.full_number or "",  # type: ignore[union-attr]
                                       issue_date=rectified.issue_date)  # type: ignore[union-attr]
        if document.rectification_method == "sustitucion":
            breakdown = _remaining_breakdown(rectified, document)  # type: ignore[arg-type]
            extra = dict(rectification_kind="S", rectified=(reference,), rectified_base=rectified.subtotal,  # type: ignore[union-attr]
                         rectified_tax=rectified.tax_total + rectified.recargo_total)  # type: ignore[union-attr]
        else:
            breakdown = _breakdown(document.taxes, Decimal("-1"))
            extra = dict(rectification_kind="I", rectified=(reference,))
    else:
        invoice_type = "F1" if recipients else "F2"
        breakdown = _breakdown(document.taxes, Decimal("1"))
    if not breakdown:
        problems.append("La factura no tiene desglose de IVA")
    _fail(problems)
    total_tax = sum((row.tax + (row.surcharge or ZERO) for row in breakdown), ZERO)
    total_amount = sum((row.base + row.tax + (row.surcharge or ZERO) for row in breakdown), ZERO)
    return VerifactuInvoice(
        issuer_nif=tenant.tax_id, issuer_name=tenant.legal_name[:120], invoice_number=document.full_number or "",
        issue_date=document.issue_date, invoice_type=invoice_type, description=_description(document),
        breakdown=tuple(breakdown), total_tax=total_tax, total_amount=total_amount,
        recipients=recipients if invoice_type != "R5" else (), **extra,
    )


def verifactu_cancellation_of(document: SalesDocument, *, tenant: Tenant) -> VerifactuCancellation:
    """Return the registro de anulación input of a voided Spanish invoice."""
    return VerifactuCancellation(issuer_nif=tenant.tax_id, issuer_name=tenant.legal_name[:120],
                                 invoice_number=document.full_number or "", issue_date=document.issue_date)
