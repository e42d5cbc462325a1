"""/api/v1/products: access rules, tax categories from the catalog, SKU conflicts, money as strings, paging."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.catalog.services import create_product
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


@pytest.fixture(scope="module")
def bystanders(app):  # type: ignore[no-untyped-def]
    """One tenant per country and its owner's session, shared by the tests that must leave no rows behind."""
    shared = {}
    for country in ("ES", "EC"):
        with app.app_context():
            tenant = make_tenant(country=country)
        shared[country] = (tenant, login_as(app, tenant, "owner"))
    return shared


def _make(app, tenant, **data) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with app.app_context():
        values = {"sku": "CAF-001", "name": "Café molido 250 g", "unit_price": Decimal("3.9500"), **data}
        return create_product(tenant_id=tenant.id, data=values, actor="test").id


def _snapshot(app, tenant):  # type: ignore[no-untyped-def]
    def snapshot() -> list[tuple]:
        with app.app_context(), tenant_context(tenant.id):
            rows = db.session.scalars(select(Product).order_by(Product.id))
            return [(row.id, row.version, row.sku, row.name, row.unit_price, row.tax_category, row.is_active) for row in rows]

    return snapshot


def _no_read_permission(app, tenant):  # type: ignore[no-untyped-def]
    return lambda: login_with_token(app, tenant, ["customers:read"])


