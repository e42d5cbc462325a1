"""/api/v1 payments: the four-way access check on every endpoint, the HTTP contract, and no secret anywhere."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app.audit.models import AuditEvent
from gestiq_app.extensions import db
from gestiq_app.identity.permissions import ROLE_PERMISSIONS
from gestiq_app.payments import services
from gestiq_app.payments.models import PaymentProviderAccount
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.admin.conftest import ADMIN_PASSWORD, admin_login
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.payments.conftest import ALL_SECRET_VALUES, KUSHKI_SECRETS, PAYPHONE_SECRETS, STRIPE_SECRETS, configure, invoice_of, payments_snapshot
from tests.payments.fakes import stripe_event, stripe_signature
from tests.permissions import check_access

D = Decimal


@dataclass
class World:
    """A Spanish tenant with Stripe, an invoice with a manual payment; and a stranger tenant."""

    owner: Any
    stranger: Any
    invoice_id: str
    payment_id: str


@pytest.fixture()
def world(app, tenant_pair, stripe_fake, kushki_fake) -> World:  # type: ignore[no-untyped-def]
    """Fresh tenants and documents."""
    owner, stranger = tenant_pair
    with app.app_context():
        configure(owner, "stripe", STRIPE_SECRETS)
        configure(owner, "kushki", KUSHKI_SECRETS, {"public_merchant_id": "pub-1"})
        invoice = invoice_of(owner)
        with tenant_context(owner.id):
            payment = services.record_payment(tenant_id=owner.id, document_id=invoice.id, actor="test",
                                              data={"amount": D("21.00"), "method": "bank_transfer"})
        return World(owner, stranger, str(invoice.id), str(payment.id))


def _snapshot(app: Any, world: World):  # type: ignore[no-untyped-def]
    def snapshot() -> Any:
        with app.app_context():
            rows = payments_snapshot(world.owner.id)
            with platform_scope(actor="test", reason="snapshot"):
                rows["accounts"] = sorted(tuple(str(v) for v in row) for row in db.session.execute(
                    select(PaymentProviderAccount.provider, PaymentProviderAccount.credentials_encrypted, PaymentProviderAccount.settings)
                    .where(PaymentProviderAccount.tenant_id == world.owner.id)))
            db.session.rollback()
            return rows
    return snapshot


ENDPOINTS = [
    ("GET", "/api/v1/invoices/{invoice_id}/payments", None, "accountant", "viewer-without-read", 200, (404,)),
    ("POST", "/api/v1/invoices/{invoice_id}/payments", {"amount": "10.00", "method": "cash"}, "sales", "viewer", 201, (404,)),
    ("POST", "/api/v1/invoices/{invoice_id}/payment-link", {"provider": "stripe"}, "sales", "viewer", 200, (404,)),
    ("GET", "/api/v1/invoices/{invoice_id}/payment-link", None, "accountant", "viewer-without-read", 200, (404,)),
    ("POST", "/api/v1/invoices/{invoice_id}/card-charges", {"token": "tok_ok"}, "sales", "viewer", 201, (404,)),
    ("GET", "/api/v1/payments", None, "accountant", "viewer-without-read", 200, (200,)),
    ("GET", "/api/v1/payments/{payment_id}", None, "accountant", "viewer-without-read", 200, (404,)),
    ("GET", "/api/v1/payments/{payment_id}/refunds", None, "accountant", "viewer-without-read", 200, (404,)),
    ("POST", "/api/v1/payments/{payment_id}/refunds", {"amount": "1.00", "reason": "Error"}, "accountant", "viewer", 201, (404,)),
    ("GET", "/api/v1/settings/payment-providers", None, "owner", "admin", 200, (200,)),
    ("PUT", "/api/v1/settings/payment-providers", {"provider": "payphone", "secrets": PAYPHONE_SECRETS, "settings": {"store_id": "s1"}},
     "owner", "admin", 200, (200,)),
]


@pytest.mark.parametrize(("method", "url", "body", "allowed", "denied", "expected", "stranger_statuses"), ENDPOINTS,
                         ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_every_endpoint_passes_the_four_way_access_check(app, world, monkeypatch, method, url, body, allowed, denied, expected,
                                                         stranger_statuses) -> None:  # type: ignore[no-untyped-def]
    if denied == "viewer-without-read":
        monkeypatch.setitem(ROLE_PERMISSIONS, "viewer", ROLE_PERMISSIONS["viewer"] - {"payments:read"})
        denied = "viewer"
    check_access(app, method=method, url=url.format(**vars(world)), json=body, owner_tenant=world.owner, other_tenant=world.stranger,
                 allowed_role=allowed, denied_role=denied, expected_status=expected, snapshot=_snapshot(app, world),
                 other_tenant_status=stranger_statuses)


def test_only_the_owner_holds_payments_admin() -> None:
    from gestiq_app.identity.permissions import permissions_of_role

    assert [role for role in ("owner", "admin", "accountant", "sales", "viewer") if "payments:admin" in permissions_of_role(role)] == ["owner"]


def test_manual_payment_contract_money_as_strings_and_credit(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "sales")
    response = session.post(f"/api/v1/invoices/{world.invoice_id}/payments", json={"amount": "150.00", "method": "cash"})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/payments/{body['id']}"
    assert {k: body[k] for k in ("amount", "applied_amount", "credit_amount", "amount_refunded", "currency", "method")} == {
        "amount": "150.00", "applied_amount": "100.00", "credit_amount": "50.00", "amount_refunded": "0.00", "currency": "EUR", "method": "cash"}
    invoice = session.get(f"/api/v1/invoices/{world.invoice_id}").get_json()
    assert (invoice["status"], invoice["amount_paid"], invoice["amount_due"]) == ("paid", "121.00", "0.00")
    listed = session.get(f"/api/v1/invoices/{world.invoice_id}/payments?sort=amount").get_json()
    assert [item["amount"] for item in listed["items"]] == ["21.00", "150.00"] and listed["total"] == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "0", "method": "cash"}, "amount"), ({"amount": "1.001", "method": "cash"}, "amount"),
    ({"amount": 10.5, "method": "cash"}, "amount"), ({"amount": "10", "method": "stripe"}, "method"),
    ({"amount": "10", "method": "cash", "currency": "USD"}, "currency"), ({"amount": "10", "method": "cash", "id": "x"}, "id"),
])
def test_invalid_payments_are_422_with_the_field(app, world, body, field) -> None:  # type: ignore[no-untyped-def]
    response = login_as(app, world.owner, "owner").post(f"/api/v1/invoices/{world.invoice_id}/payments", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


def test_refund_over_the_payment_is_422_and_refund_reopens_the_invoice(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    assert session.post(f"/api/v1/payments/{world.payment_id}/refunds", json={"amount": "21.01"}).status_code == 422
    refunded = session.post(f"/api/v1/payments/{world.payment_id}/refunds", json={"amount": "21.00"})
    assert refunded.status_code == 201 and refunded.get_json()["amount"] == "21.00"
    invoice = session.get(f"/api/v1/invoices/{world.invoice_id}").get_json()
    assert (invoice["status"], invoice["amount_paid"], invoice["amount_due"]) == ("issued", "0.00", "121.00")


def test_idempotency_key_replays_a_payment(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    headers = {"Idempotency-Key": "pay-once-0001"}
    first = session.post(f"/api/v1/invoices/{world.invoice_id}/payments", json={"amount": "5.00", "method": "cash"}, headers=headers)
    second = session.post(f"/api/v1/invoices/{world.invoice_id}/payments", json={"amount": "5.00", "method": "cash"}, headers=headers)
    assert first.status_code == second.status_code == 201 and first.get_json()["id"] == second.get_json()["id"]
    assert session.get(f"/api/v1/invoices/{world.invoice_id}/payments").get_json()["total"] == 2


def test_no_secret_in_responses_logs_audit_database_or_admin(app, world, stripe_fake, back_office_user, caplog, json_log) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    owner = login_as(app, world.owner, "owner")
    texts: list[str] = []
    for provider, secrets, settings in (("stripe", STRIPE_SECRETS, {}), ("payphone", PAYPHONE_SECRETS, {"store_id": "s-1"}),
                                        ("kushki", KUSHKI_SECRETS, {"public_merchant_id": "pub-1"})):
        response = owner.put("/api/v1/settings/payment-providers", json={"provider": provider, "secrets": secrets, "settings": settings})
        assert response.status_code == 200, response.get_json()
        texts.append(response.get_data(as_text=True))
    listed = owner.get("/api/v1/settings/payment-providers")
    assert [(a["provider"], a["secret_names"]) for a in listed.get_json()["items"]] == [
        ("kushki", ["private_merchant_id", "webhook_signature"]), ("payphone", ["token"]), ("stripe", ["api_key", "webhook_secret"])]
    # A partial update keeps the stored secrets (write-only) and bad input never echoes them.
    assert owner.put("/api/v1/settings/payment-providers", json={"provider": "stripe", "settings": {}}).status_code == 200
    bad = owner.put("/api/v1/settings/payment-providers", json={"provider": "stripe", "secrets": {"api_key": STRIPE_SECRETS["api_key"], "x": "y"}})
    assert bad.status_code == 422
    texts += [listed.get_data(as_text=True), bad.get_data(as_text=True)]
    assert owner.get(f"/api/v1/invoices/{world.invoice_id}/payment-link").get_json() == {"url": None}
    assert b"Pagar en l" not in _pdf_text(owner.get(f"/api/v1/invoices/{world.invoice_id}/pdf").data)  # rendered and stored
    link = owner.post(f"/api/v1/invoices/{world.invoice_id}/payment-link", json={"provider": "stripe"})
    assert link.status_code == 200 and link.get_json()["url"].startswith("https://checkout.stripe.test/")
    assert owner.get(f"/api/v1/invoices/{world.invoice_id}/payment-link").get_json() == {"url": link.get_json()["url"]}
    printed = b" ".join(_pdf_text(owner.get(f"/api/v1/invoices/{world.invoice_id}/pdf").data).split())
    # the stored copy was dropped with the new link: the next one prints it
    assert "Pagar en línea:".encode() in printed and link.get_json()["url"].encode() in printed
    texts.append(link.get_data(as_text=True))
    body = stripe_event("checkout.session.completed", {
        "id": "cs_1", "object": "checkout.session", "payment_status": "paid", "amount_total": 10000, "currency": "eur", "payment_intent": "pi_s",
        "metadata": {"tenant_id": str(world.owner.id), "invoice_id": world.invoice_id}})
    client = app.test_client()
    for header in (stripe_signature(body, STRIPE_SECRETS["webhook_secret"]), stripe_signature(body, "whsec_wrong")):
        texts.append(client.post(f"/api/v1/payments/webhooks/stripe/{world.owner.slug}", data=body,
                                 headers={"Stripe-Signature": header, "Content-Type": "application/json"}).get_data(as_text=True))
    for url in ("/api/v1/payments", f"/api/v1/invoices/{world.invoice_id}/payments", f"/api/v1/invoices/{world.invoice_id}"):
        texts.append(owner.get(url).get_data(as_text=True))
    admin = app.test_client()
    assert admin_login(admin, back_office_user("Admin"), ADMIN_PASSWORD).status_code == 302
    with app.app_context(), platform_scope(actor="test", reason="test"):
        account_ids = db.session.scalars(select(PaymentProviderAccount.id).where(PaymentProviderAccount.tenant_id == world.owner.id)).all()
        audit = [json.dumps(row.changes, default=str) for row in db.session.scalars(select(AuditEvent).where(AuditEvent.tenant_id == world.owner.id))]
        stored = db.session.scalars(select(PaymentProviderAccount.credentials_encrypted)).all()
    pages = ["/admin/paymentprovideraccountview/list/", "/admin/paymentsupportview/list/", "/admin/providereventview/list/",
             *[f"/admin/paymentprovideraccountview/show/{account_id}" for account_id in account_ids]]
    for page in pages:
        response = admin.get(page)
        assert response.status_code == 200, page
        texts.append(response.get_data(as_text=True))
    show_pages = "".join(texts[-len(account_ids):])
    assert len(account_ids) == 3 and all(name in show_pages for name in ("api_key", "webhook_secret", "token", "private_merchant_id"))
    logs = caplog.text + json.dumps(json_log())
    for secret in ALL_SECRET_VALUES:
        for text in texts + audit + stored + [logs]:
            assert secret not in text


def _pdf_text(pdf: bytes) -> bytes:
    import subprocess

    assert pdf.startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
