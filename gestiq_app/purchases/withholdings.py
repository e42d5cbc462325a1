"""The Ecuadorian comprobante de retención (codDoc 07): numbering, creation when an invoice is recorded, and
its mapping onto the SRI engine's input (`einvoicing.ec_sri.documents.SriRetention`, XML 2.0.0).

Numbering: one series per establishment and emission point (default 001-001), its row locked FOR UPDATE
while the next sequential is taken, so two recordings never get the same number (the unique key
(tenant_id, establishment, emission_point, sequential) backs it up).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app.db import contains_pattern, session
from gestiq_app.einvoicing.ec_sri.documents import (
    SriBuyer,
    SriIssuer,
    SriPayment,
    SriRetention,
    SriRetentionLine,
    SriSupportingDocument,
    SriTax,
    line_tax,
)
from gestiq_app.purchases.exceptions import PurchaseNotFoundError
from gestiq_app.purchases.models import PurchaseDocument, PurchaseWithholding, WithholdingSeries
from gestiq_app.tenancy.context import current_tenant_id

DEFAULT_ESTABLISHMENT = "001"
DEFAULT_EMISSION_POINT = "001"
#: tipoIdentificacion of the sujeto retenido (Tabla 6) from our tax id types.
SRI_ID_TYPES = {"ruc": "04", "cedula": "05", "passport": "06", "consumidor_final": "07"}
#: retención codigo (1 renta, 2 IVA) from our withholding kinds.
SRI_WITHHOLDING_TAX_CODES = {"renta": "1", "iva": "2"}
#: formaPago of the supporting invoice: "otros con utilización del sistema financiero".
DEFAULT_PAYMENT_METHOD = "20"


def lock_default_series() -> WithholdingSeries:
    """Return the tenant's 001-001 withholding series locked FOR UPDATE, creating it on first use.

    Two first recordings may race to create it: the unique key decides (INSERT … ON CONFLICT DO NOTHING),
    then both lock the one row, so the loser waits and takes the next sequential.
    """
    statement = (select(WithholdingSeries)
                 .where(WithholdingSeries.establishment == DEFAULT_ESTABLISHMENT, WithholdingSeries.emission_point == DEFAULT_EMISSION_POINT)
                 .with_for_update().execution_options(populate_existing=True))
    series = session().scalar(statement)
    if series is None:
        insert = postgresql_insert if session().get_bind().dialect.name == "postgresql" else sqlite_insert
        values = {"tenant_id": current_tenant_id(), "id": uuid.uuid4(), "establishment": DEFAULT_ESTABLISHMENT,
                  "emission_point": DEFAULT_EMISSION_POINT, "next_sequential": 1, "is_active": True}
        session().execute(insert(WithholdingSeries).values(**values)
                          .on_conflict_do_nothing(index_elements=["tenant_id", "establishment", "emission_point"]))
        series = session().scalar(statement)
    return series  # type: ignore[return-value]


def issue_withholding(document: PurchaseDocument, *, issue_date: date, supplier_tax_id_type: str) -> PurchaseWithholding:
    """Number and add the comprobante de retención of a document being recorded (caller's transaction)."""
    series = lock_default_series()
    sequential = series.next_sequential
    series.next_sequential = sequential + 1
    withholding = PurchaseWithholding(
        document_id=document.id, series_id=series.id, establishment=series.establishment, emission_point=series.emission_point,
        sequential=sequential, issue_date=issue_date, fiscal_period=f"{document.issue_date.month:02d}/{document.issue_date.year}",
        supplier_name=document.supplier_name or "", supplier_tax_id=document.supplier_tax_id or "",
        supplier_tax_id_type=supplier_tax_id_type, total=document.withholding_total,
    )
    session().add(withholding)
    return withholding


def get_withholding(*, tenant_id: uuid.UUID, withholding_id: uuid.UUID) -> PurchaseWithholding:
    """Return a comprobante de retención of the tenant, or raise PurchaseNotFoundError."""
    withholding = session().get(PurchaseWithholding, withholding_id)
    if withholding is None:
        raise PurchaseNotFoundError("Retención no encontrada")
    return withholding


def withholdings_query(*, filters: dict[str, Any]) -> Select:
    """Return the list query of comprobantes de retención with the supplier, date and text filters."""
    W = PurchaseWithholding
    statement = select(W)
    if filters.get("supplier_id"):
        statement = statement.where(W.document_id.in_(select(PurchaseDocument.id).where(PurchaseDocument.supplier_id == filters["supplier_id"])))
    if filters.get("issue_date_from"):
        statement = statement.where(W.issue_date >= filters["issue_date_from"])
    if filters.get("issue_date_to"):
        statement = statement.where(W.issue_date <= filters["issue_date_to"])
    if filters.get("q"):
        pattern = contains_pattern(filters["q"].strip())
        statement = statement.where(W.supplier_name.ilike(pattern, escape="\\") | W.supplier_tax_id.ilike(pattern, escape="\\"))
    return statement


def _sri_number(supplier_number: str) -> str:
    digits = "".join(character for character in supplier_number if character.isdigit())
    return digits.rjust(15, "0")[-15:]


def build_sri_retention(withholding: PurchaseWithholding, document: PurchaseDocument, *, issuer: SriIssuer,
                        environment: int, numeric_code: str = "") -> SriRetention:
    """Map a comprobante de retención and its supporting invoice onto the SRI engine's SriRetention (2.0.0)."""
    taxes = tuple(
        line_tax(rate_code=tax.authority_code or "0", rate=tax.rate, base=tax.base)
        for tax in document.taxes
    )
    retentions = tuple(
        SriRetentionLine(code=SRI_WITHHOLDING_TAX_CODES[line.kind], retention_code=line.code, base=line.base,
                         percentage=line.rate, amount=line.amount)
        for line in document.withholdings
    )
    support = SriSupportingDocument(
        support_code="01", doc_type="01", number=_sri_number(document.supplier_number or ""), issue_date=document.issue_date,
        total_without_taxes=document.subtotal, total=document.total, taxes=_merge_taxes(taxes), retentions=retentions,
        payments=(SriPayment(method=DEFAULT_PAYMENT_METHOD, total=document.total),),
        authorization_number=document.authorization_number, accounting_date=document.issue_date,
    )
    return SriRetention(
        environment=environment, issuer=issuer, establishment=withholding.establishment, emission_point=withholding.emission_point,
        sequential=withholding.sequential, issue_date=withholding.issue_date, numeric_code=numeric_code,
        subject=SriBuyer(id_type=SRI_ID_TYPES.get(withholding.supplier_tax_id_type, "04"), id_number=withholding.supplier_tax_id,
                         legal_name=withholding.supplier_name),
        fiscal_period=withholding.fiscal_period, supporting_documents=(support,),
    )


def _merge_taxes(taxes: tuple[SriTax, ...]) -> tuple[SriTax, ...]:
    """Merge deductible and non-deductible rows of the same SRI rate code (the SRI knows no deductibility)."""
    merged: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for tax in taxes:
        base, amount, rate = merged.get(tax.rate_code, (Decimal("0"), Decimal("0"), tax.rate))
        merged[tax.rate_code] = (base + tax.base, amount + tax.amount, rate)
    return tuple(SriTax(code="2", rate_code=code, rate=rate, base=base, amount=amount) for code, (base, amount, rate) in merged.items())
