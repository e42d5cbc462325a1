"""Kushki against a local fake: card charges, signed webhooks (X-Kushki-Id / X-Kushki-Signature), errors, refunds."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from gestiq_app.payments import links
from gestiq_app.payments.exceptions import ProviderError
from gestiq_app.payments.providers.base import CheckoutRequest
from gestiq_app.payments.providers.kushki import KushkiProvider, sign
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant
from tests.payments.conftest import KUSHKI_SECRETS, configure, invoice_of, payments_of, payments_snapshot, reload_invoice

D = Decimal
PUBLIC_ID = "kushki-public-0001"


@pytest.fixture()
def kushki_shop(app_context, kushki_fake):  # type: ignore[no-untyped-def]
    """An Ecuadorian tenant with Kushki and an invoice of 115.00."""
    tenant = make_tenant(country="EC")
    configure(tenant, "kushki", KUSHKI_SECRETS, {"public_merchant_id": PUBLIC_ID})
    return tenant, invoice_of(tenant), kushki_fake


def webhook_body(tenant: Any, invoice: Any, *, ticket: str = "178012345678901234", status: str = "APPROVAL", amount: float = 115.0) -> bytes:
    """A Kushki transaction notification."""
    return json.dumps({"ticketNumber": ticket, "transactionStatus": status, "transactionType": "SALE",
                       "amount": {"subtotalIva": 0, "subtotalIva0": amount, "ice": 0, "iva": 0, "currency": "USD"},
                       "approvedTransactionAmount": amount, "currencyCode": "USD",
                       "metadata": {"tenant_id": str(tenant.id), "invoice_id": str(invoice.id)}}).encode()


def deliver(app: Any, slug: str, body: bytes, *, secret: str = KUSHKI_SECRETS["webhook_signature"], kushki_id: str = "1701234567890"):  # type: ignore[no-untyped-def]
    """Post a signed Kushki webhook."""
    return app.test_client().post(f"/api/v1/payments/webhooks/kushki/{slug}", data=body, headers={
        "Content-Type": "application/json", "X-Kushki-Id": kushki_id, "X-Kushki-Signature": sign(secret, kushki_id, body)})


def test_payment_request_returns_kushki_js_data_without_secrets(kushki_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = kushki_shop
    with tenant_context(tenant.id):
        link = links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider="kushki", actor="test")
    assert link.client_data == {"public_merchant_id": PUBLIC_ID, "amount": "115.00", "currency": "USD",
                                "reference": link.request.operation_id}
    assert fake.calls == []


def test_signed_webhook_records_the_payment_once(app, kushki_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = kushki_shop
    body = webhook_body(tenant, invoice)
    assert deliver(app, tenant.slug, body).get_json() == {"received": True, "duplicate": False}
    assert deliver(app, tenant.slug, body, kushki_id="1701234567999").get_json() == {"received": True, "duplicate": True}
    assert [(p.method, p.provider_reference, p.amount) for p in payments_of(tenant, invoice.id)] == [("kushki", "178012345678901234", D("115.00"))]
    assert reload_invoice(tenant, invoice.id).state == "paid"


@pytest.mark.parametrize("case", ["bad_signature", "other_tenants_secret", "tampered_body", "missing_headers"])
def test_unverified_webhooks_are_400_and_change_nothing(app, kushki_shop, case) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = kushki_shop
    other = make_tenant(country="EC")
    configure(other, "kushki", {"private_merchant_id": "other-private", "webhook_signature": "OTHER-webhook-secret"})
    body = webhook_body(tenant, invoice)
    before = payments_snapshot(tenant.id)
    client = app.test_client()
    url = f"/api/v1/payments/webhooks/kushki/{tenant.slug}"
    if case == "bad_signature":
        response = client.post(url, data=body, headers={"Content-Type": "application/json", "X-Kushki-Id": "1", "X-Kushki-Signature": "0" * 64})
    elif case == "other_tenants_secret":
        response = deliver(app, tenant.slug, body, secret="OTHER-webhook-secret")
    elif case == "tampered_body":
        signature = sign(KUSHKI_SECRETS["webhook_signature"], "1", body)
        response = client.post(url, data=body.replace(b"115.0", b"999.0"),
                               headers={"Content-Type": "application/json", "X-Kushki-Id": "1", "X-Kushki-Signature": signature})
    else:
        response = client.post(url, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert payments_snapshot(tenant.id) == before


def test_charge_refund_and_error_classes_against_the_fake(app, kushki_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = kushki_shop
    client = KushkiProvider(KUSHKI_SECRETS, {"public_merchant_id": PUBLIC_ID})
    request = CheckoutRequest(tenant_id=str(tenant.id), invoice_id=str(invoice.id), operation_id="op-k-1", amount=D("115.00"),
                              currency="USD", description="Factura", success_url="", cancel_url="")
    charged = client.charge("tok_ok", request)
    call = fake.calls[0]
    assert (call.method, call.path, call.headers["Private-Merchant-Id"]) == ("POST", "/card/v1/charges", KUSHKI_SECRETS["private_merchant_id"])
    assert call.json()["amount"] == {"subtotalIva": 0, "subtotalIva0": 115.0, "ice": 0, "iva": 0, "currency": "USD"}
    assert call.json()["metadata"] == {"tenant_id": str(tenant.id), "invoice_id": str(invoice.id), "operation_id": "op-k-1"}
    assert (charged.status, charged.amount, charged.currency) == ("succeeded", D("115.00"), "USD")
    refund = client.refund(charged.reference, D("15.00"), currency="USD", operation_id="op-r-1")
    assert (fake.calls[1].method, fake.calls[1].path) == ("DELETE", f"/v1/refund/{charged.reference}")
    assert fake.calls[1].json()["amount"]["subtotalIva0"] == 15.0 and refund.amount == D("15.00")
    with pytest.raises(ProviderError) as declined:
        client.charge("declined", request)
    fake.fail_with = [500]
    with pytest.raises(ProviderError) as unavailable:
        client.charge("tok_ok", request)
    assert (declined.value.is_retryable, declined.value.status) == (False, 402)
    assert (unavailable.value.is_retryable, unavailable.value.status) == (True, 500)


def test_card_charge_through_the_api_records_once_even_with_the_later_webhook(app, kushki_fake) -> None:  # type: ignore[no-untyped-def]
    from tests.api_helpers import login_as

    fake = kushki_fake
    with app.app_context():  # API calls run outside the test's app context (each request has its own `g`)
        tenant = make_tenant(country="EC")
        configure(tenant, "kushki", KUSHKI_SECRETS, {"public_merchant_id": PUBLIC_ID})
        invoice = invoice_of(tenant)
        invoice_id = invoice.id
    session = login_as(app, tenant, "sales")
    declined = session.post(f"/api/v1/invoices/{invoice_id}/card-charges", json={"token": "declined"})
    assert declined.status_code == 422 and "provider" in declined.get_json()["errors"]
    response = session.post(f"/api/v1/invoices/{invoice_id}/card-charges", json={"token": "tok_ok"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["method"], body["amount"], body["applied_amount"]) == ("kushki", "115.00", "115.00")
    charge = [call for call in fake.calls if call.path == "/card/v1/charges"][-1].json()
    assert charge["metadata"]["invoice_id"] == str(invoice_id) and charge["token"] == "tok_ok"
    deliver(app, tenant.slug, webhook_body(tenant, invoice, ticket=body["provider_reference"]))
    with app.app_context():
        assert [p.provider_reference for p in payments_of(tenant, invoice_id)] == [body["provider_reference"]]
        assert reload_invoice(tenant, invoice_id).state == "paid"
