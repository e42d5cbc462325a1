"""Stripe against a local fake speaking its wire format: Checkout Sessions, signed webhooks, dedupe, order, refunds."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.payments import links, services
from gestiq_app.payments.exceptions import ProviderUnavailableError
from gestiq_app.payments.models import PaymentRequest, ProviderEvent, Refund
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant
from tests.payments.conftest import STRIPE_SECRETS, configure, invoice_of, payments_of, payments_snapshot, reload_invoice
from tests.payments.fakes import stripe_event, stripe_signature

D = Decimal
SECRET = STRIPE_SECRETS["webhook_secret"]


def post_event(app: Any, slug: str, body: bytes, *, secret: str = SECRET, timestamp: int | None = None,
               signature: str | None = None):  # type: ignore[no-untyped-def]
    """Deliver a Stripe event to the tenant's webhook as Stripe does (raw JSON body, Stripe-Signature)."""
    header = signature if signature is not None else stripe_signature(body, secret, timestamp)
    return app.test_client().post(f"/api/v1/payments/webhooks/stripe/{slug}", data=body,
                                  headers={"Stripe-Signature": header, "Content-Type": "application/json; charset=utf-8"})


@pytest.fixture()
def shop(app_context, stripe_fake):  # type: ignore[no-untyped-def]
    """A Spanish tenant with Stripe configured and an issued invoice of 121.00."""
    tenant = make_tenant(country="ES")
    configure(tenant, "stripe", STRIPE_SECRETS)
    return tenant, invoice_of(tenant), stripe_fake


def _metadata(tenant: Any, invoice: Any, operation_id: str = "op-1") -> dict[str, str]:
    return {"tenant_id": str(tenant.id), "invoice_id": str(invoice.id), "operation_id": operation_id}


def _session_completed(tenant: Any, invoice: Any, intent: str, amount: int = 12100, **extra: Any) -> bytes:
    return stripe_event("checkout.session.completed", {
        "id": f"cs_test_{intent}", "object": "checkout.session", "payment_status": "paid", "status": "complete",
        "amount_total": amount, "currency": "eur", "payment_intent": intent, "metadata": _metadata(tenant, invoice)}, **extra)


def test_checkout_session_carries_metadata_amount_and_an_idempotency_key(shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    with tenant_context(tenant.id):
        link = links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider=None, actor="test")
        again = links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider="stripe", actor="test")
    assert link.url is not None and link.url.startswith("https://checkout.stripe.test/c/pay/cs_test_")
    assert again.request.id == link.request.id and again.url == link.url
    assert len(fake.calls) == 1  # the open link is reused: no second session
    call = fake.calls[0]
    form = call.form()
    assert call.headers["Authorization"] == f"Bearer {STRIPE_SECRETS['api_key']}"
    assert call.headers["Idempotency-Key"] == f"gestiq-checkout-{link.request.operation_id}"
    assert form["metadata[tenant_id]"] == str(tenant.id)
    assert form["metadata[invoice_id]"] == str(invoice.id)
    assert form["payment_intent_data[metadata][invoice_id]"] == str(invoice.id)
    assert (form["line_items[0][price_data][unit_amount]"], form["line_items[0][price_data][currency]"], form["mode"]) == ("12100", "eur", "payment")


def test_a_failed_create_is_retried_with_the_same_idempotency_key(shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    fake.fail_with = [503]
    with tenant_context(tenant.id):
        with pytest.raises(ProviderUnavailableError):
            links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider="stripe", actor="test")
        link = links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider="stripe", actor="test")
    keys = [call.headers["Idempotency-Key"] for call in fake.calls]
    assert keys == [f"gestiq-checkout-{link.request.operation_id}"] * 2
    with tenant_context(tenant.id):
        assert len(db.session.scalars(select(PaymentRequest)).all()) == 1


