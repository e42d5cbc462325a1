"""Demo data: the tenants demo-es and demo-ec with customers, suppliers, products, sales and purchases (idempotent)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.catalog.services import create_product
from gestiq_app.crm.models import Customer, Supplier
from gestiq_app.crm.services import create_customer, create_supplier
from gestiq_app.db import session
from gestiq_app.demo_data import DEMO_DATA
from gestiq_app.einvoicing.demo import seed_einvoicing_demo
from gestiq_app.purchases.demo import seed_purchases_demo
from gestiq_app.sales.demo import seed_sales_demo
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant
from gestiq_app.taxes.seed import ensure_tax_rates
from gestiq_app.tenancy.seed import ensure_platform_defaults
from gestiq_app.tenancy.services import create_tenant

DEMO_PASSWORD = "demo-password-1"
DEMO_TENANTS = [
    {
        "slug": "demo-es",
        "legal_name": "Demo Distribuciones España S.L.",
        "country": "ES",
        "tax_id": "B65410011",
        "owner_email": "owner@demo-es.test",
        "owner_name": "Lucía García",
        "owner_password": DEMO_PASSWORD,
        "sector": "general",
    },
    {
        "slug": "demo-ec",
        "legal_name": "Demo Comercial Ecuador S.A.",
        "country": "EC",
        "tax_id": "1790011674001",
        "owner_email": "owner@demo-ec.test",
        "owner_name": "Andrés Mera",
        "owner_password": DEMO_PASSWORD,
        "sector": "general",
    },
]


def seed_demo() -> Iterator[str]:
    """Create the demo tenants that are missing and say what was done."""
    ensure_platform_defaults()
    ensure_tax_rates()
    for data in DEMO_TENANTS:
        existing = session().scalar(select(Tenant).where(Tenant.slug == data["slug"]))
        if existing is None:
            existing = create_tenant(data=data, actor="demo-seed")
            yield f"Creada {data['slug']}: {data['owner_email']} / {DEMO_PASSWORD}"
        else:
            yield f"Ya existía {data['slug']}: {data['owner_email']} / {DEMO_PASSWORD}"
        added = _seed_business_data(existing.id, DEMO_DATA[data["slug"]])
        if any(added):
            yield f"{data['slug']}: {added[0]} clientes, {added[1]} proveedores y {added[2]} productos añadidos"
    # E-invoicing before the documents, so demo-ec's invoices get their SRI submissions (nothing is sent by default).
    for data in DEMO_TENANTS:
        if data["country"] == "EC":
            tenant_id = session().scalar(select(Tenant.id).where(Tenant.slug == data["slug"]))
            done = seed_einvoicing_demo(tenant_id=tenant_id, legal_name=data["legal_name"])
            if done:
                yield f"Facturación electrónica de {data['slug']}: {done}"
    # Documents last: they use the customers and products given to each tenant above.
    for data in DEMO_TENANTS:
        tenant_id = session().scalar(select(Tenant.id).where(Tenant.slug == data["slug"]))
        yield f"Ventas de {data['slug']}: {seed_sales_demo(tenant_id=tenant_id)}"
    # Purchases report only what they add: a second run prints exactly what it printed before.
    for data in DEMO_TENANTS:
        tenant_id = session().scalar(select(Tenant.id).where(Tenant.slug == data["slug"]))
        purchases = seed_purchases_demo(tenant_id=tenant_id)
        if purchases:
            yield f"Compras de {data['slug']}: {purchases}"


def _seed_business_data(tenant_id: uuid.UUID, data: dict[str, list[dict[str, Any]]]) -> tuple[int, int, int]:
    """Create the demo rows whose tax id or SKU the tenant does not have yet; return how many of each."""
    creators: list[tuple[Callable[..., Any], Any, str, list[dict[str, Any]]]] = [
        (create_customer, Customer.tax_id, "tax_id", data["customers"]),
        (create_supplier, Supplier.tax_id, "tax_id", data["suppliers"]),
        (create_product, Product.sku, "sku", data["products"]),
    ]
    counts = []
    for create, key_column, key, rows in creators:
        with tenant_context(tenant_id):
            known = set(session().scalars(select(key_column)))
        session().rollback()
        missing = [row for row in rows if row[key] not in known]
        for row in missing:
            create(tenant_id=tenant_id, data=dict(row), actor="demo-seed")
        counts.append(len(missing))
    return counts[0], counts[1], counts[2]
