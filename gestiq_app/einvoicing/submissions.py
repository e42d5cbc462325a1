"""The submission state machine: claim by compare-and-set, call the authority outside any transaction, settle.

pending ─┐                         ┌→ authorized (SRI) / accepted (AEAT)
retry_wait (due) ─→ sending ──────┼→ rejected   (final until the document or the configuration changes)
                                   └→ retry_wait (exponential backoff) ─→ … ─→ failed after N attempts
A task may run twice (Huey gives no delivery guarantee): only the run whose UPDATE … WHERE state IN
('pending', due 'retry_wait') matched moves the row to `sending`, so a document is sent once per attempt.
A run that dies while `sending` is recovered by the periodic dispatcher after SENDING_LEASE.
Reaching authorized/accepted publishes the `einvoice.authorized` webhook and reaching rejected `einvoice.rejected`
(`failed`, the retries exhausted, publishes nothing), in the transaction that settles the row: once per outcome.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from gestiq_app.db import call_after_commit, session, unit_of_work, utcnow
from gestiq_app.einvoicing.certificates import current_certificate_fingerprint, load_signing_material
from gestiq_app.einvoicing.ec_sri.client import SriClient, SriRequestError, SriTransientError
from gestiq_app.einvoicing.ec_sri.signing import CertificateError, sign_comprobante
from gestiq_app.einvoicing.es_verifactu.client import VerifactuClient, VerifactuRequestError, VerifactuTransientError
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.es_verifactu.xml import build_registration, soap_envelope
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.tenancy.context import platform_scope

log = logging.getLogger("gestiq.einvoicing")
SENDING_LEASE = timedelta(minutes=15)
LOST_ENQUEUE_GRACE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
#: Outbound webhook published (in the settling transaction) when a submission reaches these states.
WEBHOOK_EVENTS = {"authorized": "einvoice.authorized", "accepted": "einvoice.authorized", "rejected": "einvoice.rejected"}
NO_CERTIFICATE = {"identificador": "GQ-CERT", "mensaje": "La empresa no tiene certificado de firma electrónica",
                  "informacionAdicional": "Suba el archivo .p12 en Facturación electrónica > Certificado", "tipo": "ERROR"}


def _setting(name: str) -> str:
    return str(current_app.config[name])


def sri_urls(environment: int) -> tuple[str, str]:
    """Return the (reception, authorization) URLs of an SRI environment (1 pruebas, 2 producción)."""
    if environment == 2:
        return _setting("GESTIQ_SRI_PRODUCTION_RECEPTION_URL"), _setting("GESTIQ_SRI_PRODUCTION_AUTHORIZATION_URL")
    return _setting("GESTIQ_SRI_RECEPTION_URL"), _setting("GESTIQ_SRI_AUTHORIZATION_URL")


def config_fingerprint(channel: str, environment: int) -> str:
    """Return a digest of the configuration a submission depends on: the certificate and the endpoint."""
    endpoint = "|".join(sri_urls(environment)) if channel == "sri" else _setting("GESTIQ_VERIFACTU_URL")
    return hashlib.sha256(f"{current_certificate_fingerprint()}|{endpoint}".encode()).hexdigest()


def backoff_delay(attempts: int) -> timedelta:
    """Return the wait before the next attempt: base × 2^(attempts − 1), at most 6 hours."""
    base = int(_setting("GESTIQ_EINVOICE_RETRY_BASE_SECONDS"))
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def enqueue_after_commit(tenant_id: uuid.UUID, submission_id: uuid.UUID) -> None:
    """Trigger the submit task once the current unit of work commits (never before: the row must exist).

    Nothing is enqueued while GESTIQ_EINVOICE_SUBMIT is off (embedded default): the dispatcher picks the row up
    once it is turned on.
    """
    from gestiq_app.einvoicing.settings import is_submission_enabled
    from gestiq_app.einvoicing.tasks import submit_document

    if not is_submission_enabled():
        return  # GESTIQ_EINVOICE_SUBMIT=0: the row stays pending until an operator turns submission on
    call_after_commit(lambda: submit_document(str(tenant_id), str(submission_id)))


def add_submission(*, channel: str, document_id: uuid.UUID, document_kind: str, reference: str, environment: int,
                   payload: str | None, document_fingerprint: str, verifactu_record_id: uuid.UUID | None = None,
                   enqueue: bool = True) -> EinvoiceSubmission:
    """Create the document's submission, or re-arm a rejected/failed one whose document or config changed.

    Joins the caller's transaction; the task is enqueued after it commits.
    """
    from gestiq_app.einvoicing.exceptions import EinvoicingConflictError

    current = session()
    existing = current.scalars(
        select(EinvoiceSubmission).where(
            EinvoiceSubmission.channel == channel, EinvoiceSubmission.document_id == document_id,
            EinvoiceSubmission.document_kind == document_kind,
        ).with_for_update()
    ).first()
    configuration = config_fingerprint(channel, environment)
    if existing is None:
        submission = EinvoiceSubmission(
            channel=channel, document_id=document_id, document_kind=document_kind, reference=reference,
            environment=environment, payload=payload, verifactu_record_id=verifactu_record_id, state="pending",
            attempts=0, document_fingerprint=document_fingerprint, config_fingerprint=configuration, messages=[],
        )
        current.add(submission)
    else:
        submission = existing
        if submission.state in ("authorized", "accepted"):
            raise EinvoicingConflictError("El documento ya fue autorizado por la administración tributaria.")
        if submission.state in ("rejected", "failed") and (document_fingerprint, configuration) == (
                submission.document_fingerprint, submission.config_fingerprint):
            raise EinvoicingConflictError("El envío fue rechazado y ni el documento ni la configuración han cambiado.")
        if submission.state == "sending":
            raise EinvoicingConflictError("El documento se está enviando ahora mismo; inténtelo en unos minutos.")
        submission.payload, submission.reference, submission.environment = payload, reference, environment
        submission.verifactu_record_id = verifactu_record_id
        submission.document_fingerprint, submission.config_fingerprint = document_fingerprint, configuration
        submission.state, submission.attempts, submission.next_attempt_at = "pending", 0, None
        submission.messages, submission.last_error, submission.authority_state = [], None, None
    current.flush()
    if enqueue:
        enqueue_after_commit(submission.tenant_id, submission.id)
    return submission


def rearm_after_change(*, enqueue: bool = True) -> int:
    """Put back to pending the tenant's rejected/failed submissions whose configuration changed (current tx)."""
    current = session()
    rows = current.scalars(
        select(EinvoiceSubmission).where(EinvoiceSubmission.state.in_(("rejected", "failed"))).with_for_update()
    ).all()
    rearmed = 0
    for submission in rows:
        configuration = config_fingerprint(submission.channel, submission.environment)
        if configuration == submission.config_fingerprint:
            continue
        submission.config_fingerprint, submission.state, submission.attempts = configuration, "pending", 0
        submission.next_attempt_at, submission.authority_state = None, None
        rearmed += 1
        if enqueue:
            enqueue_after_commit(submission.tenant_id, submission.id)
    current.flush()
    return rearmed


