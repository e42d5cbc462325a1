"""E-invoicing seen from one document: its state, the XML sent, the owner's retry, and the RIDE.

The documents that have e-invoicing are described by an `EinvoiceSource` (how to load one of the tenant's, 404
otherwise, and how to rebuild its SRI comprobante): `INVOICES` (sales invoices and credit notes) and `WITHHOLDINGS`
(Ecuadorian comprobantes de retención of purchases). Every function below takes the source (default INVOICES).

The retry follows the state machine (docs/modules/einvoicing.md): `retry_wait` is made due now (the attempt counter is
kept, so the bound still holds); `rejected` / `failed` are re-armed only when something changed: for the SRI the
comprobante is rebuilt from the document and the current settings (a fixed address, another environment) and
re-armed when its XML or the configuration differs; for VERI*FACTU when the configuration (certificate, endpoint)
differs. Anything else is a 409.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from lxml import etree
from sqlalchemy import select

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.einvoicing.ec_sri.documents import SriDocument
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.es_verifactu.xml import build_registration
from gestiq_app.einvoicing.exceptions import EinvoicingConflictError, EinvoicingNotFoundError
from gestiq_app.einvoicing.mapping import sri_document_of, sri_retention_of
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.services import issue_sri_document, ride_pdf
from gestiq_app.einvoicing.settings import current_tenant, get_einvoicing_settings
from gestiq_app.einvoicing.submissions import config_fingerprint, enqueue_after_commit
from gestiq_app.purchases.models import PurchaseWithholding
from gestiq_app.purchases.withholdings import get_withholding
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.services import INVOICE_KINDS, get_document


SUBMISSION_FIELDS = frozenset({"authority_state", "attempts", "next_attempt_at", "last_attempt_at", "messages", "last_error",
                               "authorization_number", "authorized_at", "environment", "document_kind", "finished_at"})


@dataclass
class DocumentEinvoice:
    """Everything e-invoicing knows about one document."""

    document_id: uuid.UUID
    channel: str | None
    state: str
    submission: EinvoiceSubmission | None
    submissions: list[EinvoiceSubmission] = field(default_factory=list)
    records: list[VerifactuRecord] = field(default_factory=list)
    max_attempts: int = 0

    def __getattr__(self, name: str) -> Any:
        """Expose the current submission's columns (None without a submission)."""
        if name not in SUBMISSION_FIELDS:
            raise AttributeError(name)
        submission = self.__dict__.get("submission")
        return getattr(submission, name) if submission is not None else None

    @property
    def access_key(self) -> str | None:
        """Return the clave de acceso (SRI)."""
        return self.submission.reference if self.submission is not None and self.channel == "sri" else None

    @property
    def huella(self) -> str | None:
        """Return the huella of the document's latest VERI*FACTU record."""
        return self.records[-1].huella if self.records else None

    @property
    def previous_huella(self) -> str | None:
        """Return the huella the latest record chains to."""
        return self.records[-1].previous_huella if self.records else None


def _submissions(document_id: uuid.UUID) -> list[EinvoiceSubmission]:
    return list(session().scalars(select(EinvoiceSubmission).where(EinvoiceSubmission.document_id == document_id)
                                  .order_by(EinvoiceSubmission.created_at, EinvoiceSubmission.id)))


def _records(document_id: uuid.UUID) -> list[VerifactuRecord]:
    return list(session().scalars(select(VerifactuRecord).where(VerifactuRecord.source_document_id == document_id)
                                  .order_by(VerifactuRecord.issuer_nif, VerifactuRecord.sequence)))


def einvoice_of(document_id: uuid.UUID) -> DocumentEinvoice:
    """Return the e-invoicing state of a document of the current tenant (no existence check)."""
    submissions, records = _submissions(document_id), _records(document_id)
    current = submissions[-1] if submissions else None
    if current is not None:
        state, channel = current.state, current.channel
    elif records:
        state, channel = "recorded", "verifactu"  # chained, not sent (submission not enabled for the tenant)
    else:
        state, channel = "not_applicable", None
    return DocumentEinvoice(document_id=document_id, channel=channel, state=state, submission=current,
                            submissions=submissions, records=records,
                            max_attempts=int(current_app.config["GESTIQ_EINVOICE_MAX_ATTEMPTS"]))


def _rebuilt_comprobante(document: SalesDocument) -> SriDocument:
    rectified = None
    if document.rectified_document_id is not None:
        rectified = session().scalar(select(SalesDocument).where(SalesDocument.id == document.rectified_document_id))
    return sri_document_of(document, tenant=current_tenant(), settings=get_einvoicing_settings(), rectified=rectified)


def _rebuilt_retention(withholding: PurchaseWithholding) -> SriDocument:
    return sri_retention_of(withholding, tenant=current_tenant(), settings=get_einvoicing_settings())


@dataclass(frozen=True)
class EinvoiceSource:
    """A kind of document with e-invoicing: `load(tenant_id, id)` returns it (its NotFound error → 404 otherwise),
    `rebuild(document)` returns its SRI comprobante from the document and the current settings."""

    load: Callable[[uuid.UUID, uuid.UUID], Any]
    rebuild: Callable[[Any], SriDocument]


