"""/api/v1 quotes, invoices and series: the four-way access check on every endpoint, and the HTTP contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from gestiq_app.identity.permissions import ROLE_PERMISSIONS
from gestiq_app.sales import services
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests import permissions
from tests.factories import make_tenant
from tests.permissions import check_access
from tests.sales.helpers import ACTOR, add_customer, create_invoice, issued_invoice, line, sales_snapshot
from tests.webhooks.conftest import deliveries_to_loopback, receiver  # noqa: F401 - fixtures

SESSIONS: dict[int, dict[tuple[Any, str], Any]] = {}
LINES = [{"description": "Consultoría", "quantity": "2", "unit_price": "50.00", "tax_category": "general"}]


@dataclass
class World:
    """One Spanish tenant with a customer, a draft and an issued invoice, a quote and a series; plus a stranger tenant."""

    owner: Any
    stranger: Any
    customer_id: str
    draft_id: str
    issued_id: str
    issued_line_id: str
    quote_id: str
    series_id: str


def _build_world(app, owner, stranger, issue_date: date | None = date(2026, 1, 5)) -> World:  # type: ignore[no-untyped-def]
    with app.app_context():
        customer = add_customer(owner)
        draft = create_invoice(owner, customer, [line("1", "10")])
        issued = issued_invoice(owner, customer, [line("3", "10")], issue_date=issue_date)
        with tenant_context(owner.id):
            quote = services.create_document(tenant_id=owner.id, kind="quote", data={"customer_id": customer.id, "lines": [line("1", "5")]},
                                             actor=ACTOR)
        return World(owner, stranger, str(customer.id), str(draft.id), str(issued.id), str(issued.lines[0].id), str(quote.id),
                     str(issued.series_id))


@pytest.fixture()
def world(app, tenant_pair) -> World:  # type: ignore[no-untyped-def]
    """A fresh pair of tenants with documents (numbers start at 1)."""
    return _build_world(app, *tenant_pair)


@pytest.fixture(scope="module")
def shared_pair(app):  # type: ignore[no-untyped-def]
    """Two tenants shared by the access checks: their users log in once per module (logins dominate the run time)."""
    with app.app_context():
        return make_tenant(country="ES"), make_tenant(country="EC")


@pytest.fixture()
def shared_world(app, shared_pair, monkeypatch) -> World:  # type: ignore[no-untyped-def]
    """Fresh documents in the shared tenants, and check_access logging in through a per-module session cache."""
    sessions: dict[tuple[Any, str], Any] = SESSIONS.setdefault(id(shared_pair), {})

    def cached_login(app_, tenant, role):  # type: ignore[no-untyped-def]
        if (tenant.id, role) not in sessions:
            sessions[(tenant.id, role)] = login_as(app_, tenant, role)
        return sessions[(tenant.id, role)]

    monkeypatch.setattr(permissions, "login_as", cached_login)
    return _build_world(app, *shared_pair, issue_date=None)  # today: other tests issue today in the same series


def _snapshot(app, world: World):  # type: ignore[no-untyped-def]
    def snapshot() -> Any:
        with app.app_context():
            return sales_snapshot(world.owner.id)
    return snapshot


#: (method, url, body, allowed role, denied role, expected status, stranger statuses). Collection routes answer a
#: stranger for its own tenant: it sees an empty list, creates in its own tenant, or is told the customer does not exist.
ENDPOINTS = [
    ("GET", "/api/v1/invoices", None, "accountant", "viewer-without-read", 200, (200,)),
    ("POST", "/api/v1/invoices", {"customer_id": "{customer_id}", "lines": LINES}, "sales", "viewer", 201, (422,)),
    ("POST", "/api/v1/invoices/preview", {"customer_id": "{customer_id}", "lines": LINES}, "sales", "viewer", 200, (422,)),
    ("GET", "/api/v1/invoices/{draft_id}", None, "accountant", "viewer-without-read", 200, (404,)),
    ("PATCH", "/api/v1/invoices/{draft_id}", {"notes": "Cambiada", "lines": LINES}, "sales", "accountant", 200, (404,)),
    ("DELETE", "/api/v1/invoices/{draft_id}", None, "sales", "accountant", 204, (404,)),
    ("POST", "/api/v1/invoices/{draft_id}/issue", None, "sales", "accountant", 200, (404,)),
    ("GET", "/api/v1/invoices/{issued_id}/credit-notes", None, "accountant", "viewer-without-read", 200, (404,)),
    ("POST", "/api/v1/invoices/{issued_id}/credit-notes", {"reason": "Devolución", "rectification_type": "R1"}, "sales", "viewer", 201, (404,)),
    ("GET", "/api/v1/quotes", None, "accountant", "viewer-without-read", 200, (200,)),
    ("POST", "/api/v1/quotes", {"customer_id": "{customer_id}", "lines": LINES}, "sales", "viewer", 201, (422,)),
    ("GET", "/api/v1/quotes/{quote_id}", None, "accountant", "viewer-without-read", 200, (404,)),
    ("PATCH", "/api/v1/quotes/{quote_id}", {"notes": "Revisado"}, "sales", "accountant", 200, (404,)),
    ("DELETE", "/api/v1/quotes/{quote_id}", None, "sales", "accountant", 204, (404,)),
    ("POST", "/api/v1/quotes/{quote_id}/convert", None, "sales", "accountant", 201, (404,)),
    ("GET", "/api/v1/series", None, "accountant", "viewer-without-read", 200, (200,)),
    ("POST", "/api/v1/series", {"kind": "invoice", "prefix": "W", "name": "Web"}, "owner", "viewer", 201, (201,)),
    ("GET", "/api/v1/series/{series_id}", None, "accountant", "viewer-without-read", 200, (404,)),
    ("PATCH", "/api/v1/series/{series_id}", {"name": "Facturas 2026"}, "owner", "accountant", 200, (404,)),
]


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str):
        return value.format(**vars(world))
    if isinstance(value, dict):
        return {key: _fill(inner, world) for key, inner in value.items()}
    if isinstance(value, list):
        return [_fill(inner, world) for inner in value]
    return value


@pytest.mark.parametrize(("method", "url", "body", "allowed", "denied", "expected", "stranger_statuses"), ENDPOINTS,
                         ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_every_endpoint_passes_the_four_way_access_check(app, shared_world, monkeypatch, method, url, body, allowed, denied, expected,
                                                         stranger_statuses) -> None:  # type: ignore[no-untyped-def]
    world = shared_world
    if denied == "viewer-without-read":
        # Every built-in role may read sales; a viewer stripped of the read permissions stands in for "no permission".
        monkeypatch.setitem(ROLE_PERMISSIONS, "viewer", ROLE_PERMISSIONS["viewer"] - {"invoices:read", "quotes:read"})
        denied = "viewer"
    check_access(app, method=method, url=_fill(url, world), json=_fill(body, world), owner_tenant=world.owner,
                 other_tenant=world.stranger, allowed_role=allowed, denied_role=denied, expected_status=expected,
                 snapshot=_snapshot(app, world), other_tenant_status=stranger_statuses)


def test_stranger_lists_never_show_the_owners_documents(app, world) -> None:  # type: ignore[no-untyped-def]
    stranger = login_as(app, world.stranger, "owner")
    for url in ("/api/v1/invoices", "/api/v1/quotes", f"/api/v1/invoices?customer_id={world.customer_id}", "/api/v1/series"):
        ids = {item["id"] for item in stranger.get(url).get_json()["items"]}
        assert not ids & {world.draft_id, world.issued_id, world.quote_id, world.series_id}, url


def test_issued_invoice_patch_and_delete_are_409_and_change_nothing(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    snapshot = _snapshot(app, world)
    before = snapshot()
    for response in (session.patch(f"/api/v1/invoices/{world.issued_id}", json={"notes": "x"}),
                     session.patch(f"/api/v1/invoices/{world.issued_id}", json={"lines": LINES}),
                     session.delete(f"/api/v1/invoices/{world.issued_id}"),
                     session.post(f"/api/v1/invoices/{world.issued_id}/issue")):
        assert response.status_code == 409, response.get_json()
        assert response.mimetype == "application/problem+json"
    assert snapshot() == before


def test_issue_returns_the_numbered_invoice(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "sales")
    body = session.post(f"/api/v1/invoices/{world.draft_id}/issue", json={"issue_date": "2026-01-05"}).get_json()
    assert (body["status"], body["full_number"], body["issue_date"], body["total"]) == ("overdue", "F2026-00002", "2026-01-05", "12.10")
    assert session.post(f"/api/v1/invoices/{world.draft_id}/issue", json={"issue_date": "2026-01-04"}).status_code == 409


def test_a_retried_issue_with_its_idempotency_key_replays_the_answer(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "sales")
    url, key = f"/api/v1/invoices/{world.draft_id}/issue", {"Idempotency-Key": "issue-retry-0001"}
    body = {"issue_date": "2026-01-05"}
    first, retry = session.post(url, json=body, headers=key), session.post(url, json=body, headers=key)
    assert (first.status_code, retry.status_code, retry.headers["Idempotent-Replayed"]) == (200, 200, "true")
    assert retry.get_json()["full_number"] == first.get_json()["full_number"] == "F2026-00002"
    assert session.post(url).status_code == 409


def test_preview_returns_totals_and_saves_nothing(app, world) -> None:  # type: ignore[no-untyped-def]
    snapshot = _snapshot(app, world)
    before = snapshot()
    response = login_as(app, world.owner, "sales").post("/api/v1/invoices/preview", json={
        "customer_id": world.customer_id, "issue_date": "2026-03-01",
        "lines": [*LINES, {"description": "Libro", "quantity": "1", "unit_price": "20", "tax_category": "superreducido"}]})
    body = response.get_json()
    assert response.status_code == 200
    assert (body["subtotal"], body["tax_total"], body["total"], body["due_date"]) == ("120.00", "21.80", "141.80", "2026-03-31")
    assert [(t["rate"], t["base"], t["amount"]) for t in body["taxes"]] == [("21.0000", "100.00", "21.00"), ("4.0000", "20.00", "0.80")]
    assert snapshot() == before


def test_credit_note_limits_are_422_with_fields(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "sales")
    url = f"/api/v1/invoices/{world.issued_id}/credit-notes"
    too_many = session.post(url, json={"reason": "x", "rectification_type": "R1",
                                       "lines": [{"source_line_id": world.issued_line_id, "quantity": "3.001"}]})
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"] == {"lines.0.quantity": ["Quedan 3.000 unidades por abonar en esta línea."]}
    no_type = session.post(url, json={"reason": "x"})
    assert (no_type.status_code, list(no_type.get_json()["errors"])) == (422, ["rectification_type"])
    partial = session.post(url, json={"reason": "x", "rectification_type": "R1",
                                      "lines": [{"source_line_id": world.issued_line_id, "quantity": "1"}]})
    assert (partial.status_code, partial.get_json()["total"], partial.get_json()["kind"]) == (201, "12.10", "credit_note")
    assert session.post(f"/api/v1/invoices/{world.draft_id}/credit-notes", json={"reason": "x", "rectification_type": "R1"}).status_code == 409


def test_idempotent_create_replays_the_same_invoice(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "sales")
    body = {"customer_id": world.customer_id, "lines": LINES}
    first = session.post("/api/v1/invoices", json=body, headers={"Idempotency-Key": "invoice-key-0001"})
    again = session.post("/api/v1/invoices", json=body, headers={"Idempotency-Key": "invoice-key-0001"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == f"/api/v1/invoices/{first.get_json()['id']}"
    other_body = session.post("/api/v1/invoices", json={**body, "notes": "otra"}, headers={"Idempotency-Key": "invoice-key-0001"})
    assert other_body.status_code == 422
    drafts = session.get(f"/api/v1/invoices?status=draft&customer_id={world.customer_id}").get_json()
    assert drafts["total"] == 2  # the fixture's draft and one created here


def test_validation_errors_name_the_fields(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "sales")
    response = session.post("/api/v1/invoices", json={
        "customer_id": "not-a-uuid", "issue_date": "2026-02-30", "total": "1",
        "lines": [{"quantity": 1.5, "unit_price": "1.00001", "discount_percent": "101", "tax_category": "lujo"}]})
    assert response.status_code == 422
    assert sorted(response.get_json()["errors"]) == [
        "customer_id", "issue_date", "lines.0.discount_percent", "lines.0.quantity", "lines.0.tax_category", "lines.0.unit_price", "total"]
    dates = session.post("/api/v1/invoices", json={"customer_id": world.customer_id, "issue_date": "2026-02-10", "due_date": "2026-02-01"})
    assert (dates.status_code, list(dates.get_json()["errors"])) == (422, ["due_date"])
    ghost = session.post("/api/v1/invoices", json={"customer_id": "7b0c9d9e-4a55-4f39-9d2e-0d5d1b0a0000"})
    assert ghost.get_json()["errors"] == {"customer_id": ["No existe ese cliente."]}


def test_malformed_ids_and_wrong_kinds_are_404(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    for url in ("/api/v1/invoices/not-a-uuid", "/api/v1/quotes/123", "/api/v1/series/x", f"/api/v1/invoices/{world.quote_id}",
                f"/api/v1/quotes/{world.draft_id}"):
        response = session.get(url)
        assert (response.status_code, response.mimetype) == (404, "application/problem+json"), url
    assert session.post("/api/v1/invoices/not-a-uuid/issue").status_code == 404


def test_paging_limits_and_sorting(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    assert session.get("/api/v1/invoices?page_size=201").status_code == 422
    assert session.get("/api/v1/invoices?sort=password").get_json()["errors"] == {
        "sort": ["Use uno de: created_at, customer_name, due_date, issue_date, number, total (con - delante para descendente)."]}
    assert session.get("/api/v1/invoices?status=lost").status_code == 422
    page = session.get("/api/v1/invoices?page_size=1&sort=issue_date")
    assert (page.get_json()["total"], page.get_json()["pages"], len(page.get_json()["items"])) == (2, 2, 1)
    assert page.get_json()["items"][0]["id"] == world.issued_id
    assert page.headers["X-Pagination"]


def test_module_disabled_is_403(app, world) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy.services import set_module

    with app.app_context():
        set_module(tenant_id=world.owner.id, module="sales", is_enabled=False, actor="test")
    response = login_as(app, world.owner, "owner").get("/api/v1/invoices")
    assert (response.status_code, response.get_json()["type"].rsplit("/", 1)[-1]) == (403, "module-not-enabled")


def test_openapi_documents_money_as_strings(app) -> None:  # type: ignore[no-untyped-def]
    spec = app.test_client().get("/openapi.json").get_json()
    line_schema = spec["components"]["schemas"]["LineInput"]["properties"]
    assert (line_schema["quantity"]["type"], line_schema["unit_price"]["type"]) == ("string", "string")
    assert spec["components"]["schemas"]["Document"]["properties"]["total"]["type"] == "string"
    assert {"/api/v1/invoices/{invoice_id}/issue", "/api/v1/quotes/{quote_id}/convert", "/api/v1/series"} <= set(spec["paths"])
    # OpenAPI forbids numeric bounds on strings (schemathesis refuses such a spec).
    bounded_strings = [(name, prop) for name, schema in spec["components"]["schemas"].items()
                       for prop, definition in schema.get("properties", {}).items()
                       if definition.get("type") == "string" and ({"minimum", "maximum"} & set(definition))]
    assert bounded_strings == []


def test_timestamps_carry_their_zone(app, world) -> None:  # type: ignore[no-untyped-def]
    body = login_as(app, world.owner, "owner").get(f"/api/v1/invoices/{world.issued_id}").get_json()
    assert body["created_at"].endswith("+00:00") and body["issued_at"].endswith("+00:00")


def test_issuing_sends_the_invoice_issued_webhook_once(app, world, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    owner = login_as(app, world.owner, "owner")
    assert owner.post("/api/v1/webhooks/subscriptions", json={"url": receiver.url, "events": ["invoice.issued"]}).status_code == 201
    assert owner.post(f"/api/v1/invoices/{world.draft_id}/issue", json={"issue_date": "2026-01-04"}).status_code == 422
    assert receiver.requests == []
    issued = owner.post(f"/api/v1/invoices/{world.draft_id}/issue", json={"issue_date": "2026-01-05"}).get_json()
    assert [request["json"]["event"] for request in receiver.requests] == ["invoice.issued"]
    data = receiver.requests[0]["json"]["data"]
    assert (data["id"], data["kind"], data["number"], data["total"], data["currency"]) == (
        world.draft_id, "invoice", issued["full_number"], "12.10", "EUR")
