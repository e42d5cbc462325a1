"""/api/v1/purchases: the four-way access check on every endpoint, attachments, filters and the HTTP contract."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app import storage
from gestiq_app.extensions import db
from gestiq_app.identity.permissions import ROLE_PERMISSIONS
from gestiq_app.purchases import attachments, services
from gestiq_app.purchases.models import PurchaseWithholding
from gestiq_app.tenancy.context import tenant_context
from tests import permissions
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.permissions import check_access
from tests.purchases.helpers import ACTOR, add_supplier, create_invoice, line, purchases_snapshot, record
from tests.purchases.test_services import EC_LINES

SESSIONS: dict[int, dict[tuple[Any, str], Any]] = {}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JSON_LINES = [{"description": "Papel", "quantity": "2", "unit_price": "10.00", "tax_category": "general"}]


@dataclass
class World:
    """An Ecuadorian tenant with a supplier, a draft and a recorded invoice (with its retención), an expense draft and an
    attachment; plus a stranger tenant."""

    owner: Any
    stranger: Any
    supplier_id: str
    draft_id: str
    recorded_id: str
    withholding_id: str
    expense_id: str
    attachment_id: str


def _build_world(app, owner, stranger) -> World:  # type: ignore[no-untyped-def]
    with app.app_context():
        supplier = add_supplier(owner)
        draft = create_invoice(owner, supplier, [line("1", "10")])
        recorded = record(owner, create_invoice(owner, supplier, EC_LINES).id)
        with tenant_context(owner.id):
            withholding_id = db.session.scalar(select(PurchaseWithholding.id).where(PurchaseWithholding.document_id == recorded.id))
            expense = services.create_expense(tenant_id=owner.id, data={"issue_date": date(2026, 2, 1), "description": "Taxi",
                                                                       "amount": Decimal("11.50"), "record": False}, actor=ACTOR)
            attachment = attachments.add_attachment(tenant_id=owner.id, document_id=draft.id, kind="supplier_invoice",
                                                    filename="original.pdf", data=PDF, actor=ACTOR)
        return World(owner, stranger, str(supplier.id), str(draft.id), str(recorded.id), str(withholding_id), str(expense.id),
                     str(attachment.id))


@pytest.fixture()
def world(app, tenant_pair) -> World:  # type: ignore[no-untyped-def]
    """A fresh Ecuadorian owner (tenant_pair's B) and a Spanish stranger."""
    tenant_es, tenant_ec = tenant_pair
    return _build_world(app, tenant_ec, tenant_es)


@pytest.fixture(scope="module")
def shared_pair(app):  # type: ignore[no-untyped-def]
    """Two tenants shared by the access checks: their users log in once per module."""
    with app.app_context():
        return make_tenant(country="EC"), make_tenant(country="ES")


@pytest.fixture()
def shared_world(app, shared_pair, monkeypatch) -> World:  # type: ignore[no-untyped-def]
    """Fresh documents in the shared tenants, and check_access logging in through a per-module session cache."""
    sessions: dict[tuple[Any, str], Any] = SESSIONS.setdefault(id(shared_pair), {})

    def cached_login(app_, tenant, role):  # type: ignore[no-untyped-def]
        if (tenant.id, role) not in sessions:
            sessions[(tenant.id, role)] = login_as(app_, tenant, role)
        return sessions[(tenant.id, role)]

    monkeypatch.setattr(permissions, "login_as", cached_login)
    return _build_world(app, *shared_pair)


def _snapshot(app, world: World):  # type: ignore[no-untyped-def]
    def snapshot() -> Any:
        with app.app_context():
            return purchases_snapshot(world.owner.id)
    return snapshot


def _upload(content: bytes = PDF, filename: str = "factura.pdf"):  # type: ignore[no-untyped-def]
    return lambda: {"file": (io.BytesIO(content), filename)}


P = "/api/v1/purchases"
#: (method, url, body, allowed role, denied role, expected status, stranger statuses, multipart)
ENDPOINTS = [
    ("GET", f"{P}/invoices", None, "accountant", "viewer-without-read", 200, (200,), False),
    ("POST", f"{P}/invoices", {"supplier_id": "{supplier_id}", "supplier_number": "NEW-1", "issue_date": "2026-03-01", "lines": JSON_LINES},
     "accountant", "sales", 201, (422,), False),
    ("GET", f"{P}/invoices/{{draft_id}}", None, "accountant", "viewer-without-read", 200, (404,), False),
    ("PATCH", f"{P}/invoices/{{draft_id}}", {"notes": "Revisada", "lines": JSON_LINES}, "accountant", "sales", 200, (404,), False),
    ("DELETE", f"{P}/invoices/{{draft_id}}", None, "accountant", "sales", 204, (404,), False),
    ("POST", f"{P}/invoices/{{draft_id}}/record", None, "accountant", "sales", 200, (404,), False),
    ("POST", f"{P}/invoices/{{recorded_id}}/payments", {"amount": "100.00"}, "accountant", "sales", 200, (404,), False),
    ("GET", f"{P}/invoices/{{draft_id}}/attachments", None, "accountant", "viewer-without-read", 200, (404,), False),
    ("POST", f"{P}/invoices/{{draft_id}}/attachments", None, "accountant", "sales", 201, (404,), True),
    ("GET", f"{P}/invoices/{{draft_id}}/attachments/{{attachment_id}}", None, "accountant", "viewer-without-read", 200, (404,), False),
    ("DELETE", f"{P}/invoices/{{draft_id}}/attachments/{{attachment_id}}", None, "accountant", "sales", 204, (404,), False),
    ("GET", f"{P}/expenses", None, "accountant", "viewer-without-read", 200, (200,), False),
    ("POST", f"{P}/expenses", {"issue_date": "2026-03-02", "description": "Almuerzo", "amount": "23.00"}, "accountant", "sales", 201,
     (201,), False),
    ("GET", f"{P}/expenses/{{expense_id}}", None, "accountant", "viewer-without-read", 200, (404,), False),
    ("DELETE", f"{P}/expenses/{{expense_id}}", None, "accountant", "sales", 204, (404,), False),
    ("POST", f"{P}/expenses/{{expense_id}}/record", None, "accountant", "sales", 200, (404,), False),
    ("GET", f"{P}/expenses/{{expense_id}}/attachments", None, "accountant", "viewer-without-read", 200, (404,), False),
    ("POST", f"{P}/expenses/{{expense_id}}/attachments", None, "accountant", "sales", 201, (404,), True),
    ("GET", f"{P}/withholdings", None, "accountant", "viewer-without-read", 200, (200,), False),
    ("GET", f"{P}/withholdings/{{withholding_id}}", None, "accountant", "viewer-without-read", 200, (404,), False),
]


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str):
        return value.format(**vars(world))
    if isinstance(value, dict):
        return {key: _fill(inner, world) for key, inner in value.items()}
    if isinstance(value, list):
        return [_fill(inner, world) for inner in value]
    return value