INVOICES = EinvoiceSource(
    load=lambda tenant_id, document_id: get_document(tenant_id=tenant_id, document_id=document_id, kinds=INVOICE_KINDS),
    rebuild=_rebuilt_comprobante,
)
WITHHOLDINGS = EinvoiceSource(
    load=lambda tenant_id, document_id: get_withholding(tenant_id=tenant_id, withholding_id=document_id),
    rebuild=_rebuilt_retention,
)


def get_document_einvoice(*, tenant_id: uuid.UUID, document_id: uuid.UUID, source: EinvoiceSource = INVOICES) -> DocumentEinvoice:
    """Return the e-invoicing state of a document of the source (404 when it is not the tenant's)."""
    source.load(tenant_id, document_id)
    return einvoice_of(document_id)


def einvoice_summary(document: SalesDocument) -> dict[str, Any] | None:
    """Return the short e-invoicing state shown on an invoice (None for drafts)."""
    if document.is_draft:
        return None
    status = einvoice_of(document.id)
    return {"channel": status.channel, "state": status.state, "authority_state": status.authority_state,
            "reference": status.access_key or status.huella}


def get_document_xml(*, tenant_id: uuid.UUID, document_id: uuid.UUID, source: EinvoiceSource = INVOICES) -> bytes:
    """Return the XML sent for a document: the signed SRI comprobante, or the VERI*FACTU registration of its record."""
    source.load(tenant_id, document_id)
    status = einvoice_of(document_id)
    if status.channel == "sri":
        signed = status.submission.signed_payload if status.submission is not None else None
        if not signed:
            raise EinvoicingNotFoundError("El comprobante aún no se ha firmado ni enviado al SRI.")
        return signed.encode("utf-8")
    if status.records:
        record = status.records[-1]
        previous = session().scalar(select(VerifactuRecord).where(VerifactuRecord.id == record.previous_record_id)) \
            if record.previous_record_id else None
        body = build_registration([(record, previous)], taxpayer_name=record.issuer_name, taxpayer_nif=record.issuer_nif)
        return etree.tostring(body, xml_declaration=True, encoding="UTF-8")
    raise EinvoicingNotFoundError("Este documento no tiene XML de facturación electrónica.")


def retry_document_submission(*, tenant_id: uuid.UUID, document_id: uuid.UUID, actor: str,
                              source: EinvoiceSource = INVOICES) -> DocumentEinvoice:
    """Re-arm the document's waiting submission when the state machine allows it; else EinvoicingConflictError."""
    with unit_of_work() as current:
        document = source.load(tenant_id, document_id)
        rows = list(current.scalars(select(EinvoiceSubmission).where(EinvoiceSubmission.document_id == document_id)
                                    .order_by(EinvoiceSubmission.created_at.desc(), EinvoiceSubmission.id).with_for_update()))
        submission = next((row for row in rows if row.state not in ("authorized", "accepted")), None)
        if submission is None:
            raise EinvoicingConflictError("No hay ningún envío que reintentar: " + (
                "ya fue aceptado por la administración." if rows else "el documento no tiene envíos."))
        previous_state = submission.state
        if submission.state in ("pending", "sending"):
            raise EinvoicingConflictError("El envío ya está en cola o enviándose.")
        if submission.state == "retry_wait":
            submission.next_attempt_at = utcnow()
            current.flush()
            enqueue_after_commit(submission.tenant_id, submission.id)
        elif submission.channel == "sri":
            issue_sri_document(document=source.rebuild(document), document_id=document.id)  # 409 when unchanged
        else:
            configuration = config_fingerprint(submission.channel, submission.environment)
            if configuration == submission.config_fingerprint:
                raise EinvoicingConflictError("El envío fue rechazado y ni el documento ni la configuración han cambiado.")
            submission.config_fingerprint, submission.state, submission.attempts = configuration, "pending", 0
            submission.next_attempt_at, submission.authority_state = None, None
            current.flush()
            enqueue_after_commit(submission.tenant_id, submission.id)
        record_event(actor=actor, action="einvoicing.retry_requested", entity="einvoice_submission", entity_id=submission.id,
                     changes={"state": [previous_state, submission.state], "document_id": str(document_id)})
    return einvoice_of(document_id)


def document_ride(*, tenant_id: uuid.UUID, document_id: uuid.UUID, source: EinvoiceSource = INVOICES) -> bytes:
    """Render the RIDE of an Ecuadorian document (invoice, credit note, retención) that has an SRI submission.

    Rebuilt from the document; environment, establishment and emission point are taken from the submitted clave
    so the printed clave is the one the SRI knows even if the settings changed since.
    """
    document = source.load(tenant_id, document_id)
    status = einvoice_of(document_id)
    if status.channel != "sri" or status.submission is None:
        raise EinvoicingNotFoundError("Este documento no tiene comprobante electrónico del SRI.")
    key = status.submission.reference
    comprobante = dataclasses.replace(source.rebuild(document), environment=int(key[23]),
                                      establishment=key[24:27], emission_point=key[27:30])
    return ride_pdf(document=comprobante, submission=status.submission)