@dataclass
class Claim:
    """What one run took from the row when it moved it to `sending`."""

    submission_id: uuid.UUID
    attempts: int
    channel: str
    reference: str
    environment: int
    payload: str | None
    authority_state: str | None
    verifactu_record_id: uuid.UUID | None


@dataclass
class Outcome:
    """How one attempt ended."""

    state: str
    authority_state: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _claim(submission_id: uuid.UUID, now: datetime) -> Claim | None:
    current = session()
    due = or_(EinvoiceSubmission.state == "pending",
              and_(EinvoiceSubmission.state == "retry_wait", EinvoiceSubmission.next_attempt_at <= now))
    result = current.execute(
        update(EinvoiceSubmission).where(EinvoiceSubmission.id == submission_id, due)
        .values(state="sending", attempts=EinvoiceSubmission.attempts + 1, last_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current.rollback()
        return None
    row = current.execute(
        select(EinvoiceSubmission.attempts, EinvoiceSubmission.channel, EinvoiceSubmission.reference,
               EinvoiceSubmission.environment, EinvoiceSubmission.payload, EinvoiceSubmission.authority_state,
               EinvoiceSubmission.verifactu_record_id).where(EinvoiceSubmission.id == submission_id)
    ).one()
    current.commit()
    return Claim(submission_id, *row)


def _settle(claim: Claim, outcome: Outcome, now: datetime) -> str:
    state = outcome.state
    values: dict[str, Any] = {"messages": outcome.messages, "last_error": outcome.error, "updated_at": now,
                              "authority_state": outcome.authority_state, **outcome.values}
    if state == "retry":
        if claim.attempts >= int(_setting("GESTIQ_EINVOICE_MAX_ATTEMPTS")):
            state = "failed"
        else:
            state, values["next_attempt_at"] = "retry_wait", now + backoff_delay(claim.attempts)
    if state in ("authorized", "accepted", "rejected", "failed"):
        values["finished_at"], values["next_attempt_at"] = now, None
    if state in ("rejected", "failed"):
        values["config_fingerprint"] = config_fingerprint(claim.channel, claim.environment)
    with unit_of_work() as current:
        result = current.execute(
            update(EinvoiceSubmission)
            .where(EinvoiceSubmission.id == claim.submission_id, EinvoiceSubmission.state == "sending",
                   EinvoiceSubmission.attempts == claim.attempts)
            .values(state=state, **values).execution_options(synchronize_session=False)
        )
        settled = result.rowcount == 1
        if settled and state in WEBHOOK_EVENTS:
            _publish_outcome(claim.submission_id, WEBHOOK_EVENTS[state])  # same transaction: sent once, after commit
        if settled and state == "authorized":
            call_after_commit(lambda: _refresh_printed_invoice(claim.submission_id))
    if not settled:
        log.warning("einvoice submission %s changed while sending; outcome %s dropped", claim.submission_id, state)
    return state


def _refresh_printed_invoice(submission_id: uuid.UUID) -> None:
    """Drop the stored PDF of an invoice the SRI just authorized: the next one prints the authorization."""
    from gestiq_app.pdf.services import invalidate_document_pdf
    from gestiq_app.sales.models import SalesDocument

    row = session().get(EinvoiceSubmission, submission_id)
    if row is not None and session().get(SalesDocument, row.document_id) is not None:
        invalidate_document_pdf(tenant_id=row.tenant_id, document_id=row.document_id)


def _publish_outcome(submission_id: uuid.UUID, event: str) -> None:
    """Add the einvoice.authorized / einvoice.rejected webhook deliveries of a settled submission (current tx)."""
    from gestiq_app.webhooks.services import publish_event

    row = session().execute(select(EinvoiceSubmission).where(EinvoiceSubmission.id == submission_id)
                            .execution_options(populate_existing=True)).scalar_one()
    payload = {
        "submission_id": str(row.id), "document_id": str(row.document_id), "document_kind": row.document_kind,
        "channel": row.channel, "state": row.state, "authority_state": row.authority_state, "reference": row.reference,
        "environment": row.environment, "authorization_number": row.authorization_number,
        "authorized_at": row.authorized_at, "attempts": row.attempts, "error": row.last_error,
        "messages": list(row.messages or []),
    }
    publish_event(tenant_id=row.tenant_id, event=event, payload=payload)


def process_submission(*, submission_id: uuid.UUID, now: datetime | None = None) -> str:
    """Run one attempt of a due submission of the current tenant; return the state it ends in."""
    moment = now or utcnow()
    claim = _claim(submission_id, moment)
    if claim is None:
        state = session().scalar(select(EinvoiceSubmission.state).where(EinvoiceSubmission.id == submission_id))
        session().rollback()
        return state or "missing"
    try:
        outcome = _attempt_sri(claim) if claim.channel == "sri" else _attempt_verifactu(claim)
    except Exception as error:  # noqa: BLE001 - an unexpected bug must not leave the row in `sending`
        session().rollback()
        log.exception("einvoice submission %s crashed", submission_id)
        outcome = Outcome(state="retry", authority_state=claim.authority_state, error=f"{type(error).__name__}: {error}")
    return _settle(claim, outcome, moment)


def _timeout() -> float:
    return float(_setting("GESTIQ_EINVOICE_TIMEOUT_SECONDS"))


def _attempt_sri(claim: Claim) -> Outcome:
    material = load_signing_material()
    session().commit()
    if material is None:
        return Outcome(state="rejected", messages=[NO_CERTIFICATE], error=NO_CERTIFICATE["mensaje"])
    reception_url, authorization_url = sri_urls(claim.environment)
    client = SriClient(reception_url=reception_url, authorization_url=authorization_url, timeout=_timeout())
    stage = claim.authority_state if claim.authority_state in ("RECIBIDA", "EN PROCESO") else None
    values: dict[str, Any] = {}
    try:
        if stage is None:
            signed = sign_comprobante((claim.payload or "").encode("utf-8"), material)
            values["signed_payload"] = signed.decode("utf-8")
            reception = client.send(signed)
            messages = [m.as_dict() for m in reception.messages]
            if reception.is_in_process:
                return Outcome(state="retry", authority_state="RECIBIDA", messages=messages, values=values)
            if not reception.is_received:
                return Outcome(state="rejected", authority_state="DEVUELTA", messages=messages, values=values,
                               error="; ".join(m.message for m in reception.messages) or "DEVUELTA")
            stage = "RECIBIDA"
        authorization = client.authorize(claim.reference)
    except SriTransientError as error:
        return Outcome(state="retry", authority_state=stage, error=str(error), values=values)
    except (SriRequestError, CertificateError) as error:
        return Outcome(state="rejected", authority_state=stage, error=str(error), values=values)
    messages = [m.as_dict() for m in authorization.messages]
    if authorization.is_authorized:
        values.update(authorization_number=authorization.authorization_number,
                      authorized_at=authorization.authorized_at, authorized_xml=authorization.authorized_xml)
        return Outcome(state="authorized", authority_state="AUTORIZADO", messages=messages, values=values)
    if authorization.is_pending:
        return Outcome(state="retry", authority_state="EN PROCESO", messages=messages, values=values)
    return Outcome(state="rejected", authority_state=authorization.state, messages=messages, values=values,
                   error="; ".join(m.message for m in authorization.messages) or authorization.state)


def _attempt_verifactu(claim: Claim) -> Outcome:
    current = session()
    record = current.get(VerifactuRecord, claim.verifactu_record_id)
    previous = current.get(VerifactuRecord, record.previous_record_id) if record and record.previous_record_id else None
    if record is None:
        current.commit()
        return Outcome(state="rejected", error="El registro VERI*FACTU no existe")
    envelope = soap_envelope(build_registration([(record, previous)], taxpayer_name=record.issuer_name,
                                                taxpayer_nif=record.issuer_nif))
    needs_certificate = _setting("GESTIQ_VERIFACTU_CLIENT_CERT") not in ("0", "false", "False")
    material = load_signing_material() if needs_certificate else None
    current.commit()
    if needs_certificate and material is None:
        return Outcome(state="rejected", messages=[NO_CERTIFICATE], error=NO_CERTIFICATE["mensaje"])
    client = VerifactuClient(url=_setting("GESTIQ_VERIFACTU_URL"), material=material, timeout=_timeout())
    try:
        response = client.submit(envelope)
    except VerifactuTransientError as error:
        return Outcome(state="retry", error=str(error))
    except VerifactuRequestError as error:
        return Outcome(state="rejected", authority_state="Incorrecto", error=str(error))
    messages = [line.as_dict() for line in response.records]
    line = response.records[0] if response.records else None
    if line is not None and line.is_accepted:
        return Outcome(state="accepted", authority_state=line.state, messages=messages,
                       values={"authorization_number": response.csv or None})
    error = (f"{line.error_code} {line.error_description}".strip() if line else "") or response.state
    return Outcome(state="rejected", authority_state=line.state if line else response.state, messages=messages, error=error)


def dispatch_due_submissions(*, now: datetime | None = None) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Across tenants: recover stale `sending` rows and return the (tenant, submission) pairs due for an attempt."""
    moment = now or utcnow()
    current = session()
    with platform_scope(actor="system:einvoicing", reason="dispatch due e-invoice submissions"):
        current.execute(
            update(EinvoiceSubmission)
            .where(EinvoiceSubmission.state == "sending", EinvoiceSubmission.last_attempt_at < moment - SENDING_LEASE)
            .values(state="retry_wait", next_attempt_at=moment, last_error="Envío interrumpido; se reintentará")
            .execution_options(synchronize_session=False)
        )
        due = current.execute(
            select(EinvoiceSubmission.tenant_id, EinvoiceSubmission.id).where(or_(
                and_(EinvoiceSubmission.state == "retry_wait", EinvoiceSubmission.next_attempt_at <= moment),
                and_(EinvoiceSubmission.state == "pending", EinvoiceSubmission.created_at <= moment - LOST_ENQUEUE_GRACE),
            )).order_by(EinvoiceSubmission.next_attempt_at).limit(500)
        ).all()
        current.commit()
    return [(row[0], row[1]) for row in due]
