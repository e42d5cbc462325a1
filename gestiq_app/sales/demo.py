"""Demo sales: a few months of issued invoices, a credit note, a draft and a quote for a demo tenant.

Idempotent: a tenant that already has invoices is left alone. It uses the tenant's existing customers
and products (the CRM/catalog demo adds them) and only creates a small set of its own when there are none.
Everything goes through the sales services, so demo documents are priced and numbered like real ones.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.crm.models import Customer
from gestiq_app.db import session, unit_of_work
from gestiq_app.sales import credit_notes, issuing, services
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.settings import get_sales_settings
from gestiq_app.tenancy.context import tenant_context

ACTOR = "demo-seed"
#: Invoices every `EVERY_DAYS` days over the last `SPAN_DAYS` days.
SPAN_DAYS, EVERY_DAYS = 120, 6
FALLBACK_CUSTOMERS: dict[str, list[dict[str, Any]]] = {
    "ES": [
        {"legal_name": "Ferretería Levante S.L.", "tax_id_type": "cif", "tax_id": "B46123451", "payment_terms_days": 30,
         "has_recargo_equivalencia": True},
        {"legal_name": "Estudio Ruiz Arquitectos S.L.", "tax_id_type": "cif", "tax_id": "B28765436", "payment_terms_days": 60,
         "is_irpf_professional": True},
        {"legal_name": "Construcciones Baix S.L.", "tax_id_type": "cif", "tax_id": "B08112237", "payment_terms_days": 15},
    ],
    "EC": [
        {"legal_name": "Comercial Andina Cía. Ltda.", "tax_id_type": "ruc", "tax_id": "1791251237001", "payment_terms_days": 30},
        {"legal_name": "María Fernanda Cedeño", "tax_id_type": "ruc", "tax_id": "0912345675001", "payment_terms_days": 15},
        {"legal_name": "Distribuidora del Austro S.A.", "tax_id_type": "ruc", "tax_id": "0102030400001", "payment_terms_days": 0},
    ],
}
FALLBACK_PRODUCTS: dict[str, list[dict[str, Any]]] = {
    "ES": [
        {"sku": "DEMO-HERR-01", "name": "Caja de herramientas", "unit_price": Decimal("45.00"), "tax_category": "general"},
        {"sku": "DEMO-LIB-01", "name": "Manual de bricolaje", "unit_price": Decimal("19.90"), "tax_category": "superreducido"},
        {"sku": "DEMO-SERV-01", "name": "Hora de mantenimiento", "unit_price": Decimal("60.00"), "tax_category": "general",
         "kind": "service", "unit": "hora"},
    ],
    "EC": [
        {"sku": "DEMO-ARROZ-25", "name": "Arroz 25 kg", "unit_price": Decimal("31.50"), "tax_category": "cero"},
        {"sku": "DEMO-LAPTOP", "name": "Laptop 14 pulgadas", "unit_price": Decimal("689.00"), "tax_category": "general"},
        {"sku": "DEMO-SOPORTE", "name": "Soporte técnico (hora)", "unit_price": Decimal("25.00"), "tax_category": "general",
         "kind": "service", "unit": "hora"},
    ],
}


def _ensure_rows(model: type, existing: list[Any], fallback: list[dict[str, Any]], **common: Any) -> list[Any]:
    if existing:
        return existing
    with unit_of_work() as current:
        rows = [model(**common, **values) for values in fallback]
        current.add_all(rows)
    return rows


def _demo_customers(country: str) -> list[Customer]:
    existing = list(session().scalars(select(Customer).where(Customer.is_active.is_(True)).order_by(Customer.legal_name).limit(10)))
    return _ensure_rows(Customer, existing, FALLBACK_CUSTOMERS[country], country=country)


def _demo_products(country: str) -> list[Product]:
    existing = list(session().scalars(select(Product).where(Product.is_active.is_(True)).order_by(Product.sku).limit(20)))
    return _ensure_rows(Product, existing, FALLBACK_PRODUCTS[country])


def _lines(products: list[Product], index: int, customer: Customer) -> list[dict[str, Any]]:
    picked = [products[(index * 3 + offset * 5) % len(products)] for offset in range(1 + index % 3)]
    services = [product for product in products if product.kind == "service"]
    if customer.is_irpf_professional and services and all(product.kind != "service" for product in picked):
        picked.append(services[index % len(services)])  # show the IRPF withholding on this customer's invoices
    return [{"product_id": product.id, "quantity": Decimal(1 + (index * 7 + offset) % 5), "discount_percent": Decimal(5 * (index % 2))}
            for offset, product in enumerate(picked)]


def seed_sales_demo(*, tenant_id: uuid.UUID) -> str:
    """Give a demo tenant months of issued invoices, a credit note, a draft invoice and a quote, once."""
    with tenant_context(tenant_id):
        if session().scalar(select(SalesDocument.id).where(SalesDocument.kind == "invoice").limit(1)) is not None:
            return "ya tenía facturas"
        settings = get_sales_settings(tenant_id=tenant_id)
        customers, products = _demo_customers(settings.country), _demo_products(settings.country)
        today = settings.today()
        issued = []
        for index, offset in enumerate(range(SPAN_DAYS, 0, -EVERY_DAYS)):
            customer = customers[index % len(customers)]
            data = {"customer_id": customer.id, "issue_date": today - timedelta(days=offset), "lines": _lines(products, index, customer)}
            draft = services.create_document(tenant_id=tenant_id, kind="invoice", data=data, actor=ACTOR)
            issued.append(issuing.issue_document(tenant_id=tenant_id, document_id=draft.id, actor=ACTOR))
        note = credit_notes.create_credit_note(tenant_id=tenant_id, invoice_id=issued[-1].id, actor=ACTOR, data={
            "reason": "Devolución de mercancía", "rectification_type": "R1" if settings.country == "ES" else None,
            "lines": [{"source_line_id": issued[-1].lines[0].id, "quantity": Decimal("1")}]})
        issuing.issue_document(tenant_id=tenant_id, document_id=note.id, actor=ACTOR)
        services.create_document(tenant_id=tenant_id, kind="invoice", actor=ACTOR,
                                 data={"customer_id": customers[0].id, "lines": _lines(products, 1, customers[0]), "notes": "Pendiente de revisar"})
        services.create_document(tenant_id=tenant_id, kind="quote", actor=ACTOR,
                                 data={"customer_id": customers[-1].id, "lines": _lines(products, 2, customers[-1]),
                                       "due_date": today + timedelta(days=30)})
        return f"{len(issued)} facturas emitidas, 1 rectificativa, 1 borrador y 1 presupuesto"
