"""Webhook deliveries: signed, once per delivery, after commit; retried with backoff, then failed; replayable."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gestiq_app.crypto import decrypt
from gestiq_app.db import unit_of_work
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.webhooks.models import WebhookSubscription
from gestiq_app.webhooks.services import publish_event, retry_delay_seconds
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.webhooks.conftest import verify_signature

BUSINESS_EVENTS = ["invoice.issued", "invoice.paid", "payment.received", "import.completed", "einvoice.authorized"]


def _subscribe(session, url: str, events: list[str]) -> dict:  # type: ignore[no-untyped-def]
    response = session.post("/api/v1/webhooks/subscriptions", json={"url": url, "events": events, "description": "ERP externo"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _publish(app, tenant_id, event: str, payload: dict) -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant_id), unit_of_work():
        publish_event(tenant_id=tenant_id, event=event, payload=payload)


def test_each_event_reaches_the_receiver_once_with_a_valid_signature(app, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    created = _subscribe(owner, receiver.url, BUSINESS_EVENTS)
    secret = created["secret"]
    assert secret.startswith("whsec_")
    for event in BUSINESS_EVENTS:
        _publish(app, tenant.id, event, {"numero": f"F-{event}", "importe": "121.00"})

    assert [request["json"]["event"] for request in receiver.requests] == BUSINESS_EVENTS
    listed = owner.get("/api/v1/webhooks/deliveries?page_size=50&sort=created_at").get_json()
    assert listed["total"] == 5
    assert {item["state"] for item in listed["items"]} == {"succeeded"}
    delivery_ids = {item["id"] for item in listed["items"]}
    for request in receiver.requests:
        headers, body = request["headers"], request["body"]
        assert verify_signature(headers["X-GestiQ-Signature"], body, secret)
        assert not verify_signature(headers["X-GestiQ-Signature"], body + b" ", secret)
        assert headers["X-GestiQ-Event"] == request["json"]["event"]
        assert headers["Content-Type"] == "application/json"
        assert request["path"] == "/hooks/gestiq"
        assert request["json"]["tenant_id"] == str(tenant.id)
        assert request["json"]["data"] == {"numero": f"F-{request['json']['event']}", "importe": "121.00"}
    assert {request["headers"]["X-GestiQ-Delivery"] for request in receiver.requests} == delivery_ids

    ping = owner.post(f"/api/v1/webhooks/subscriptions/{created['id']}/ping")
    assert ping.status_code == 202 and ping.get_json()["event"] == "ping"
    assert receiver.requests[-1]["json"]["event"] == "ping" and len(receiver.requests) == 6


def test_nothing_is_sent_when_the_transaction_rolls_back(app, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
    _subscribe(login_as(app, tenant, "owner"), receiver.url, ["invoice.issued"])

    class Abort(Exception):
        pass

    with pytest.raises(Abort), app.app_context(), tenant_context(tenant.id), unit_of_work():
        publish_event(tenant_id=tenant.id, event="invoice.issued", payload={"numero": "F-1"})
        raise Abort
    _publish(app, tenant.id, "invoice.paid", {"numero": "F-2"})  # not subscribed
    assert receiver.requests == []


def test_a_failing_receiver_is_retried_then_marked_failed_and_can_be_replayed(app, deliveries_to_loopback, receiver, json_log) -> None:  # type: ignore[no-untyped-def]
    receiver.statuses, receiver.body = [500], "x" * 5000
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    _subscribe(owner, receiver.url, ["invoice.issued"])
    _publish(app, tenant.id, "invoice.issued", {"numero": "F-9"})

    assert len(receiver.requests) == 3
    assert len({request["headers"]["X-GestiQ-Delivery"] for request in receiver.requests}) == 1
    logged = [(line["attempt"], line["status_code"], line["outcome"]) for line in json_log() if line["message"] == "webhook attempt"]
    assert logged == [(1, 500, "retrying"), (2, 500, "retrying"), (3, 500, "failed")]
    delivery = owner.get("/api/v1/webhooks/deliveries").get_json()["items"][0]
    assert (delivery["state"], delivery["attempts"], delivery["last_status_code"]) == ("failed", 3, 500)
    detail = owner.get(f"/api/v1/webhooks/deliveries/{delivery['id']}").get_json()
    assert [(a["number"], a["status_code"], len(a["response_body"])) for a in detail["attempt_log"]] == [(1, 500, 1000), (2, 500, 1000), (3, 500, 1000)]

    receiver.statuses, receiver.body = [200], "recibido"
    replay = owner.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/replay")
    assert replay.status_code == 202
    replayed = owner.get(f"/api/v1/webhooks/deliveries/{replay.get_json()['id']}").get_json()
    assert (replayed["state"], replayed["replay_of_id"], replayed["event_id"]) == ("succeeded", delivery["id"], delivery["event_id"])
    assert receiver.requests[-1]["json"]["id"] == delivery["event_id"]
    assert receiver.requests[-1]["headers"]["X-GestiQ-Delivery"] == replayed["id"]


def test_a_client_error_is_final_and_a_connection_error_is_retried(app, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.statuses = [410]
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    _subscribe(owner, receiver.url, ["invoice.paid"])
    closed_port = _subscribe(owner, "http://127.0.0.1:9/cerrado", ["invoice.paid"])
    _publish(app, tenant.id, "invoice.paid", {"numero": "F-3"})
    by_subscription = {item["subscription_id"]: item for item in owner.get("/api/v1/webhooks/deliveries").get_json()["items"]}
    refused = by_subscription.pop(closed_port["id"])
    (gone,) = by_subscription.values()
    assert (gone["state"], gone["attempts"], gone["last_status_code"]) == ("failed", 1, 410)
    assert (refused["state"], refused["attempts"], refused["last_status_code"]) == ("failed", 3, None)
    assert "ConnectionRefusedError" in refused["last_error"]


def test_retry_delays_grow_exponentially(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_WEBHOOKS_RETRY_BASE_SECONDS", "30")
    with app.app_context():
        assert [retry_delay_seconds(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]


def test_the_address_is_checked_again_at_delivery_time(app, deliveries_to_loopback, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    _subscribe(owner, receiver.url, ["invoice.issued"])
    monkeypatch.setitem(app.config, "GESTIQ_WEBHOOKS_ALLOW_PRIVATE", "0")  # as if the name now resolved to a private address
    _publish(app, tenant.id, "invoice.issued", {"numero": "F-4"})
    assert receiver.requests == []
    delivery = owner.get("/api/v1/webhooks/deliveries").get_json()["items"][0]
    assert (delivery["state"], delivery["attempts"]) == ("failed", 1)
    assert delivery["last_error"].startswith("URL no permitida")


def test_the_secret_is_shown_once_and_stored_encrypted(app, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    created = _subscribe(owner, receiver.url, ["ping"])
    assert "secret" not in owner.get(f"/api/v1/webhooks/subscriptions/{created['id']}").get_json()
    assert all("secret" not in item for item in owner.get("/api/v1/webhooks/subscriptions").get_json())
    with app.app_context(), tenant_context(tenant.id):
        stored = db.session.scalar(select(WebhookSubscription).where(WebhookSubscription.id == uuid.UUID(created["id"])))
        assert created["secret"] not in stored.secret_encrypted
        assert decrypt(stored.secret_encrypted) == created["secret"]
