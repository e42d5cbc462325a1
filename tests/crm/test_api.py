"""/api/v1/customers and /api/v1/suppliers: access rules, validation, conflicts, idempotency, paging."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gestiq_app.crm import services
from gestiq_app.crm.models import Customer, Supplier
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.services import set_module
from tests.api_helpers import login_as, login_with_token
from tests.factories import make_tenant
from tests.permissions import check_access

#: resource -> (model, role allowed to write, role denied writing)
RESOURCES = {"customers": (Customer, "sales", "viewer"), "suppliers": (Supplier, "accountant", "sales")}
CREATE = {"customers": services.create_customer, "suppliers": services.create_supplier}


@pytest.fixture()
def tenant_a(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant created outside any app context (requests must not share the test's context)."""
    with app.app_context():
        return make_tenant(country="ES")


@pytest.fixture(scope="module")
def bystander(app):  # type: ignore[no-untyped-def]
    """A tenant and its owner's session shared by the tests that must leave no rows behind (faster than one each)."""
    with app.app_context():
        tenant = make_tenant(country="ES")
    return tenant, login_as(app, tenant, "owner")


def _make(app, tenant, resource: str, **data) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with app.app_context():
        values = {"legal_name": "Distribuciones Norte S.L.", "tax_id": "B65410011", "country": "ES", **data}
        return CREATE[resource](tenant_id=tenant.id, data=values, actor="test").id


def _snapshot(app, tenant, resource: str):  # type: ignore[no-untyped-def]
    model = RESOURCES[resource][0]

    def snapshot() -> list[tuple]:
        with app.app_context(), tenant_context(tenant.id):
            rows = db.session.scalars(select(model).order_by(model.id))
            return [(row.id, row.version, row.legal_name, row.tax_id, row.notes, row.is_active) for row in rows]

    return snapshot


def _no_read_permission(app, tenant):  # type: ignore[no-untyped-def]
    return lambda: login_with_token(app, tenant, ["dashboard:read"])


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_access_and_isolation(app, tenant_pair, resource) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    party_id = _make(app, tenant_a, resource)
    allowed = check_access(app, method="GET", url=f"/api/v1/{resource}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="viewer", denied_session=_no_read_permission(app, tenant_a), expected_status=200,
                           snapshot=_snapshot(app, tenant_a, resource), other_tenant_status=(200,))
    assert [item["id"] for item in allowed.get_json()["items"]] == [str(party_id)]
    foreign = login_as(app, tenant_b, "owner").get(f"/api/v1/{resource}?q=B65410011").get_json()
    assert (foreign["total"], foreign["items"]) == (0, [])


@pytest.mark.parametrize("resource", RESOURCES)
def test_create_access(app, tenant_pair, resource) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _, allowed_role, denied_role = RESOURCES[resource]
    body = {"legal_name": "Ferretería Sur S.L.", "tax_id": "B65410011", "country": "ES", "tags": ["nuevo"]}
    created = check_access(app, method="POST", url=f"/api/v1/{resource}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role=allowed_role, denied_role=denied_role, expected_status=201, json=body,
                           snapshot=_snapshot(app, tenant_a, resource), other_tenant_status=(201,))
    payload = created.get_json()
    assert created.headers["Location"] == f"/api/v1/{resource}/{payload['id']}"
    assert {key: payload[key] for key in ("legal_name", "tax_id_type", "tax_id", "country", "tags", "version", "is_active")} == {
        "legal_name": "Ferretería Sur S.L.", "tax_id_type": "cif", "tax_id": "B65410011", "country": "ES", "tags": ["nuevo"],
        "version": 1, "is_active": True}
    assert [row[0] for row in _snapshot(app, tenant_a, resource)()] == [uuid.UUID(payload["id"])]


@pytest.mark.parametrize("resource", RESOURCES)
def test_read_access(app, tenant_pair, resource) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    party_id = _make(app, tenant_a, resource, email="compras@norte.es")
    allowed = check_access(app, method="GET", url=f"/api/v1/{resource}/{party_id}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role="viewer", denied_session=_no_read_permission(app, tenant_a), expected_status=200,
                           snapshot=_snapshot(app, tenant_a, resource))
    assert (allowed.get_json()["id"], allowed.get_json()["email"]) == (str(party_id), "compras@norte.es")


@pytest.mark.parametrize("resource", RESOURCES)
def test_update_access(app, tenant_pair, resource) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _, allowed_role, denied_role = RESOURCES[resource]
    party_id = _make(app, tenant_a, resource)
    allowed = check_access(app, method="PATCH", url=f"/api/v1/{resource}/{party_id}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role=allowed_role, denied_role=denied_role, expected_status=200,
                           json={"version": 1, "notes": "Llamar por la mañana"}, snapshot=_snapshot(app, tenant_a, resource))
    assert (allowed.get_json()["notes"], allowed.get_json()["version"]) == ("Llamar por la mañana", 2)


