"""/api/v1/price-lists: access rules, prices per product, deletes that keep what customers use, price lookup."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from gestiq_app.catalog import price_list_services as services
from gestiq_app.catalog.models import PriceList, PriceListItem
from gestiq_app.catalog.services import create_product, delete_product
from gestiq_app.crm.services import create_customer
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.services import set_module
from tests.api_helpers import login_as, login_with_token
from tests.factories import make_tenant
from tests.permissions import check_access


@pytest.fixture()
def tenant_a(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant created outside any app context (requests must not share the test's context)."""
    with app.app_context():
        return make_tenant(country="ES")


def _price_list(app, tenant, code: str = "MAYOR", **data) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with app.app_context():
        return services.create_price_list(tenant_id=tenant.id, data={"code": code, "name": "Mayoristas", **data}, actor="test").id


def _product(app, tenant, sku: str = "CAF-001", price: str = "3.95") -> uuid.UUID:  # type: ignore[no-untyped-def]
    with app.app_context():
        return create_product(tenant_id=tenant.id, data={"sku": sku, "name": f"Producto {sku}", "unit_price": Decimal(price)}, actor="test").id


def _set_price(app, tenant, price_list_id, product_id, price: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        services.set_price_list_item(tenant_id=tenant.id, price_list_id=price_list_id, product_id=product_id,
                                     unit_price=Decimal(price), actor="test")


def _snapshot(app, tenant):  # type: ignore[no-untyped-def]
    def snapshot() -> tuple[list, list]:
        with app.app_context(), tenant_context(tenant.id):
            lists = [(row.id, row.version, row.code, row.name, row.is_active) for row in db.session.scalars(select(PriceList).order_by(PriceList.id))]
            items = [(row.price_list_id, row.product_id, row.unit_price)
                     for row in db.session.scalars(select(PriceListItem).order_by(PriceListItem.id))]
            return lists, items

    return snapshot


def _no_read_permission(app, tenant):  # type: ignore[no-untyped-def]
    return lambda: login_with_token(app, tenant, ["customers:read"])


def test_list_access_and_isolation(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    price_list_id = _price_list(app, tenant_a)
    allowed = check_access(app, method="GET", url="/api/v1/price-lists", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="viewer", denied_session=_no_read_permission(app, tenant_a), expected_status=200,
                           snapshot=_snapshot(app, tenant_a), other_tenant_status=(200,))
    assert [item["id"] for item in allowed.get_json()["items"]] == [str(price_list_id)]
    assert login_as(app, tenant_b, "owner").get("/api/v1/price-lists?q=MAYOR").get_json()["items"] == []


def test_create_access(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    created = check_access(app, method="POST", url="/api/v1/price-lists", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="sales", denied_role="accountant", expected_status=201, json={"code": "HORECA", "name": "Hostelería"},
                           snapshot=_snapshot(app, tenant_a), other_tenant_status=(201,))
    body = created.get_json()
    assert (body["code"], body["name"], body["is_active"], body["version"]) == ("HORECA", "Hostelería", True, 1)
    assert created.headers["Location"] == f"/api/v1/price-lists/{body['id']}"


@pytest.mark.parametrize(("method", "suffix", "json", "allowed_role", "denied", "status"), [
    ("GET", "", None, "viewer", None, 200),
    ("PATCH", "", {"version": 1, "name": "Mayoristas 2027"}, "sales", "accountant", 200),
    ("DELETE", "", None, "sales", "viewer", 204),
    ("GET", "/items", None, "viewer", None, 200),
    ("PUT", "/items/{product}", {"unit_price": "3.50"}, "sales", "accountant", 200),
    ("DELETE", "/items/{product}", None, "owner", "viewer", 204),
])
def test_item_routes_access(app, tenant_pair, method, suffix, json, allowed_role, denied, status) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    price_list_id, product_id = _price_list(app, tenant_a), _product(app, tenant_a)
    _set_price(app, tenant_a, price_list_id, product_id, "3.60")
    url = f"/api/v1/price-lists/{price_list_id}" + suffix.format(product=product_id)
    check_access(app, method=method, url=url, owner_tenant=tenant_a, other_tenant=tenant_b, allowed_role=allowed_role,
                 denied_role=denied, denied_session=None if denied else _no_read_permission(app, tenant_a),
                 expected_status=status, json=json, snapshot=_snapshot(app, tenant_a))


def test_a_disabled_sales_module_closes_the_price_lists(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    price_list_id = _price_list(app, tenant_a)
    owner = login_as(app, tenant_a, "owner")
    with app.app_context():
        set_module(tenant_id=tenant_a.id, module="sales", is_enabled=False, actor="test")
    responses = [owner.get("/api/v1/price-lists"), owner.post("/api/v1/price-lists", json={"code": "X", "name": "X"}),
                 owner.get(f"/api/v1/price-lists/{price_list_id}/items")]
    assert [(r.status_code, r.get_json()["type"].rsplit("/", 1)[-1]) for r in responses] == [(403, "module-not-enabled")] * 3


def test_prices_are_upserted_listed_with_the_catalog_price_and_removed(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    price_list_id = _price_list(app, tenant_a)
    coffee, tea = _product(app, tenant_a, "CAF-001", "3.95"), _product(app, tenant_a, "TE-001", "2.10")
    owner = login_as(app, tenant_a, "owner")
    assert owner.put(f"/api/v1/price-lists/{price_list_id}/items/{coffee}", json={"unit_price": "3.60"}).status_code == 200
    replaced = owner.put(f"/api/v1/price-lists/{price_list_id}/items/{coffee}", json={"unit_price": "3.55"})
    assert {k: replaced.get_json()[k] for k in ("sku", "unit_price", "catalog_unit_price")} == {
        "sku": "CAF-001", "unit_price": "3.5500", "catalog_unit_price": "3.9500"}
    owner.put(f"/api/v1/price-lists/{price_list_id}/items/{tea}", json={"unit_price": "1.90"})
    listed = owner.get(f"/api/v1/price-lists/{price_list_id}/items?sort=-unit_price").get_json()
    assert [(item["sku"], item["unit_price"]) for item in listed["items"]] == [("CAF-001", "3.5500"), ("TE-001", "1.9000")]
    assert owner.delete(f"/api/v1/price-lists/{price_list_id}/items/{tea}").status_code == 204
    gone = owner.delete(f"/api/v1/price-lists/{price_list_id}/items/{tea}")
    assert (gone.status_code, gone.get_json()["detail"]) == (404, "Ese producto no está en la tarifa.")
    assert _snapshot(app, tenant_a)()[1] == [(price_list_id, coffee, Decimal("3.5500"))]


def test_prices_refuse_foreign_products_bad_amounts_and_unknown_lists(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    price_list_id, foreign_product = _price_list(app, tenant_a), _product(app, tenant_b)
    owner = login_as(app, tenant_a, "owner")
    foreign = owner.put(f"/api/v1/price-lists/{price_list_id}/items/{foreign_product}", json={"unit_price": "1"})
    assert (foreign.status_code, foreign.get_json()["detail"]) == (404, "No existe ese producto.")
    negative = owner.put(f"/api/v1/price-lists/{price_list_id}/items/{foreign_product}", json={"unit_price": "-1"})
    assert (negative.status_code, negative.get_json()["errors"]) == (422, {"unit_price": ["No puede ser negativo."]})
    unknown = owner.get(f"/api/v1/price-lists/{uuid.uuid4()}/items")
    assert (unknown.status_code, unknown.get_json()["detail"]) == (404, "No existe esa tarifa.")
    assert owner.get("/api/v1/price-lists/xyz").status_code == 404
    assert _snapshot(app, tenant_a)()[1] == []


def test_a_code_is_a_short_identifier(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    response = login_as(app, tenant_a, "owner").post("/api/v1/price-lists", json={"code": "Precio mayor", "name": "Mayoristas"})
    assert (response.status_code, response.get_json()["errors"]) == (
        422, {"code": ["Use letras, números, punto, guion o guion bajo, sin espacios (máximo 40)."]})
    assert _snapshot(app, tenant_a)() == ([], [])


def test_duplicate_code_and_stale_version_are_409(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    price_list_id = _price_list(app, tenant_a, "MAYOR")
    _price_list(app, tenant_a, "HORECA")
    owner = login_as(app, tenant_a, "owner")
    duplicate = owner.patch(f"/api/v1/price-lists/{price_list_id}", json={"version": 1, "code": "HORECA"})
    assert (duplicate.status_code, duplicate.get_json()["errors"]) == (409, {"code": ["Ya existe una tarifa con este código."]})
    assert owner.patch(f"/api/v1/price-lists/{price_list_id}", json={"version": 1, "name": "Grandes cuentas"}).status_code == 200
    stale = owner.patch(f"/api/v1/price-lists/{price_list_id}", json={"version": 1, "name": "Otra"})
    assert (stale.status_code, stale.get_json()["detail"]) == (409, "La tarifa ha cambiado desde que la leyó.")


def test_a_list_customers_use_is_deactivated_and_a_free_one_deleted_with_its_prices(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    used, free, product_id = _price_list(app, tenant_a, "MAYOR"), _price_list(app, tenant_a, "LIBRE"), _product(app, tenant_a)
    _set_price(app, tenant_a, free, product_id, "3.00")
    with app.app_context():
        create_customer(tenant_id=tenant_a.id, data={"legal_name": "Cliente", "tax_id": "12345678Z", "price_list_id": used}, actor="test")
    owner = login_as(app, tenant_a, "owner")
    kept = owner.delete(f"/api/v1/price-lists/{used}")
    assert (kept.status_code, kept.get_json()["is_active"]) == (200, False)
    assert owner.delete(f"/api/v1/price-lists/{free}").status_code == 204
    lists, items = _snapshot(app, tenant_a)()
    assert ([(row[2], row[4]) for row in lists], items) == ([("MAYOR", False)], [])


def test_the_unit_price_comes_from_the_customer_list_while_it_is_active(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    price_list_id = _price_list(app, tenant_a)
    coffee, tea = _product(app, tenant_a, "CAF-001", "3.95"), _product(app, tenant_a, "TE-001", "2.10")
    _set_price(app, tenant_a, price_list_id, coffee, "3.50")
    with app.app_context():
        customer = create_customer(tenant_id=tenant_a.id, data={"legal_name": "Bar", "tax_id": "12345678Z", "price_list_id": price_list_id},
                                   actor="test")
        prices = [services.get_unit_price(tenant_id=tenant_a.id, product_id=product, customer_id=customer.id) for product in (coffee, tea)]
        assert prices == [Decimal("3.5000"), Decimal("2.1000")]
        assert services.get_unit_price(tenant_id=tenant_a.id, product_id=coffee) == Decimal("3.9500")
        services.update_price_list(tenant_id=tenant_a.id, price_list_id=price_list_id, data={"version": 1, "is_active": False}, actor="test")
        assert services.get_unit_price(tenant_id=tenant_a.id, product_id=coffee, customer_id=customer.id) == Decimal("3.9500")


def test_deleting_a_product_removes_its_special_prices(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    price_list_id, product_id = _price_list(app, tenant_a), _product(app, tenant_a)
    _set_price(app, tenant_a, price_list_id, product_id, "3.00")
    with app.app_context():
        assert delete_product(tenant_id=tenant_a.id, product_id=product_id, actor="test") is None
    assert _snapshot(app, tenant_a)()[1] == []


@pytest.mark.parametrize(("price_list", "message"), [("unknown", "No existe esa tarifa."), ("inactive", "La tarifa está desactivada.")])
def test_a_customer_needs_an_active_price_list_of_its_tenant(app, tenant_pair, price_list, message) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    target = _price_list(app, tenant_b) if price_list == "unknown" else _price_list(app, tenant_a, is_active=False)
    response = login_as(app, tenant_a, "owner").post("/api/v1/customers", json={"legal_name": "X", "tax_id": "12345678Z", "price_list_id": str(target)})
    assert (response.status_code, response.get_json()["errors"]) == (422, {"price_list_id": [message]})
