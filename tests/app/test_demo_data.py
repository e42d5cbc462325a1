"""The demo seed gives demo-es and demo-ec realistic customers, suppliers and products, once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.crm.models import Customer, Supplier
from gestiq_app.demo import seed_demo
from gestiq_app.extensions import db
from gestiq_app.fiscal.taxids import validate_tax_id
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant


def _contents(slug: str) -> dict:
    tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    with tenant_context(tenant_id):
        customers = db.session.scalars(select(Customer)).all()
        suppliers = db.session.scalars(select(Supplier)).all()
        products = db.session.scalars(select(Product)).all()
        for party in [*customers, *suppliers]:
            assert validate_tax_id(party.country, party.tax_id_type, party.tax_id) == party.tax_id
        return {
            "customers": len(customers), "suppliers": len(suppliers), "products": len(products),
            "customer_id_types": Counter(customer.tax_id_type for customer in customers),
            "tax_categories": Counter(product.tax_category for product in products),
            "services": sum(product.kind == "service" for product in products),
        }


def test_demo_seed_adds_business_data_once(app_context) -> None:  # type: ignore[no-untyped-def]
    list(seed_demo())
    assert list(seed_demo()) == [
        "Ya existía demo-es: owner@demo-es.test / demo-password-1",
        "Ya existía demo-ec: owner@demo-ec.test / demo-password-1",
        "Ventas de demo-es: ya tenía facturas",
        "Ventas de demo-ec: ya tenía facturas",
    ]
    assert _contents("demo-es") == {
        "customers": 8, "suppliers": 4, "products": 15,
        "customer_id_types": Counter({"cif": 4, "nif": 2, "nie": 1, "vat_eu": 1}),
        "tax_categories": Counter({"superreducido": 5, "reducido": 5, "general": 5}),
        "services": 3,
    }
    assert _contents("demo-ec") == {
        "customers": 8, "suppliers": 4, "products": 15,
        "customer_id_types": Counter({"ruc": 4, "cedula": 2, "consumidor_final": 1, "passport": 1}),
        "tax_categories": Counter({"cero": 6, "general": 7, "reducido": 2}),
        "services": 3,
    }