@pytest.mark.parametrize("resource", RESOURCES)
def test_delete_access(app, tenant_pair, resource) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _, allowed_role, denied_role = RESOURCES[resource]
    party_id = _make(app, tenant_a, resource)
    deleted = check_access(app, method="DELETE", url=f"/api/v1/{resource}/{party_id}", owner_tenant=tenant_a, other_tenant=tenant_b,
                           allowed_role=allowed_role, denied_role=denied_role, expected_status=204,
                           snapshot=_snapshot(app, tenant_a, resource))
    assert deleted.get_data() == b""
    assert _snapshot(app, tenant_a, resource)() == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_disabled_crm_module_closes_the_endpoints(app, tenant_pair, resource) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    party_id = _make(app, tenant_a, resource)
    owner = login_as(app, tenant_a, "owner")
    with app.app_context():
        set_module(tenant_id=tenant_a.id, module="crm", is_enabled=False, actor="test")
    responses = [owner.get(f"/api/v1/{resource}"), owner.get(f"/api/v1/{resource}/{party_id}"),
                 owner.post(f"/api/v1/{resource}", json={"legal_name": "X", "tax_id": "12345678Z"}),
                 owner.patch(f"/api/v1/{resource}/{party_id}", json={"version": 1, "notes": "x"}),
                 owner.delete(f"/api/v1/{resource}/{party_id}")]
    assert [(r.status_code, r.get_json()["type"].rsplit("/", 1)[-1]) for r in responses] == [(403, "module-not-enabled")] * 5
    assert responses[0].get_json()["detail"] == "El módulo «crm» no está activado para esta empresa."
    assert [row[0] for row in _snapshot(app, tenant_a, resource)()] == [party_id]


