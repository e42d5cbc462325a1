"""The in-transaction event bus: order, payload, unknown names, and exceptions reaching the caller."""

from collections import defaultdict

import pytest

from gestiq_app import domain_events


@pytest.fixture(autouse=True)
def no_app_subscribers(monkeypatch):
    """Hide the app's own subscribers (e-invoicing, accounting…): these tests emit fake payloads outside any app."""
    monkeypatch.setattr(domain_events, "_handlers", defaultdict(list))


def test_handlers_run_in_registration_order_with_the_payload():
    calls = []

    def first(**payload):
        calls.append(("first", payload))

    def second(**payload):
        calls.append(("second", payload))

    domain_events.subscribe("purchases.invoice_recorded")(first)
    domain_events.subscribe("purchases.invoice_recorded")(second)
    domain_events.subscribe("purchases.invoice_recorded")(first)  # registering twice keeps one
    try:
        domain_events.emit("purchases.invoice_recorded", document="doc-1")
    finally:
        domain_events.unsubscribe("purchases.invoice_recorded", first)
        domain_events.unsubscribe("purchases.invoice_recorded", second)
    assert calls == [("first", {"document": "doc-1"}), ("second", {"document": "doc-1"})]
    domain_events.emit("purchases.invoice_recorded", document="doc-2")
    assert len(calls) == 2


def test_unknown_events_are_refused():
    with pytest.raises(ValueError, match="unknown domain event"):
        domain_events.emit("sales.typo", document=None)
    with pytest.raises(ValueError, match="unknown domain event"):
        domain_events.subscribe("sales.typo")


def test_a_failing_handler_propagates_to_the_caller():
    def broken(**payload):
        raise RuntimeError("boom")

    domain_events.subscribe("payments.refund_recorded")(broken)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            domain_events.emit("payments.refund_recorded", refund=None, payment=None)
    finally:
        domain_events.unsubscribe("payments.refund_recorded", broken)
