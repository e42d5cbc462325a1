"""Manual payments, partial payments, overpayment as customer credit, refunds, domain events and outbound webhooks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app import domain_events
from gestiq_app.extensions import db
from gestiq_app.payments import services
from gestiq_app.payments.exceptions import PaymentConflictError, PaymentInvalidError
from gestiq_app.payments.models import Payment
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.webhooks.models import WebhookDelivery, WebhookSubscription
from gestiq_app.crypto import encrypt
from gestiq_app.db import unit_of_work
from tests.payments.conftest import invoice_of, reload_invoice
from tests.sales.helpers import add_customer, create_invoice, line

D = Decimal


def _pay(tenant: Any, invoice_id: Any, amount: str, method: str = "bank_transfer", **extra: Any) -> Payment:
    with tenant_context(tenant.id):
        return services.record_payment(tenant_id=tenant.id, document_id=invoice_id, actor="test",
                                       data={"amount": D(amount), "method": method, **extra})


def _refund(tenant: Any, payment_id: Any, amount: str):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return services.refund_payment(tenant_id=tenant.id, payment_id=payment_id, actor="test", data={"amount": D(amount)})


def test_partial_then_full_payment_moves_the_invoice_to_paid(tenant) -> None:  # type: ignore[no-untyped-def]
    invoice = invoice_of(tenant)
    assert invoice.total == D("121.00")
    _pay(tenant, invoice.id, "21.00", "cash")
    partial = reload_invoice(tenant, invoice.id)
    assert (partial.state, partial.amount_paid, partial.amount_due) == ("partially_paid", D("21.00"), D("100.00"))
    _pay(tenant, invoice.id, "100.00", "card_terminal")
    paid = reload_invoice(tenant, invoice.id)
    assert (paid.state, paid.amount_paid, paid.amount_due) == ("paid", D("121.00"), D("0.00"))


def test_overpayment_is_held_as_customer_credit(tenant) -> None:  # type: ignore[no-untyped-def]
    invoice = invoice_of(tenant)
    payment = _pay(tenant, invoice.id, "150.00")
    assert (payment.applied_amount, payment.credit_amount) == (D("121.00"), D("29.00"))
    paid = reload_invoice(tenant, invoice.id)
    assert (paid.state, paid.amount_paid, paid.amount_due) == ("paid", D("121.00"), D("0.00"))
    with tenant_context(tenant.id):
        assert services.customer_credit(customer_id=invoice.customer_id) == D("29.00")


def test_a_refund_takes_the_credit_first_then_reopens_the_invoice(tenant) -> None:  # type: ignore[no-untyped-def]
    invoice = invoice_of(tenant)
    payment = _pay(tenant, invoice.id, "150.00")
    _refund(tenant, payment.id, "29.00")
    after_credit = reload_invoice(tenant, invoice.id)
    assert (after_credit.state, after_credit.amount_due) == ("paid", D("0.00"))
    _refund(tenant, payment.id, "21.00")
    reopened = reload_invoice(tenant, invoice.id)
    assert (reopened.state, reopened.amount_paid, reopened.amount_due) == ("partially_paid", D("100.00"), D("21.00"))
    with tenant_context(tenant.id):
        stored = db.session.get(Payment, payment.id)
        assert (stored.applied_amount, stored.credit_amount, stored.amount_refunded) == (D("100.00"), D("0.00"), D("50.00"))
        assert services.customer_credit(customer_id=invoice.customer_id) == D("0.00")


def test_invoice_amounts_always_equal_the_sum_of_its_payments(tenant) -> None:  # type: ignore[no-untyped-def]
    invoice = invoice_of(tenant)
    first = _pay(tenant, invoice.id, "40.00")
    _pay(tenant, invoice.id, "30.50")
    _refund(tenant, first.id, "10.00")
    stored = reload_invoice(tenant, invoice.id)
    with tenant_context(tenant.id):
        applied = sum(p.applied_amount for p in db.session.scalars(select(Payment).where(Payment.document_id == invoice.id)))
    assert applied == stored.amount_paid == D("60.50")
    assert stored.amount_due == stored.total - applied == D("60.50")


def test_refund_over_what_is_left_is_refused_and_changes_nothing(tenant) -> None:  # type: ignore[no-untyped-def]
    invoice_id = invoice_of(tenant).id
    payment_id = _pay(tenant, invoice_id, "50.00").id
    with pytest.raises(PaymentInvalidError):
        _refund(tenant, payment_id, "50.01")
    stored = reload_invoice(tenant, invoice_id)
    assert (stored.amount_paid, stored.amount_due) == (D("50.00"), D("71.00"))


def test_drafts_cannot_be_paid_and_bad_input_is_refused(tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(tenant)
    draft_id = create_invoice(tenant, customer, [line("1", "10")]).id
    with pytest.raises(PaymentConflictError):
        _pay(tenant, draft_id, "5.00")
    invoice_id = invoice_of(tenant).id  # ids kept: failed steps roll back and expire the objects
    with pytest.raises(PaymentInvalidError):
        _pay(tenant, invoice_id, "5.00", "stripe")
    with pytest.raises(PaymentInvalidError):
        _pay(tenant, invoice_id, "5.00", currency="USD")
    with pytest.raises(PaymentInvalidError):
        _pay(tenant, invoice_id, "5.00", paid_on=date(2000, 1, 1))
    assert reload_invoice(tenant, invoice_id).amount_paid == D("0.00")


def test_subscribers_receive_payment_and_refund_events_with_the_documented_attributes(tenant) -> None:  # type: ignore[no-untyped-def]
    received: list[tuple[str, dict[str, Any]]] = []

    def on_payment(**payload: Any) -> None:
        payment = payload["payment"]
        received.append(("payment", {
            "id": payment.id, "tenant_id": payment.tenant_id, "amount": payment.amount, "currency": payment.currency,
            "method": payment.method, "paid_on": payment.paid_on, "customer_id": payment.customer_id,
            "document": payload["document"].id, "applied_amount": payload["applied_amount"]}))

    def on_refund(**payload: Any) -> None:
        refund = payload["refund"]
        received.append(("refund", {"id": refund.id, "tenant_id": refund.tenant_id, "amount": refund.amount, "currency": refund.currency,
                                    "refunded_on": refund.refunded_on, "payment": payload["payment"].id}))

    domain_events.subscribe("payments.payment_recorded")(on_payment)
    domain_events.subscribe("payments.refund_recorded")(on_refund)
    try:
        invoice = invoice_of(tenant)
        payment = _pay(tenant, invoice.id, "130.00", paid_on=invoice.issue_date)
        refund = _refund(tenant, payment.id, "5.00")
    finally:
        domain_events.unsubscribe("payments.payment_recorded", on_payment)
        domain_events.unsubscribe("payments.refund_recorded", on_refund)
    assert received == [
        ("payment", {"id": payment.id, "tenant_id": tenant.id, "amount": D("130.00"), "currency": "EUR", "method": "bank_transfer",
                     "paid_on": invoice.issue_date, "customer_id": invoice.customer_id, "document": invoice.id,
                     "applied_amount": D("121.00")}),
        ("refund", {"id": refund.id, "tenant_id": tenant.id, "amount": D("5.00"), "currency": "EUR",
                    "refunded_on": refund.refunded_on, "payment": payment.id}),
    ]


def test_a_failing_subscriber_rolls_the_payment_back(tenant) -> None:  # type: ignore[no-untyped-def]
    def broken(**payload: Any) -> None:
        raise RuntimeError("journal unavailable")

    invoice_id = invoice_of(tenant).id
    domain_events.subscribe("payments.payment_recorded")(broken)
    try:
        with pytest.raises(RuntimeError):
            _pay(tenant, invoice_id, "10.00")
    finally:
        domain_events.unsubscribe("payments.payment_recorded", broken)
    stored = reload_invoice(tenant, invoice_id)
    assert (stored.state, stored.amount_paid) == ("issued", D("0.00"))
    with tenant_context(tenant.id):
        assert db.session.scalars(select(Payment).where(Payment.document_id == invoice_id)).all() == []


def test_outbound_webhooks_payment_received_and_invoice_paid(tenant) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id), unit_of_work() as current:
        current.add(WebhookSubscription(url="https://hooks.example.test/x", events=["payment.received", "invoice.paid"],
                                        secret_encrypted=encrypt("whsec_x"), is_active=False))
    with tenant_context(tenant.id), unit_of_work() as current:
        subscription = current.scalars(select(WebhookSubscription)).one()
        subscription.is_active = True
    invoice = invoice_of(tenant)
    _pay(tenant, invoice.id, "21.00")
    _pay(tenant, invoice.id, "100.00")
    db.session.rollback()
    with tenant_context(tenant.id):
        events = [(d.event, d.payload["data"].get("amount"), d.payload["data"].get("amount_paid"))
                  for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))]
    assert events == [("payment.received", "21.00", None), ("payment.received", "100.00", None), ("invoice.paid", None, "121.00")]


def test_payments_and_refunds_post_their_journal_entries_in_the_same_transaction(tenant) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.accounting.models import JournalEntry

    invoice = invoice_of(tenant)
    payment = _pay(tenant, invoice.id, "150.00")
    refund = _refund(tenant, payment.id, "40.00")
    with tenant_context(tenant.id):
        entries = {(e.source_type, e.source_id) for e in db.session.scalars(
            select(JournalEntry).where(JournalEntry.source_type.in_(("payment", "refund"))))}
    assert entries == {("payment", payment.id), ("refund", refund.id)}
