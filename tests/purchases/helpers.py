"""Builders for purchases tests: suppliers and documents created in a tenant's context."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.crm.models import Supplier
from gestiq_app.db import unit_of_work
from gestiq_app.extensions import db
from gestiq_app.purchases import services
from gestiq_app.purchases.models import (
    PurchaseAttachment,
    PurchaseDocument,
    PurchaseDocumentLine,
    PurchaseDocumentTax,
    PurchaseWithholding,
    PurchaseWithholdingLine,
    WithholdingSeries,
)
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.factories import random_nif, random_ruc

ACTOR = "test"
PURCHASE_MODELS = (PurchaseDocument, PurchaseDocumentLine, PurchaseDocumentTax, PurchaseWithholdingLine, PurchaseWithholding,
                   WithholdingSeries, PurchaseAttachment)


def add_supplier(tenant: Any, **overrides: Any) -> Supplier:
    """Insert a supplier of the tenant's country (30 days payment terms unless told otherwise)."""
    values: dict[str, Any] = {"legal_name": f"Proveedor {uuid.uuid4().hex[:6]}", "country": tenant.country, "payment_terms_days": 30}
    if tenant.country == "ES":
        values.update(tax_id_type="nif", tax_id=random_nif())
    else:
        values.update(tax_id_type="ruc", tax_id=random_ruc())
    values.update(overrides)
    with tenant_context(tenant.id), unit_of_work() as current:
        supplier = Supplier(**values)
        current.add(supplier)
    return supplier


def line(quantity: str, price: str, category: str = "general", **extra: Any) -> dict[str, Any]:
    """Return a free-text input line."""
    return {"description": extra.pop("description", "Artículo"), "quantity": Decimal(quantity), "unit_price": Decimal(price),
            "tax_category": category, **{k: Decimal(v) if k == "discount_percent" else v for k, v in extra.items()}}


def create_invoice(tenant: Any, supplier: Supplier, lines: list[dict[str, Any]], **data: Any) -> PurchaseDocument:
    """Create a draft supplier invoice through the service."""
    from datetime import date

    values = {"supplier_id": supplier.id, "supplier_number": f"F-{uuid.uuid4().hex[:8]}", "issue_date": date(2026, 3, 10),
              "lines": lines, **data}
    with tenant_context(tenant.id):
        return services.create_invoice(tenant_id=tenant.id, data=values, actor=ACTOR)


def record(tenant: Any, document_id: uuid.UUID, **kwargs: Any) -> PurchaseDocument:
    """Record a draft supplier invoice through the service."""
    with tenant_context(tenant.id):
        return services.record_invoice(tenant_id=tenant.id, document_id=document_id, actor=ACTOR, **kwargs)


def reload(tenant: Any, document_id: uuid.UUID, kind: str = "supplier_invoice") -> PurchaseDocument:
    """Read a document afresh from the database."""
    tenant_id = tenant.id
    db.session.expunge_all()
    with tenant_context(tenant_id):
        return services.get_document(tenant_id=tenant_id, document_id=document_id, kind=kind)


def purchases_snapshot(tenant_id: uuid.UUID) -> dict[str, Any]:
    """Return every purchases row of a tenant, for "nothing changed" checks."""
    db.session.expunge_all()
    with platform_scope(actor="test", reason="snapshot"):
        snapshot = {
            model.__tablename__: sorted(
                tuple(str(value) for value in row)
                for row in db.session.execute(select(*model.__table__.columns).where(model.tenant_id == tenant_id))
            )
            for model in PURCHASE_MODELS
        }
    db.session.rollback()
    return snapshot
