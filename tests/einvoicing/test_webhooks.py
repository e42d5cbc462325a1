"""Outbound webhooks of e-invoicing: einvoice.authorized and einvoice.rejected, signed, once per outcome."""

from __future__ import annotations

import uuid

from gestiq_app.einvoicing.submissions import process_submission
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.einvoicing.flow import EC_LINES, ES_LINES, ec_tenant, es_tenant, issue_through_api
from tests.webhooks.conftest import deliveries_to_loopback, receiver, verify_signature  # noqa: F401 - fixtures

EVENTS = ["einvoice.authorized", "einvoice.rejected"]


def _subscribe(owner, url: str) -> str:  # type: ignore[no-untyped-def]
    created = owner.post("/api/v1/webhooks/subscriptions", json={"url": url, "events": EVENTS, "description": "ERP externo"})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["secret"]


def test_an_authorized_invoice_is_announced_once_with_a_valid_signature(
        app, einvoicing_config, fake_sri, test_certificate, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    secret = _subscribe(owner, receiver.url)
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    status = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()
    assert status["state"] == "authorized"
    assert [request["json"]["event"] for request in receiver.requests] == ["einvoice.authorized"]
    request = receiver.requests[0]
    assert verify_signature(request["headers"]["X-GestiQ-Signature"], request["body"], secret)
    data = request["json"]["data"]
    assert data == {
        "submission_id": status["submissions"][0]["id"], "document_id": invoice["id"], "document_kind": "factura",
        "channel": "sri", "state": "authorized", "authority_state": "AUTORIZADO", "reference": status["access_key"],
        "environment": 1, "authorization_number": status["access_key"], "authorized_at": "2025-03-14T10:20:30.000-05:00",
        "attempts": 1, "error": None, "messages": [],
    }
    assert request["json"]["tenant_id"] == str(tenant.id)
    with app.app_context(), tenant_context(tenant.id):  # a second run of the task finds it settled: nothing new is sent
        assert process_submission(submission_id=uuid.UUID(data["submission_id"])) == "authorized"
    assert len(receiver.requests) == 1


def test_a_rejection_is_announced_once_with_the_sri_messages(
        app, einvoicing_config, fake_sri, test_certificate, deliveries_to_loopback, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    _subscribe(owner, receiver.url)
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "0")  # issue first, to learn the clave; nothing is sent
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    pending = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()
    key, submission_id = pending["access_key"], uuid.UUID(pending["submissions"][0]["id"])
    fake_sri.script(key, reception=["RECIBIDA"], authorization=[
        ("NO AUTORIZADO", [("56", "ERROR ESTABLECIMIENTO CERRADO", "El establecimiento 001 está clausurado")])])
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "1")
    with app.app_context(), tenant_context(tenant.id):
        assert process_submission(submission_id=submission_id) == "rejected"
        assert process_submission(submission_id=submission_id) == "rejected"  # settled: no second attempt, no second event
    assert [request["json"]["event"] for request in receiver.requests] == ["einvoice.rejected"]
    data = receiver.requests[0]["json"]["data"]
    assert (data["document_id"], data["state"], data["authority_state"], data["reference"], data["attempts"],
            data["authorization_number"], data["error"]) == (
        invoice["id"], "rejected", "NO AUTORIZADO", key, 1, None, "ERROR ESTABLECIMIENTO CERRADO")
    assert data["messages"] == [{"identificador": "56", "mensaje": "ERROR ESTABLECIMIENTO CERRADO",
                                 "informacionAdicional": "El establecimiento 001 está clausurado", "tipo": "ERROR"}]
    deliveries = owner.get("/api/v1/webhooks/deliveries?event=einvoice.rejected").get_json()
    assert (deliveries["total"], deliveries["items"][0]["state"]) == (1, "succeeded")


def test_unsubscribed_tenants_get_nothing(app, einvoicing_config, fake_sri, test_certificate, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    created = owner.post("/api/v1/webhooks/subscriptions", json={"url": receiver.url, "events": ["invoice.paid"]})
    assert created.status_code == 201
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    assert owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()["state"] == "authorized"
    assert receiver.requests == []


def test_a_verifactu_record_accepted_by_the_aeat_is_announced_as_authorized(
        app, einvoicing_config, fake_aeat, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app, submit=True)
    owner = login_as(app, tenant, "owner")
    _subscribe(owner, receiver.url)
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    status = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()
    assert status["state"] == "accepted"
    assert [request["json"]["event"] for request in receiver.requests] == ["einvoice.authorized"]
    data = receiver.requests[0]["json"]["data"]
    assert (data["document_id"], data["channel"], data["document_kind"], data["state"], data["reference"], data["attempts"]) == (
        invoice["id"], "verifactu", "alta", "accepted", status["huella"], 1)