def test_list_access_and_isolation(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    product_id = _make(app, tenant_a)
    allowed = check_access(app, method="GET", url="/api/v1/products", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="viewer", denied_session=_no_read_permission(app, tenant_a), expected_status=200,
                           snapshot=_snapshot(app, tenant_a), other_tenant_status=(200,))
    assert [item["id"] for item in allowed.get_json()["items"]] == [str(product_id)]
    foreign = login_as(app, tenant_b, "owner").get("/api/v1/products?q=CAF").get_json()
    assert (foreign["total"], foreign["items"]) == (0, [])


def test_create_access(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    body = {"sku": "SRV-01", "name": "Instalación", "kind": "service", "unit": "hora", "unit_price": "45.5", "cost": "20"}
    created = check_access(app, method="POST", url="/api/v1/products", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="sales", denied_role="accountant", expected_status=201, json=body,
                           snapshot=_snapshot(app, tenant_a), other_tenant_status=(201,))
    payload = created.get_json()
    assert created.headers["Location"] == f"/api/v1/products/{payload['id']}"
    assert {key: payload[key] for key in ("sku", "kind", "unit", "unit_price", "cost", "tax_category", "version")} == {
        "sku": "SRV-01", "kind": "service", "unit": "hora", "unit_price": "45.5000", "cost": "20.0000",
        "tax_category": "general", "version": 1}
    assert [row[:3] for row in _snapshot(app, tenant_a)()] == [(uuid.UUID(payload["id"]), 1, "SRV-01")]


def test_read_access(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    product_id = _make(app, tenant_a, barcode="8412345678905")
    allowed = check_access(app, method="GET", url=f"/api/v1/products/{product_id}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="viewer", denied_session=_no_read_permission(app, tenant_a), expected_status=200,
                           snapshot=_snapshot(app, tenant_a))
    assert (allowed.get_json()["barcode"], allowed.get_json()["unit_price"]) == ("8412345678905", "3.9500")


def test_update_access(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    product_id = _make(app, tenant_a)
    allowed = check_access(app, method="PATCH", url=f"/api/v1/products/{product_id}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="sales", denied_role="accountant", expected_status=200,
                           json={"version": 1, "unit_price": "4.10", "tax_category": "reducido"}, snapshot=_snapshot(app, tenant_a))
    assert {key: allowed.get_json()[key] for key in ("unit_price", "tax_category", "version")} == {
        "unit_price": "4.1000", "tax_category": "reducido", "version": 2}


def test_delete_access(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    product_id = _make(app, tenant_a)
    deleted = check_access(app, method="DELETE", url=f"/api/v1/products/{product_id}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="sales", denied_role="viewer", expected_status=204, snapshot=_snapshot(app, tenant_a))
    assert deleted.get_data() == b""
    assert _snapshot(app, tenant_a)() == []


def test_a_disabled_sales_module_closes_the_endpoints(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    product_id = _make(app, tenant_a)
    owner = login_as(app, tenant_a, "owner")
    with app.app_context():
        set_module(tenant_id=tenant_a.id, module="sales", is_enabled=False, actor="test")
    responses = [owner.get("/api/v1/products"), owner.get(f"/api/v1/products/{product_id}"),
                 owner.post("/api/v1/products", json={"sku": "X", "name": "X", "unit_price": "1"}),
                 owner.patch(f"/api/v1/products/{product_id}", json={"version": 1, "name": "Y"}),
                 owner.delete(f"/api/v1/products/{product_id}")]
    assert [(r.status_code, r.get_json()["type"].rsplit("/", 1)[-1]) for r in responses] == [(403, "module-not-enabled")] * 5
    assert [row[0] for row in _snapshot(app, tenant_a)()] == [product_id]


@pytest.mark.parametrize(("country", "category", "known"), [
    ("ES", "no_objeto", "cero, exento, general, reducido, superreducido"),
    ("EC", "superreducido", "cero, exento, general, no_objeto, reducido"),
    ("ES", "profesional", "cero, exento, general, reducido, superreducido"),
])
def test_the_tax_category_must_be_an_iva_category_of_the_tenant_country(app, bystanders, country, category, known) -> None:  # type: ignore[no-untyped-def]
    tenant, owner = bystanders[country]
    response = owner.post("/api/v1/products", json={"sku": "A", "name": "A", "unit_price": "1", "tax_category": category})
    assert response.status_code == 422
    assert response.get_json()["detail"] == f"La categoría de IVA «{category}» no existe en el catálogo de impuestos."
    assert response.get_json()["errors"] == {"tax_category": [f"Categoría de IVA desconocida. Use una de: {known}."]}
    assert _snapshot(app, tenant)() == []


@pytest.mark.parametrize(("body", "errors"), [
    ({"sku": "A", "name": "A", "unit_price": "1.23456"}, {"unit_price": ["Como máximo 4 decimales."]}),
    ({"sku": "A", "name": "A", "unit_price": 1.5}, {"unit_price": ["Debe ser un número."]}),
    ({"sku": "A", "name": "A", "unit_price": "-1"}, {"unit_price": ["No puede ser negativo."]}),
    ({"sku": "A", "name": "A", "unit_price": "10000000000"}, {"unit_price": ["Importe demasiado grande."]}),
    ({"sku": "A", "name": "A", "unit_price": "1", "cost": "-0.01"}, {"cost": ["No puede ser negativo."]}),
    ({"sku": "A\u0000", "name": "A", "unit_price": "1"}, {"sku": ["Texto con caracteres no válidos."]}),
    ({"sku": "A", "name": "\ud800", "unit_price": "1"}, {"name": ["Texto con caracteres no válidos."]}),
    ({"sku": "A", "name": "A", "unit_price": "1", "kind": "bundle"}, {"kind": ["Valor no admitido. Use uno de: product, service."]}),
    ({"name": "A", "unit_price": "1"}, {"sku": ["Campo obligatorio."]}),
    ({"sku": "A", "name": "A", "unit_price": "1", "id": str(uuid.uuid4())}, {"id": ["Campo desconocido."]}),
    ({"sku": "A", "name": "A", "unit_price": "1", "tenant_id": str(uuid.uuid4())}, {"tenant_id": ["Campo desconocido."]}),
    ({"sku": "A", "name": "A", "unit_price": "1", "created_at": "2020-01-01T00:00:00Z"}, {"created_at": ["Campo desconocido."]}),
])
def test_invalid_products_are_refused_per_field(app, bystanders, body, errors) -> None:  # type: ignore[no-untyped-def]
    tenant, owner = bystanders["ES"]
    response = owner.post("/api/v1/products", json=body)
    assert (response.status_code, response.get_json()["errors"]) == (422, errors)
    assert _snapshot(app, tenant)() == []


def test_duplicate_sku_is_a_409_in_the_tenant_only(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _make(app, tenant_a, sku="CAF-001")
    other_id = _make(app, tenant_a, sku="CAF-002")
    owner = login_as(app, tenant_a, "owner")
    created = owner.post("/api/v1/products", json={"sku": "CAF-001", "name": "Copia", "unit_price": "1"})
    changed = owner.patch(f"/api/v1/products/{other_id}", json={"version": 1, "sku": "CAF-001"})
    for response in (created, changed):
        assert (response.status_code, response.get_json()["errors"]) == (409, {"sku": ["Ya existe un producto con este SKU."]})
    elsewhere = login_as(app, tenant_b, "owner").post("/api/v1/products", json={"sku": "CAF-001", "name": "Café", "unit_price": "2"})
    assert elsewhere.status_code == 201
    assert sorted(row[2] for row in _snapshot(app, tenant_a)()) == ["CAF-001", "CAF-002"]


def test_a_stale_version_is_a_409(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    product_id = _make(app, tenant_a)
    owner = login_as(app, tenant_a, "owner")
    assert owner.patch(f"/api/v1/products/{product_id}", json={"version": 1, "name": "Café 500 g"}).status_code == 200
    late = owner.patch(f"/api/v1/products/{product_id}", json={"version": 1, "name": "Café 1 kg"})
    assert (late.status_code, late.get_json()["errors"]) == (409, {"version": ["Vuelva a cargar el producto y repita el cambio."]})
    assert [(row[1], row[3]) for row in _snapshot(app, tenant_a)()] == [(2, "Café 500 g")]


@pytest.mark.parametrize(("query", "field"), [("page=0", "page"), ("page_size=201", "page_size"), ("sort=bogus", "sort"),
                                              ("kind=bundle", "kind"), ("category=caf%00", "category"), ("q=%00", "q")])
def test_bad_list_parameters_are_422(bystanders, query, field) -> None:  # type: ignore[no-untyped-def]
    response = bystanders["ES"][1].get(f"/api/v1/products?{query}")
    assert (response.status_code, list(response.get_json()["errors"])) == (422, [field])


def test_malformed_and_unknown_ids_are_404(bystanders) -> None:  # type: ignore[no-untyped-def]
    owner = bystanders["EC"][1]
    assert owner.get("/api/v1/products/not-a-uuid").status_code == 404
    assert owner.delete("/api/v1/products/1").status_code == 404
    assert owner.get(f"/api/v1/products/{uuid.uuid4()}").get_json()["detail"] == "No existe ese producto."


def test_search_filters_and_sort(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    _make(app, tenant_a, sku="CAF-001", name="Café molido", unit_price=Decimal("3.95"), barcode="8412345678905", category="Alimentación")
    _make(app, tenant_a, sku="TE-001", name="Té verde", unit_price=Decimal("2.10"), category="Alimentación", is_active=False)
    _make(app, tenant_a, sku="SRV-01", name="Cata de café", kind="service", unit_price=Decimal("25"))
    viewer = login_as(app, tenant_a, "viewer")

    def skus(query: str) -> list[str]:
        return [item["sku"] for item in viewer.get(f"/api/v1/products?{query}").get_json()["items"]]

    assert skus("q=café") == ["CAF-001", "SRV-01"]
    assert skus("q=84123") == ["CAF-001"]
    assert skus("q=te-0") == ["TE-001"]
    assert skus("category=Alimentación&sort=sku") == ["CAF-001", "TE-001"]
    assert skus("is_active=true&sort=-unit_price") == ["SRV-01", "CAF-001"]
    assert skus("kind=service") == ["SRV-01"]
    assert skus("sort=unit_price") == ["TE-001", "CAF-001", "SRV-01"]
