"""Builders for sales tests: customers, products and documents created in a tenant's context."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.crm.models import Customer
from gestiq_app.db import unit_of_work
from gestiq_app.extensions import db
from gestiq_app.sales import credit_notes, issuing, services
from gestiq_app.sales.models import DocumentSeries, SalesDocument, SalesDocumentLine, SalesDocumentTax
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.factories import random_nif, random_ruc

ACTOR = "test"


def add_customer(tenant: Any, **overrides: Any) -> Customer:
    """Insert a customer of the tenant's country (30 days payment terms unless told otherwise)."""
    values: dict[str, Any] = {"legal_name": f"Cliente {uuid.uuid4().hex[:6]}", "country": tenant.country, "payment_terms_days": 30}
    if tenant.country == "ES":
        values.update(tax_id_type="nif", tax_id=random_nif())
    else:
        values.update(tax_id_type="ruc", tax_id=random_ruc())
    values.update(overrides)
    with tenant_context(tenant.id), unit_of_work() as current:
        customer = Customer(**values)
        current.add(customer)
    return customer


def add_product(tenant: Any, **overrides: Any) -> Product:
    """Insert a product (general tax category, 10.0000 each unless told otherwise)."""
    values: dict[str, Any] = {"sku": f"SKU-{uuid.uuid4().hex[:8]}", "name": "Producto de prueba", "unit_price": Decimal("10"),
                              "tax_category": "general", "kind": "product", **overrides}
    with tenant_context(tenant.id), unit_of_work() as current:
        product = Product(**values)
        current.add(product)
    return product


def line(quantity: str, price: str, category: str = "general", **extra: Any) -> dict[str, Any]:
    """Return a free-text input line."""
    return {"description": extra.pop("description", "Artículo"), "quantity": Decimal(quantity), "unit_price": Decimal(price),
            "tax_category": category, **{k: Decimal(v) if k == "discount_percent" else v for k, v in extra.items()}}


def create_invoice(tenant: Any, customer: Customer, lines: list[dict[str, Any]], **data: Any) -> SalesDocument:
    """Create a draft invoice through the service."""
    with tenant_context(tenant.id):  # expired objects (after a rolled-back test step) reload under RLS only in context
        return services.create_document(tenant_id=tenant.id, kind="invoice", data={"customer_id": customer.id, "lines": lines, **data},
                                        actor=ACTOR)


def issue(tenant: Any, document_id: uuid.UUID, **kwargs: Any) -> SalesDocument:
    """Issue a draft through the service."""
    with tenant_context(tenant.id):
        return issuing.issue_document(tenant_id=tenant.id, document_id=document_id, actor=ACTOR, **kwargs)


def issued_invoice(tenant: Any, customer: Customer, lines: list[dict[str, Any]], **data: Any) -> SalesDocument:
    """Create and issue an invoice."""
    return issue(tenant, create_invoice(tenant, customer, lines, **data).id)


def credit(tenant: Any, invoice_id: uuid.UUID, **data: Any) -> SalesDocument:
    """Create a draft credit note (R1 by diferencias unless told otherwise, in Spain)."""
    defaults = {"reason": "Devolución", "rectification_type": "R1"} if tenant.country == "ES" else {"reason": "Devolución"}
    with tenant_context(tenant.id):
        return credit_notes.create_credit_note(tenant_id=tenant.id, invoice_id=invoice_id, data={**defaults, **data}, actor=ACTOR)


def reload(tenant: Any, document_id: uuid.UUID, kinds: tuple[str, ...] = ("invoice", "credit_note")) -> SalesDocument:
    """Read a document afresh from the database."""
    tenant_id = tenant.id
    db.session.expunge_all()
    with tenant_context(tenant_id):
        return services.get_document(tenant_id=tenant_id, document_id=document_id, kinds=kinds)


def sales_snapshot(tenant_id: uuid.UUID) -> dict[str, Any]:
    """Return every sales row of a tenant (documents, lines, taxes, series) for "nothing changed" checks."""
    db.session.expunge_all()
    with platform_scope(actor="test", reason="snapshot"):
        snapshot = {
            model.__tablename__: sorted(
                tuple(str(value) for value in row)
                for row in db.session.execute(select(*model.__table__.columns).where(model.tenant_id == tenant_id))
            )
            for model in (SalesDocument, SalesDocumentLine, SalesDocumentTax, DocumentSeries)
        }
    db.session.rollback()
    return snapshot
