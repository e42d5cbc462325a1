"""Product use cases: tax categories still in force, audit of every change, delete or deactivate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from gestiq_app.audit.models import AuditEvent
from gestiq_app.catalog import services
from gestiq_app.catalog.exceptions import ProductInvalidError
from gestiq_app.catalog.models import Product
from gestiq_app.extensions import db
from gestiq_app.taxes.services import create_tax_rate
from gestiq_app.tenancy.context import tenant_context
from tests.taxes.conftest import test_category  # noqa: F401 - fixture


def _product(tenant, **data):  # type: ignore[no-untyped-def]
    values = {"sku": "PAN-001", "name": "Pan de pueblo", "unit_price": Decimal("2.3000"), **data}
    return services.create_product(tenant_id=tenant.id, data=values, actor="user:1")


def _events(tenant_id, entity_id) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_id):
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(entity_id)).order_by(AuditEvent.created_at))
        return [(row.action, row.changes) for row in rows]


def test_a_category_whose_rates_have_all_ended_is_refused(tenant, test_category) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    rate = {"country": "ES", "tax_type": "iva", "category": test_category, "name": "IVA antiguo", "rate": Decimal("6"),
            "valid_from": date(1990, 1, 1), "valid_to": date(1994, 12, 31)}
    create_tax_rate(data=rate, actor="admin:test")
    with pytest.raises(ProductInvalidError) as caught:
        _product(tenant, tax_category=test_category)
    assert caught.value.errors == {"tax_category": ["Categoría de IVA desconocida. Use una de: cero, exento, general, reducido, superreducido."]}
    create_tax_rate(data={**rate, "name": "IVA nuevo", "valid_from": date(2025, 1, 1), "valid_to": None}, actor="admin:test")
    assert _product(tenant, tax_category=test_category).tax_category == test_category


def test_create_update_and_delete_are_audited(tenant) -> None:  # type: ignore[no-untyped-def]
    product = _product(tenant, tax_category="superreducido")
    services.update_product(tenant_id=tenant.id, product_id=product.id, actor="user:1",
                            data={"version": 1, "unit_price": Decimal("2.30"), "name": "Pan de pueblo 500 g"})
    assert services.delete_product(tenant_id=tenant.id, product_id=product.id, actor="user:1") is None
    assert _events(tenant.id, product.id) == [
        ("product.created", {"sku": "PAN-001", "name": "Pan de pueblo", "unit_price": "2.3000"}),
        ("product.updated", {"name": ["Pan de pueblo", "Pan de pueblo 500 g"]}),
        ("product.deleted", {"sku": "PAN-001", "name": "Pan de pueblo 500 g"}),
    ]


def test_an_unchanged_update_keeps_the_version_and_writes_no_event(tenant) -> None:  # type: ignore[no-untyped-def]
    product = _product(tenant)
    same = services.update_product(tenant_id=tenant.id, product_id=product.id, actor="user:1",
                                   data={"version": 1, "unit_price": Decimal("2.3"), "tax_category": "general"})
    assert same.version == 1
    assert [action for action, _ in _events(tenant.id, product.id)] == ["product.created"]


def test_delete_of_a_referenced_product_deactivates_it(tenant) -> None:  # type: ignore[no-untyped-def]
    product = _product(tenant)

    def referenced(mapper, connection, target):  # type: ignore[no-untyped-def]
        raise IntegrityError("DELETE FROM products", {}, Exception("FOREIGN KEY constraint failed"))

    event.listen(Product, "before_delete", referenced)
    try:
        kept = services.delete_product(tenant_id=tenant.id, product_id=product.id, actor="user:1")
    finally:
        event.remove(Product, "before_delete", referenced)
    assert (kept.is_active, kept.version) == (False, 2)
    assert [action for action, _ in _events(tenant.id, product.id)] == ["product.created", "product.deactivated"]
