"""Payphone against a local fake: Links, the unsigned notification confirmed with V2/Confirm, errors, reversal."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.payments import links, services
from gestiq_app.payments.exceptions import PaymentInvalidError, ProviderError
from gestiq_app.payments.models import PaymentRequest, Refund
from gestiq_app.payments.providers.payphone import PayphoneProvider
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant
from tests.payments.conftest import PAYPHONE_SECRETS, configure, invoice_of, payments_of, payments_snapshot, reload_invoice

D = Decimal
STORE = "store-ec-0001"


@pytest.fixture()
def ec_shop(app_context, payphone_fake):  # type: ignore[no-untyped-def]
    """An Ecuadorian tenant with Payphone, an issued invoice of 115.00 and its payment link."""
    tenant = make_tenant(country="EC")
    configure(tenant, "payphone", PAYPHONE_SECRETS, {"store_id": STORE})
    invoice = invoice_of(tenant)
    with tenant_context(tenant.id):
        link = links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider="payphone", actor="test")
    return tenant, invoice, link, payphone_fake


def notify(app: Any, slug: str, **body: Any):  # type: ignore[no-untyped-def]
    """Post Payphone's "Notificación externa" to the tenant's webhook."""
    return app.test_client().post(f"/api/v1/payments/webhooks/payphone/{slug}", data=json.dumps(body),
                                  headers={"Content-Type": "application/json"})


def test_link_request_is_in_payphone_format(ec_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, link, fake = ec_shop
    assert invoice.total == D("115.00")
    call = fake.calls[0]
    body = call.json()
    assert (call.method, call.path, call.headers["Authorization"]) == ("POST", "/api/Links", f"Bearer {PAYPHONE_SECRETS['token']}")
    assert {k: body[k] for k in ("amount", "amountWithoutTax", "amountWithTax", "tax", "service", "tip", "currency", "storeId", "oneTime")} == {
        "amount": 11500, "amountWithoutTax": 11500, "amountWithTax": 0, "tax": 0, "service": 0, "tip": 0, "currency": "USD",
        "storeId": STORE, "oneTime": True}
    assert body["clientTransactionId"] == link.request.operation_id[:15] == link.request.provider_reference
    assert link.url == f"https://ppls.me/{body['clientTransactionId']}"


def test_notification_is_confirmed_with_payphone_then_recorded_once(app, ec_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, link, fake = ec_shop
    client_tx = link.request.provider_reference
    transaction = fake.pay(client_tx, 11500)
    body = {"StoreId": STORE, "ClientTransactionId": client_tx, "TransactionId": transaction, "Amount": 11500, "Currency": "USD",
            "StatusCode": 3}
    first, second = notify(app, tenant.slug, **body), notify(app, tenant.slug, **body)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == {"Response": True, "ErrorCode": "000", "received": True, "duplicate": False}
    confirm = [call for call in fake.calls if call.path == "/api/button/V2/Confirm"]
    assert [call.json() for call in confirm] == [{"id": transaction, "clientTxId": client_tx}]
    assert [(p.method, p.provider_reference, p.amount) for p in payments_of(tenant, invoice.id)] == [("payphone", str(transaction), D("115.00"))]
    assert reload_invoice(tenant, invoice.id).state == "paid"


def test_a_notification_payphone_does_not_confirm_records_nothing(app, ec_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, link, fake = ec_shop
    client_tx = link.request.provider_reference
    transaction = fake.pay(client_tx, 11500, status_code=2)  # cancelled at Payphone, whatever the notification claims
    notify(app, tenant.slug, StoreId=STORE, ClientTransactionId=client_tx, TransactionId=transaction, Amount=11500, StatusCode=3)
    assert payments_of(tenant, invoice.id) == []
    with tenant_context(tenant.id):
        assert db.session.scalars(select(PaymentRequest.state)).all() == ["failed"]
    assert reload_invoice(tenant, invoice.id).state == "issued"


def test_a_notification_for_another_store_is_400_and_changes_nothing(app, ec_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, link, fake = ec_shop
    client_tx = link.request.provider_reference
    before = payments_snapshot(tenant.id)
    response = notify(app, tenant.slug, StoreId="another-store", ClientTransactionId=client_tx,
                      TransactionId=1, Amount=11500, StatusCode=3)
    assert response.status_code == 400
    assert payments_snapshot(tenant.id) == before


def test_timeouts_and_5xx_are_retryable_4xx_are_final(app, ec_shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, link, fake = ec_shop
    client = PayphoneProvider(PAYPHONE_SECRETS, {"store_id": STORE})
    fake.fail_with = [503]
    with pytest.raises(ProviderError) as unavailable:
        client.fetch_payment("1000")
    fake.delay_seconds = 1.5
    monkeypatch.setitem(app.config, "GESTIQ_PAYMENTS_TIMEOUT_SECONDS", "0.5")
    with pytest.raises(ProviderError) as timed_out:
        client.fetch_payment("1000")
    fake.delay_seconds = 0
    with pytest.raises(ProviderError) as rejected:
        client.confirm(999, "nope")
    assert (unavailable.value.is_retryable, unavailable.value.status) == (True, 503)
    assert (timed_out.value.is_retryable, timed_out.value.status) == (True, None)
    assert (rejected.value.is_retryable, rejected.value.status) == (False, 400)


def test_refund_reverses_the_whole_payment_and_refuses_partial_ones(app, ec_shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, link, fake = ec_shop
    transaction = fake.pay(link.request.provider_reference, 11500)
    notify(app, tenant.slug, StoreId=STORE, ClientTransactionId=link.request.provider_reference, TransactionId=transaction,
           Amount=11500, StatusCode=3)
    payment = payments_of(tenant, invoice.id)[0]
    with tenant_context(tenant.id):
        with pytest.raises(PaymentInvalidError):
            services.refund_payment(tenant_id=tenant.id, payment_id=payment.id, actor="test", data={"amount": D("15.00")})
        services.refund_payment(tenant_id=tenant.id, payment_id=payment.id, actor="test", data={"amount": D("115.00")})
    reverse = [call for call in fake.calls if call.path == "/api/Reverse"]
    assert [call.json() for call in reverse] == [{"id": transaction}]
    stored = reload_invoice(tenant, invoice.id)
    assert (stored.state, stored.amount_due) == ("issued", D("115.00"))
    with tenant_context(tenant.id):
        assert [r.amount for r in db.session.scalars(select(Refund))] == [D("115.00")]