def test_an_event_delivered_twice_records_one_payment(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    body = _session_completed(tenant, invoice, "pi_twice")
    first, second = post_event(app, tenant.slug, body), post_event(app, tenant.slug, body)
    assert (first.status_code, first.get_json()) == (200, {"received": True, "duplicate": False})
    assert (second.status_code, second.get_json()) == (200, {"received": True, "duplicate": True})
    payments = payments_of(tenant, invoice.id)
    assert [(p.method, p.provider_reference, p.amount) for p in payments] == [("stripe", "pi_twice", D("121.00"))]
    assert reload_invoice(tenant, invoice.id).state == "paid"


def test_session_completed_and_intent_succeeded_for_one_payment_record_it_once(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    post_event(app, tenant.slug, _session_completed(tenant, invoice, "pi_both", amount=5000))
    intent = {"id": "pi_both", "object": "payment_intent", "amount": 5000, "amount_received": 5000, "currency": "eur",
              "status": "succeeded", "metadata": _metadata(tenant, invoice)}
    assert post_event(app, tenant.slug, stripe_event("payment_intent.succeeded", intent)).status_code == 200
    assert [(p.provider_reference, p.amount) for p in payments_of(tenant, invoice.id)] == [("pi_both", D("50.00"))]
    stored = reload_invoice(tenant, invoice.id)
    assert (stored.state, stored.amount_due) == ("partially_paid", D("71.00"))


@pytest.mark.parametrize("case", ["bad_signature", "old_timestamp", "other_tenants_secret", "no_header", "zero_tolerance_replay"])
def test_forged_or_stale_events_are_400_and_change_nothing(app, shop, case) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    other = make_tenant(country="ES")
    configure(other, "stripe", {"api_key": "sk_test_other", "webhook_secret": "whsec_OTHER_tenant"})
    body = _session_completed(tenant, invoice, "pi_forged")
    before = payments_snapshot(tenant.id)
    kwargs: dict[str, Any] = {
        "bad_signature": {"signature": f"t={int(time.time())},v1={'0' * 64}"},
        "old_timestamp": {"timestamp": int(time.time()) - 301},
        "other_tenants_secret": {"secret": "whsec_OTHER_tenant"},
        "no_header": {"signature": ""},
        "zero_tolerance_replay": {"timestamp": int(time.time()) - 3600},
    }[case]
    response = post_event(app, tenant.slug, body, **kwargs)
    assert response.status_code == 400, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert payments_snapshot(tenant.id) == before


def test_unknown_tenant_slug_is_400(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    response = post_event(app, "no-such-tenant", _session_completed(tenant, invoice, "pi_x"))
    assert response.status_code == 400


def test_payment_failed_after_succeeded_does_not_unpay(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    intent = fake.add_intent(amount=12100, metadata=_metadata(tenant, invoice))
    post_event(app, tenant.slug, stripe_event("payment_intent.succeeded", intent))
    late_failure = {**intent, "status": "requires_payment_method", "amount_received": 0}
    response = post_event(app, tenant.slug, stripe_event("payment_intent.payment_failed", late_failure))
    assert response.status_code == 200
    stored = reload_invoice(tenant, invoice.id)
    assert (stored.state, stored.amount_paid, stored.amount_due) == ("paid", D("121.00"), D("0.00"))
    assert len(payments_of(tenant, invoice.id)) == 1
    assert fake.calls[-1].method == "GET" and fake.calls[-1].path == f"/v1/payment_intents/{intent['id']}"  # re-fetched


def test_a_failed_request_moves_forward_to_paid_never_back(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    with tenant_context(tenant.id):
        link = links.create_payment_link(tenant_id=tenant.id, document_id=invoice.id, provider="stripe", actor="test")
    operation = link.request.operation_id
    intent = fake.add_intent(amount=12100, metadata=_metadata(tenant, invoice, operation), status="requires_payment_method")
    post_event(app, tenant.slug, stripe_event("payment_intent.payment_failed", intent))
    with tenant_context(tenant.id):
        assert db.session.get(PaymentRequest, link.request.id).state == "failed"
    intent.update(status="succeeded", amount_received=12100)
    post_event(app, tenant.slug, stripe_event("payment_intent.succeeded", intent))
    post_event(app, tenant.slug, stripe_event("payment_intent.payment_failed", {**intent, "status": "requires_payment_method"}))
    db.session.rollback()
    with tenant_context(tenant.id):
        assert db.session.scalars(select(PaymentRequest.state)).all() == ["paid"]
    assert reload_invoice(tenant, invoice.id).state == "paid"


def test_charge_refunded_refetches_refunds_and_reopens_the_amount_due(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    intent = fake.add_intent(amount=12100, metadata=_metadata(tenant, invoice))
    post_event(app, tenant.slug, stripe_event("payment_intent.succeeded", intent))
    fake.add_refund(intent["id"], 2100)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": intent["id"], "amount_refunded": 2100, "refunded": False}
    body = stripe_event("charge.refunded", charge)
    post_event(app, tenant.slug, body)
    post_event(app, tenant.slug, stripe_event("charge.refunded", charge))  # another event id, same refund
    stored = reload_invoice(tenant, invoice.id)
    assert (stored.state, stored.amount_paid, stored.amount_due) == ("partially_paid", D("100.00"), D("21.00"))
    with tenant_context(tenant.id):
        assert [(r.amount, r.provider_reference) for r in db.session.scalars(select(Refund))] == [(D("21.00"), fake.refunds[0]["id"])]


def test_a_refund_from_the_api_calls_stripe_once_and_the_webhook_does_not_double_it(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    intent = fake.add_intent(amount=12100, metadata=_metadata(tenant, invoice))
    post_event(app, tenant.slug, stripe_event("payment_intent.succeeded", intent))
    payment = payments_of(tenant, invoice.id)[0]
    with tenant_context(tenant.id):
        refund = services.refund_payment(tenant_id=tenant.id, payment_id=payment.id, actor="test",
                                         data={"amount": D("121.00"), "operation_id": "op-refund-1"})
    refund_call = [call for call in fake.calls if call.path == "/v1/refunds" and call.method == "POST"][0]
    assert refund_call.headers["Idempotency-Key"] == "gestiq-refund-op-refund-1"
    assert refund_call.form() == {"payment_intent": intent["id"], "amount": "12100"}
    post_event(app, tenant.slug, stripe_event("charge.refunded", {"id": "ch_2", "object": "charge", "payment_intent": intent["id"]}))
    with tenant_context(tenant.id):
        assert [r.provider_reference for r in db.session.scalars(select(Refund))] == [refund.provider_reference]
    stored = reload_invoice(tenant, invoice.id)
    assert (stored.state, stored.amount_paid, stored.amount_due) == ("issued", D("0.00"), D("121.00"))


def test_unknown_event_types_are_logged_and_acknowledged(app, shop, json_log) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    response = post_event(app, tenant.slug, stripe_event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_unknown"))
    assert response.status_code == 200
    with tenant_context(tenant.id):
        assert db.session.scalars(select(ProviderEvent.state).where(ProviderEvent.event_id == "evt_unknown")).one() == "ignored"
    assert any(line["message"] == "stripe event type not handled; acknowledged" and line.get("event_type") == "customer.created"
               for line in json_log())


@pytest.mark.postgres
@pytest.mark.parametrize("same_event", [True, False])
def test_concurrent_copies_record_one_payment_on_postgresql(app, shop, same_event) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    intent = fake.add_intent(amount=12100, metadata=_metadata(tenant, invoice))
    session_body = _session_completed(tenant, invoice, intent["id"])
    bodies = [session_body, session_body] if same_event else [session_body, stripe_event("payment_intent.succeeded", intent)]
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def deliver(body: bytes) -> None:
        with app.app_context():
            barrier.wait()
            statuses.append(post_event(app, tenant.slug, body).status_code)

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert [(p.provider_reference, p.amount) for p in payments_of(tenant, invoice.id)] == [(intent["id"], D("121.00"))]
    stored = reload_invoice(tenant, invoice.id)
    assert (stored.state, stored.amount_paid) == ("paid", D("121.00"))


def test_the_sweeper_processes_events_whose_trigger_was_lost_or_whose_run_died(app, shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import update

    from gestiq_app.db import unit_of_work, utcnow
    from gestiq_app.payments import notifications
    from gestiq_app.payments.tasks import resume_provider_events

    tenant, invoice, fake = shop
    tenant_id, invoice_id = tenant.id, invoice.id
    monkeypatch.setattr(notifications, "_enqueue", lambda tenant_id, row_id: None)  # the trigger is lost
    post_event(app, tenant.slug, _session_completed(tenant, invoice, "pi_lost", amount=2100, event_id="evt_lost"))
    post_event(app, tenant.slug, _session_completed(tenant, invoice, "pi_died", amount=1000, event_id="evt_died"))
    with tenant_context(tenant_id), unit_of_work() as current:
        current.execute(update(ProviderEvent).where(ProviderEvent.event_id == "evt_died")
                        .values(state="processing", claimed_at=utcnow() - timedelta(minutes=5)))
    assert resume_provider_events.call_local() == 0  # within the grace period and the lease: nothing yet
    with tenant_context(tenant_id), unit_of_work() as current:
        current.execute(update(ProviderEvent).values(received_at=utcnow() - timedelta(minutes=3)))
        current.execute(update(ProviderEvent).where(ProviderEvent.event_id == "evt_died")
                        .values(claimed_at=utcnow() - timedelta(minutes=11)))
    assert resume_provider_events.call_local() == 2
    assert sorted((p.provider_reference, p.amount) for p in payments_of(tenant, invoice_id)) == [("pi_died", D("10.00")), ("pi_lost", D("21.00"))]
    assert resume_provider_events.call_local() == 0
    with tenant_context(tenant_id):
        assert sorted(db.session.scalars(select(ProviderEvent.state))) == ["processed", "processed"]


def test_an_event_in_another_currency_is_marked_failed_and_records_nothing(app, shop) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice, fake = shop
    tenant_id, invoice_id = tenant.id, invoice.id
    intent = {"id": "pi_usd", "object": "payment_intent", "amount_received": 12100, "currency": "usd", "status": "succeeded",
              "metadata": _metadata(tenant, invoice)}
    assert post_event(app, tenant.slug, stripe_event("payment_intent.succeeded", intent, event_id="evt_usd")).status_code == 200
    assert payments_of(tenant, invoice_id) == []
    with tenant_context(tenant_id):
        event = db.session.scalars(select(ProviderEvent).where(ProviderEvent.event_id == "evt_usd")).one()
        assert (event.state, event.attempts) == ("failed", 1)
        assert event.last_error.startswith("Moneda distinta")
