"""Demo data: the tenants demo-es and demo-ec and their sales documents (idempotent)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from gestiq_app.db import session
from gestiq_app.sales.demo import seed_sales_demo
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
    # Documents last: they use the customers and products the other demo steps give each tenant.
    for data in DEMO_TENANTS:
        tenant_id = session().scalar(select(Tenant.id).where(Tenant.slug == data["slug"]))
        yield f"Ventas de {data['slug']}: {seed_sales_demo(tenant_id=tenant_id)}"