@pytest.mark.parametrize(("method", "url", "body", "allowed", "denied", "expected", "stranger_statuses", "multipart"), ENDPOINTS,
                         ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_every_endpoint_passes_the_four_way_access_check(app, shared_world, monkeypatch, method, url, body, allowed, denied, expected,
                                                         stranger_statuses, multipart) -> None:  # type: ignore[no-untyped-def]
    world = shared_world
    if denied == "viewer-without-read":
        # Every built-in role may read purchases; a viewer stripped of the permission stands in for "no permission".
        monkeypatch.setitem(ROLE_PERMISSIONS, "viewer", ROLE_PERMISSIONS["viewer"] - {"purchases:read"})
        denied = "viewer"
    check_access(app, method=method, url=_fill(url, world), json=_fill(body, world), owner_tenant=world.owner,
                 other_tenant=world.stranger, allowed_role=allowed, denied_role=denied, expected_status=expected,
                 snapshot=_snapshot(app, world), other_tenant_status=stranger_statuses, data=_upload() if multipart else None)


def test_stranger_lists_never_show_the_owners_documents(app, world) -> None:  # type: ignore[no-untyped-def]
    stranger = login_as(app, world.stranger, "owner")
    for url in (f"{P}/invoices", f"{P}/expenses", f"{P}/invoices?supplier_id={world.supplier_id}", f"{P}/withholdings"):
        response = stranger.get(url)
        assert (response.status_code, response.get_json()["items"]) == (200, []), url


def test_create_answers_201_with_location_and_replays_with_its_idempotency_key(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    body = {"supplier_id": world.supplier_id, "supplier_number": "001-001-000000099", "issue_date": "2026-03-05",
            "lines": [{"description": "Tóner", "quantity": "2", "unit_price": "45.50", "tax_category": "general",
                       "renta_withholding_category": "bienes_muebles", "iva_withholding_category": "iva_30"}]}
    headers = {"Idempotency-Key": "purchase-create-0001"}
    first, retry = session.post(f"{P}/invoices", json=body, headers=headers), session.post(f"{P}/invoices", json=body, headers=headers)
    created = first.get_json()
    assert (first.status_code, first.headers["Location"], retry.status_code, retry.headers["Idempotent-Replayed"]) == (
        201, f"{P}/invoices/{created['id']}", 201, "true")
    assert retry.get_json()["id"] == created["id"]
    assert (created["status"], created["subtotal"], created["tax_total"], created["total"], created["withholding_total"],
            created["amount_due"], created["due_date"]) == ("draft", "91.00", "13.65", "104.65", "5.69", "98.96", "2026-04-04")
    assert [(w["kind"], w["code"], w["base"], w["amount"]) for w in created["withholdings"]] == [
        ("renta", "312", "91.00", "1.59"), ("iva", "1", "13.65", "4.10")]
    duplicate = session.post(f"{P}/invoices", json=body)
    assert (duplicate.status_code, duplicate.mimetype, duplicate.get_json()["errors"]) == (
        409, "application/problem+json", {"supplier_number": ["Ya hay un documento de este proveedor con ese número."]})


def test_a_recorded_invoice_answers_409_and_stays_unchanged(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    snapshot = _snapshot(app, world)
    before = snapshot()
    for response in (session.patch(f"{P}/invoices/{world.recorded_id}", json={"notes": "x"}),
                     session.patch(f"{P}/invoices/{world.recorded_id}", json={"lines": JSON_LINES}),
                     session.delete(f"{P}/invoices/{world.recorded_id}"),
                     session.post(f"{P}/invoices/{world.recorded_id}/record")):
        assert (response.status_code, response.mimetype) == (409, "application/problem+json"), response.get_json()
    assert snapshot() == before


def test_recording_through_the_api_issues_the_withholding(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    draft = session.post(f"{P}/invoices", json={
        "supplier_id": world.supplier_id, "supplier_number": "001-001-000000123", "issue_date": "2026-03-20",
        "lines": [{"description": "Asesoría", "quantity": "1", "unit_price": "200", "renta_withholding_category": "honorarios",
                   "iva_withholding_category": "iva_100"}]}).get_json()
    recorded = session.post(f"{P}/invoices/{draft['id']}/record", json={"withholding_date": "2026-03-21"})
    assert (recorded.status_code, recorded.get_json()["status"], recorded.get_json()["amount_due"]) == (200, "overdue", "180.00")  # due 2026-04-19, unpaid
    listing = session.get(f"{P}/withholdings?sort=sequential").get_json()
    assert [(item["number"], item["document_id"], item["issue_date"], item["total"]) for item in listing["items"]] == [
        ("001-001-000000001", world.recorded_id, listing["items"][0]["issue_date"], "128.75"),
        ("001-001-000000002", draft["id"], "2026-03-21", "50.00")]
    item = session.get(f"{P}/withholdings/{listing['items'][1]['id']}").get_json()
    assert [(line_["kind"], line_["code"], line_["rate"], line_["base"], line_["amount"]) for line_ in item["lines"]] == [
        ("renta", "303", "10.0000", "200.00", "20.00"), ("iva", "3", "100.0000", "30.00", "30.00")]
    assert session.get(f"{P}/withholdings?issue_date_from=2026-03-21&issue_date_to=2026-03-21").get_json()["total"] == 1


def test_lists_filter_by_supplier_status_dates_and_text_and_sort(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "viewer")

    def ids(query: str) -> list[str]:
        response = session.get(f"{P}/invoices?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert sorted(ids("")) == sorted([world.draft_id, world.recorded_id])
    assert ids("status=draft") == [world.draft_id]
    assert ids("status=recorded,overdue") == [world.recorded_id]
    assert ids(f"supplier_id={world.supplier_id}&sort=total") == [world.draft_id, world.recorded_id]
    assert ids("sort=-total&page_size=1") == [world.recorded_id]
    assert ids("issue_date_from=2026-03-11") == []
    assert ids("issue_date_from=2026-03-10&issue_date_to=2026-03-10&sort=total") == [world.draft_id, world.recorded_id]
    assert ids("q=zzz-no-such") == []
    bad = session.get(f"{P}/invoices?sort=colour")
    assert (bad.status_code, list(bad.get_json()["errors"])) == (422, ["sort"])


def test_an_attachment_round_trips_and_its_type_comes_from_the_content(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    url = f"{P}/invoices/{world.recorded_id}/attachments"
    uploaded = session.post(url, data={"file": (io.BytesIO(PNG), "foto.PNG")}, content_type="multipart/form-data")
    body = uploaded.get_json()
    assert (uploaded.status_code, body["content_type"], body["filename"], body["size_bytes"]) == (201, "image/png", "foto.PNG", len(PNG))
    download = session.get(f"{url}/{body['id']}")
    assert (download.status_code, download.mimetype, download.data, download.headers["X-Content-Type-Options"]) == (
        200, "image/png", PNG, "nosniff")
    assert [item["id"] for item in session.get(url).get_json()] == [body["id"]]
    refused = session.delete(f"{url}/{body['id']}")
    assert refused.status_code == 409  # a recorded document keeps its evidence


def test_a_lying_extension_and_unknown_content_are_refused(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    url = f"{P}/invoices/{world.draft_id}/attachments"
    snapshot = _snapshot(app, world)
    before = snapshot()
    lying = session.post(url, data={"file": (io.BytesIO(PNG), "factura.pdf")}, content_type="multipart/form-data")
    assert (lying.status_code, lying.get_json()["errors"]) == (422, {"file": ["El contenido es image/png, no .pdf."]})
    script = session.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "factura.pdf")}, content_type="multipart/form-data")
    assert (script.status_code, script.get_json()["errors"]) == (422, {"file": ["Solo PDF, JPEG, PNG o WebP."]})
    assert snapshot() == before


def test_an_oversized_attachment_is_413_and_nothing_is_kept(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_PURCHASE_ATTACHMENT_MAX_BYTES", "1000")
    session = login_as(app, world.owner, "accountant")
    snapshot = _snapshot(app, world)
    before = snapshot()
    with app.app_context():
        files_before = sorted(key for key, _ in storage.iter_files(world.owner.id))
    response = session.post(f"{P}/invoices/{world.draft_id}/attachments", data={"file": (io.BytesIO(PDF + b"0" * 1000), "big.pdf")},
                            content_type="multipart/form-data")
    assert (response.status_code, response.mimetype, response.get_json()["errors"]) == (413, "application/problem+json",
                                                                                        {"file": ["Máximo 1000 bytes."]})
    assert snapshot() == before
    with app.app_context():
        assert sorted(key for key, _ in storage.iter_files(world.owner.id)) == files_before


def test_deleting_a_draft_attachment_removes_its_file(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    with app.app_context():
        key = f"purchases/{world.draft_id}/{world.attachment_id}"
        assert storage.exists(world.owner.id, key)
    assert session.delete(f"{P}/invoices/{world.draft_id}/attachments/{world.attachment_id}").status_code == 204
    with app.app_context():
        assert not storage.exists(world.owner.id, key)
    assert session.get(f"{P}/invoices/{world.draft_id}/attachments/{world.attachment_id}").status_code == 404


def test_an_expense_through_the_api(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    response = session.post(f"{P}/expenses", json={"issue_date": "2026-03-03", "description": "Parqueadero", "amount": "5.75",
                                                   "supplier_id": world.supplier_id, "supplier_number": "T-889"})
    body = response.get_json()
    supplier_name = session.get(f"{P}/invoices/{world.draft_id}").get_json()["supplier_name"]
    assert (response.status_code, body["kind"], body["status"], body["subtotal"], body["tax_total"], body["total"], body["supplier_name"]) == (
        201, "expense", "paid", "5.00", "0.75", "5.75", supplier_name)
    invalid = session.post(f"{P}/expenses", json={"issue_date": "2026-03-03", "description": "x", "amount": "0"})
    assert (invalid.status_code, list(invalid.get_json()["errors"])) == (422, ["amount"])


def test_the_purchases_module_must_be_enabled(app, world) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy.services import set_module

    session = login_as(app, world.owner, "owner")
    with app.app_context():
        set_module(tenant_id=world.owner.id, module="purchases", is_enabled=False, actor="test")
    try:
        for response in (session.get(f"{P}/invoices"), session.get(f"{P}/withholdings/{world.withholding_id}"),
                         session.post(f"{P}/expenses", json={"issue_date": "2026-03-02", "description": "x", "amount": "1.00"})):
            assert (response.status_code, response.get_json()["type"]) == (403, "https://gestiqcloud.com/problems/module-not-enabled")
    finally:
        with app.app_context():
            set_module(tenant_id=world.owner.id, module="purchases", is_enabled=True, actor="test")


def test_renumbering_a_draft_onto_a_taken_supplier_number_is_409(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "accountant")
    taken = session.get(f"{P}/invoices/{world.recorded_id}").get_json()["supplier_number"]
    snapshot = _snapshot(app, world)
    before = snapshot()
    response = session.patch(f"{P}/invoices/{world.draft_id}", json={"supplier_number": taken})
    assert (response.status_code, list(response.get_json()["errors"])) == (409, ["supplier_number"])
    assert snapshot() == before
