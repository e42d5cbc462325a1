"""Webhook reception cost (prints numbers, asserts only outcomes): acknowledging only vs acknowledging and processing inline."""

from __future__ import annotations

import time
from decimal import Decimal

from tests.factories import make_tenant
from tests.payments.conftest import STRIPE_SECRETS, configure, invoice_of, payments_of
from tests.payments.fakes import stripe_event
from tests.payments.test_stripe import post_event

DELIVERIES = 30


def test_print_webhook_ack_and_processing_cost(app, app_context, stripe_fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.payments import notifications
    from gestiq_app.payments.tasks import resume_provider_events

    tenant = make_tenant(country="ES")
    configure(tenant, "stripe", STRIPE_SECRETS)
    invoice = invoice_of(tenant, price="1000")
    tenant_id, invoice_id, slug = tenant.id, invoice.id, tenant.slug
    metadata = {"tenant_id": str(tenant_id), "invoice_id": str(invoice_id)}

    def body(index: int, prefix: str) -> bytes:
        return stripe_event("payment_intent.succeeded", {"id": f"pi_{prefix}{index}", "object": "payment_intent", "amount_received": 100,
                                                         "currency": "eur", "status": "succeeded", "metadata": metadata})

    bodies = [body(i, "ack") for i in range(DELIVERIES)]
    with monkeypatch.context() as patch:
        patch.setattr(notifications, "_enqueue", lambda tenant_id, row_id: None)  # as with a real queue: only store and answer
        start = time.perf_counter()
        assert {post_event(app, slug, item).status_code for item in bodies} == {200}
        ack_ms = (time.perf_counter() - start) * 1000 / DELIVERIES
    inline = [body(i, "inline") for i in range(DELIVERIES)]
    start = time.perf_counter()
    assert {post_event(app, slug, item).status_code for item in inline} == {200}
    inline_ms = (time.perf_counter() - start) * 1000 / DELIVERIES
    print(f"\nwebhook ack only: {ack_ms:.1f} ms/delivery; ack + inline processing: {inline_ms:.1f} ms/delivery "
          f"(ratio {inline_ms / ack_ms:.2f})")
    assert len(payments_of(tenant, invoice_id)) == DELIVERIES
    monkeypatch.setattr(notifications, "GRACE", notifications.GRACE * 0)
    assert resume_provider_events.call_local() == DELIVERIES
    assert sum(p.amount for p in payments_of(tenant, invoice_id)) == Decimal("60.00")