@pytest.mark.parametrize(("body", "errors"), [
    ({"legal_name": "X", "tax_id": "12345678A"}, {"tax_id": ["La letra de control del NIF no es correcta"]}),
    ({"legal_name": "X", "tax_id": "B65410012"}, {"tax_id": ["El carácter de control del CIF no es correcto"]}),
    ({"legal_name": "X", "tax_id": "1710034066001", "country": "EC"}, {"tax_id": ["El dígito verificador del RUC no es correcto"]}),
    ({"legal_name": "X", "tax_id": "1710034064", "country": "EC"}, {"tax_id": ["El dígito verificador de la cédula no es correcto"]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "is_rimpe": True},
     {"is_rimpe": ["Solo se aplica a clientes de Ecuador; este cliente es de España."]}),
    ({"legal_name": " ", "tax_id": "12345678Z"}, {"legal_name": ["Entre 1 y 200 caracteres."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "payment_terms_days": 366}, {"payment_terms_days": ["Debe ser mayor o igual que 0 y menor o igual que 365."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "email": "no-es-correo"}, {"email": ["Correo electrónico no válido."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "email": f"{'a' * 60}@{'b' * 60}.{'c' * 60}.{'d' * 60}.{'e' * 10}.es"},
     {"email": ["Máximo 254 caracteres."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "phone": "+" + "9" * 40}, {"phone": ["Teléfono no válido: use dígitos, espacios, +, -, ( y )."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "contacts": [{"email": "a@b.es"}]}, {"contacts.0.name": ["Campo obligatorio."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "address": {"street": "Mayor 1", "zip": "28001"}}, {"address.zip": ["Campo desconocido."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "notes": "nota\u0000"}, {"notes": ["Texto con caracteres no válidos."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "country": "FR"}, {"country": ["País no admitido: use ES o EC."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "id": str(uuid.uuid4())}, {"id": ["Campo desconocido."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "tenant_id": str(uuid.uuid4())}, {"tenant_id": ["Campo desconocido."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "created_at": "2020-01-01T00:00:00Z"}, {"created_at": ["Campo desconocido."]}),
    ({"legal_name": "X", "tax_id": "12345678Z", "version": 7}, {"version": ["Campo desconocido."]}),
])
def test_invalid_customers_are_refused_per_field(app, bystander, body, errors) -> None:  # type: ignore[no-untyped-def]
    tenant, owner = bystander
    response = owner.post("/api/v1/customers", json=body)
    assert (response.status_code, response.content_type, response.get_json()["errors"]) == (422, "application/problem+json", errors)
    assert _snapshot(app, tenant, "customers")() == []


def test_duplicate_tax_id_is_a_409_on_create_and_on_update(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    _make(app, tenant_a, "customers", tax_id="B65410011")
    other_id = _make(app, tenant_a, "customers", tax_id="12345678Z", legal_name="Otro")
    owner = login_as(app, tenant_a, "owner")
    created = owner.post("/api/v1/customers", json={"legal_name": "Copia", "tax_id": "b-65410011"})
    changed = owner.patch(f"/api/v1/customers/{other_id}", json={"version": 1, "tax_id": "B65410011"})
    for response in (created, changed):
        assert (response.status_code, response.get_json()["errors"]) == (409, {"tax_id": ["Ya existe un cliente con este identificador fiscal."]})
    assert sorted(row[3] for row in _snapshot(app, tenant_a, "customers")()) == ["12345678Z", "B65410011"]


def test_a_stale_version_is_a_409_and_changes_nothing(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    party_id = _make(app, tenant_a, "suppliers")
    owner = login_as(app, tenant_a, "owner")
    assert owner.patch(f"/api/v1/suppliers/{party_id}", json={"version": 1, "notes": "primero"}).status_code == 200
    late = owner.patch(f"/api/v1/suppliers/{party_id}", json={"version": 1, "notes": "segundo"})
    assert (late.status_code, late.get_json()["detail"]) == (409, "El proveedor ha cambiado desde que lo leyó.")
    missing = owner.patch(f"/api/v1/suppliers/{party_id}", json={"notes": "sin versión"})
    assert (missing.status_code, missing.get_json()["errors"]) == (422, {"version": ["Campo obligatorio."]})
    assert [(row[1], row[4]) for row in _snapshot(app, tenant_a, "suppliers")()] == [(2, "primero")]


def test_the_same_idempotency_key_creates_one_customer(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    owner = login_as(app, tenant_a, "owner")
    body = {"legal_name": "Cliente Idempotente", "tax_id": "12345678Z"}
    headers = {"Idempotency-Key": "alta-cliente-0001"}
    first = owner.post("/api/v1/customers", json=body, headers=headers)
    second = owner.post("/api/v1/customers", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_data() == second.get_data()
    assert (second.headers["Idempotent-Replayed"], second.headers["Location"]) == ("true", first.headers["Location"])
    reused = owner.post("/api/v1/customers", json={**body, "legal_name": "Otro nombre"}, headers=headers)
    assert (reused.status_code, reused.get_json()["type"].rsplit("/", 1)[-1]) == (422, "idempotency-key-reused")
    assert len(_snapshot(app, tenant_a, "customers")()) == 1


@pytest.mark.parametrize(("query", "field"), [("page=0", "page"), ("page_size=201", "page_size"), ("page_size=x", "page_size"),
                                              ("sort=bogus", "sort"), ("is_active=quizas", "is_active")])
def test_bad_list_parameters_are_422(bystander, query, field) -> None:  # type: ignore[no-untyped-def]
    response = bystander[1].get(f"/api/v1/suppliers?{query}")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_malformed_and_unknown_ids_are_404(bystander) -> None:  # type: ignore[no-untyped-def]
    owner = bystander[1]
    assert owner.get("/api/v1/customers/not-a-uuid").status_code == 404
    assert owner.patch("/api/v1/customers/123", json={"version": 1}).status_code == 404
    assert owner.get(f"/api/v1/customers/{uuid.uuid4()}").get_json()["detail"] == "No existe ese cliente."
    assert owner.delete(f"/api/v1/suppliers/{uuid.uuid4()}").status_code == 404


def test_list_pages_sorts_and_filters(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    _make(app, tenant_a, "customers", legal_name="Cerámicas Ávila", tax_id="12345678Z", tags=["vip"])
    _make(app, tenant_a, "customers", legal_name="Bodegas Rioja", tax_id="B65410011")
    _make(app, tenant_a, "customers", legal_name="Aceites Jaén", tax_id="A58818501", tags=["vip"], is_active=False)
    viewer = login_as(app, tenant_a, "viewer")
    first = viewer.get("/api/v1/customers?page_size=2&sort=legal_name")
    second = viewer.get("/api/v1/customers?page_size=2&page=2&sort=legal_name")
    assert [item["legal_name"] for item in first.get_json()["items"]] == ["Aceites Jaén", "Bodegas Rioja"]
    assert [item["legal_name"] for item in second.get_json()["items"]] == ["Cerámicas Ávila"]
    assert {key: first.get_json()[key] for key in ("total", "page", "page_size", "pages")} == {"total": 3, "page": 1, "page_size": 2, "pages": 2}
    by_tax_id = viewer.get("/api/v1/customers?sort=-tax_id").get_json()["items"]
    assert [item["tax_id"] for item in by_tax_id] == ["B65410011", "A58818501", "12345678Z"]
    vip_active = viewer.get("/api/v1/customers?tag=vip&is_active=true").get_json()["items"]
    assert [item["legal_name"] for item in vip_active] == ["Cerámicas Ávila"]
