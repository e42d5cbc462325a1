"""The submission state machine end to end against the fakes: authorized, DEVUELTA final, EN PROCESO retried,
retries bounded by GESTIQ_EINVOICE_MAX_ATTEMPTS then waiting for a change, one send under concurrent runs."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from gestiq_app.db import unit_of_work, utcnow
from gestiq_app.einvoicing.certificates import upload_certificate
from gestiq_app.einvoicing.exceptions import EinvoicingConflictError
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.services import (
    issue_sri_document,
    register_verifactu_cancellation,
    register_verifactu_invoice,
    ride_pdf,
)
from gestiq_app.einvoicing.submissions import dispatch_due_submissions, process_submission
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from tests.einvoicing.conftest import P12_PASSWORD
from tests.einvoicing.samples import ec_invoice, es_cancellation, es_invoice
from tests.einvoicing.test_sri_engine import _pdftotext

pytestmark = pytest.mark.usefixtures("einvoicing_config")


def _certificate(tenant_id: uuid.UUID, test_certificate) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_id):
        upload_certificate(tenant_id=tenant_id, data=test_certificate[2], password=P12_PASSWORD, actor="test")


def _issue(tenant_id: uuid.UUID, document=None, *, enqueue: bool = False, document_id=None) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_id), unit_of_work():
        submission = issue_sri_document(document=document or ec_invoice(), document_id=document_id or uuid.uuid4(),
                                        enqueue=enqueue)
    return submission.id


def _row(tenant_id: uuid.UUID, submission_id: uuid.UUID) -> EinvoiceSubmission:
    with tenant_context(tenant_id):
        db.session.expire_all()
        row = db.session.get(EinvoiceSubmission, submission_id)
        db.session.expunge(row)  # keep the loaded values readable outside the tenant context
        db.session.rollback()
    return row


def _process(tenant_id: uuid.UUID, submission_id: uuid.UUID, now=None) -> str:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_id):
        return process_submission(submission_id=submission_id, now=now)


def test_the_demo_invoice_ends_authorized_and_the_ride_shows_it(other_tenant, test_certificate, fake_sri, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _certificate(other_tenant.id, test_certificate)
    document = ec_invoice()
    submission_id = _issue(other_tenant.id, document, enqueue=True)  # immediate Huey: the task runs after commit
    row = _row(other_tenant.id, submission_id)
    assert (row.state, row.authority_state, row.attempts) == ("authorized", "AUTORIZADO", 1)
    assert (row.authorization_number, row.authorized_at) == (document.access_key, "2025-03-14T10:20:30.000-05:00")
    assert document.access_key in row.authorized_xml and "<ds:Signature" in row.signed_payload
    assert (fake_sri.count("validarComprobante"), fake_sri.count("autorizacionComprobante")) == (1, 1)
    text = _pdftotext(ride_pdf(document=document, submission=row), tmp_path)
    assert "AUTORIZADO" in text and text.count(document.access_key) == 2


def test_devuelta_is_final_until_the_document_changes(other_tenant, test_certificate, fake_sri) -> None:  # type: ignore[no-untyped-def]
    _certificate(other_tenant.id, test_certificate)
    document, document_id = ec_invoice(), uuid.uuid4()
    fake_sri.script(document.access_key, reception=[("DEVUELTA", [("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML", "")]), "RECIBIDA"])
    submission_id = _issue(other_tenant.id, document, document_id=document_id)
    assert _process(other_tenant.id, submission_id) == "rejected"
    row = _row(other_tenant.id, submission_id)
    assert (row.authority_state, row.next_attempt_at, row.messages[0]["identificador"]) == ("DEVUELTA", None, "35")
    later = utcnow() + timedelta(days=1)
    assert _process(other_tenant.id, submission_id, now=later) == "rejected"
    assert all(item[1] != submission_id for item in dispatch_due_submissions(now=later))
    assert fake_sri.count("validarComprobante") == 1
    with pytest.raises(EinvoicingConflictError, match="ni el documento ni la configuración"):
        _issue(other_tenant.id, document, document_id=document_id)
    corrected = replace(document, additional_info=(("Email", "corregido@example.ec"),))
    assert _issue(other_tenant.id, corrected, document_id=document_id) == submission_id
    assert _row(other_tenant.id, submission_id).state == "pending"
    assert _process(other_tenant.id, submission_id) == "authorized"


def test_en_proceso_is_retried_without_sending_again(other_tenant, test_certificate, fake_sri) -> None:  # type: ignore[no-untyped-def]
    _certificate(other_tenant.id, test_certificate)
    document = ec_invoice()
    fake_sri.script(document.access_key, authorization=["EN PROCESO", "AUTORIZADO"])
    submission_id = _issue(other_tenant.id, document)
    start = utcnow()
    assert _process(other_tenant.id, submission_id, now=start) == "retry_wait"
    row = _row(other_tenant.id, submission_id)
    assert (row.authority_state, row.attempts) == ("EN PROCESO", 1)
    assert row.next_attempt_at.replace(tzinfo=None) == (start + timedelta(seconds=60)).replace(tzinfo=None)
    assert _process(other_tenant.id, submission_id, now=start + timedelta(seconds=30)) == "retry_wait"  # not due yet
    due = dispatch_due_submissions(now=start + timedelta(seconds=61))
    assert (other_tenant.id, submission_id) in due
    assert _process(other_tenant.id, submission_id, now=start + timedelta(seconds=61)) == "authorized"
    assert (fake_sri.count("validarComprobante"), fake_sri.count("autorizacionComprobante")) == (1, 2)


def test_failures_are_retried_at_most_max_attempts_then_wait_for_a_change(other_tenant, test_certificate, fake_sri) -> None:  # type: ignore[no-untyped-def]
    _certificate(other_tenant.id, test_certificate)
    document = ec_invoice()
    fake_sri.script(document.access_key, reception=[503])
    submission_id = _issue(other_tenant.id, document)
    moment, delays = utcnow(), []
    states = []
    for _ in range(5):
        states.append(_process(other_tenant.id, submission_id, now=moment))
        row = _row(other_tenant.id, submission_id)
        if row.next_attempt_at:
            delays.append(row.next_attempt_at.replace(tzinfo=None) - moment.replace(tzinfo=None))
        moment += timedelta(hours=7)
    assert states == ["retry_wait", "retry_wait", "failed", "failed", "failed"]  # GESTIQ_EINVOICE_MAX_ATTEMPTS=3
    assert delays == [timedelta(seconds=60), timedelta(seconds=120)]
    assert fake_sri.count("validarComprobante") == 3
    row = _row(other_tenant.id, submission_id)
    assert (row.attempts, row.last_error) == (3, "El SRI respondió HTTP 503")
    # A configuration change (a new certificate) re-arms it; the SRI is back.
    fake_sri.script(document.access_key, reception=["RECIBIDA"])
    from tests.einvoicing.conftest import make_certificate

    _certificate(other_tenant.id, make_certificate(common_name="NUEVO CERTIFICADO"))
    row = _row(other_tenant.id, submission_id)
    assert row.state in ("pending", "authorized")
    if row.state == "pending":
        assert _process(other_tenant.id, submission_id) == "authorized"


def test_without_a_certificate_the_submission_waits_for_one(other_tenant, test_certificate, fake_sri) -> None:  # type: ignore[no-untyped-def]
    submission_id = _issue(other_tenant.id)
    assert _process(other_tenant.id, submission_id) == "rejected"
    assert _row(other_tenant.id, submission_id).messages[0]["identificador"] == "GQ-CERT"
    assert fake_sri.count("validarComprobante") == 0
    _certificate(other_tenant.id, test_certificate)  # re-arms and enqueues (immediate Huey runs it)
    assert _row(other_tenant.id, submission_id).state == "authorized"


def test_two_concurrent_runs_send_once(app, other_tenant, test_certificate, fake_sri) -> None:  # type: ignore[no-untyped-def]
    _certificate(other_tenant.id, test_certificate)
    submission_id = _issue(other_tenant.id)
    fake_sri.delay_seconds = 0.5
    barrier, results = threading.Barrier(2), []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(_process(other_tenant.id, submission_id))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["authorized", "sending"]
    assert fake_sri.count("validarComprobante") == 1
    assert _row(other_tenant.id, submission_id).attempts == 1


def test_stale_sending_rows_are_recovered(other_tenant, test_certificate, fake_sri) -> None:  # type: ignore[no-untyped-def]
    submission_id = _issue(other_tenant.id)
    with tenant_context(other_tenant.id), unit_of_work() as current:
        row = current.get(EinvoiceSubmission, submission_id)
        row.state, row.last_attempt_at = "sending", utcnow() - timedelta(hours=1)
    due = dispatch_due_submissions()
    assert (other_tenant.id, submission_id) in due
    assert _row(other_tenant.id, submission_id).state == "retry_wait"


def test_verifactu_records_are_accepted_rejected_or_recognised_as_duplicates(tenant, fake_aeat) -> None:  # type: ignore[no-untyped-def]
    fake_aeat.script("R-2", [("Incorrecto", "1105", "El NIF del destinatario no está identificado.")])
    fake_aeat.script("R-3", [("Duplicado", "Correcta")])
    documents = {}
    for number in ("R-1", "R-2", "R-3"):
        document_id = uuid.uuid4()
        with tenant_context(tenant.id), unit_of_work():
            register_verifactu_invoice(invoice=es_invoice(number), document_id=document_id)
        documents[number] = document_id
    with tenant_context(tenant.id), unit_of_work():
        register_verifactu_cancellation(cancellation=es_cancellation("R-1"), document_id=documents["R-1"])
    with tenant_context(tenant.id):
        rows = db.session.scalars(select(EinvoiceSubmission).order_by(EinvoiceSubmission.created_at)).all()
        summary = [(r.document_kind, r.state, r.authority_state, r.authorization_number) for r in rows]
        rejected_messages = next(r for r in rows if r.state == "rejected").messages
        db.session.rollback()
    assert sorted(summary, key=str) == sorted([
        ("alta", "accepted", "Correcto", "A-YDSW8NLFLANWPM"), ("alta", "rejected", "Incorrecto", None),
        ("alta", "accepted", "Incorrecto", None), ("anulacion", "accepted", "Correcto", "A-YDSW8NLFLANWPM")], key=str)
    assert rejected_messages[0]["CodigoErrorRegistro"] == "1105"
    assert len(fake_aeat.requests) == 4
