"""Entry points of e-invoicing for the sales module (and the API): issue, void, list, render.

`issue_sri_document`, `register_verifactu_invoice` and `register_verifactu_cancellation` join the CALLER's
transaction (call them inside the sales use case's `unit_of_work()`, right after numbering the document): the
submission (and the VERI*FACTU record) commit or roll back with the invoice, and the submit task is enqueued
only after that commit.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, select

from gestiq_app.db import session
from gestiq_app.einvoicing.ec_sri.client import AuthorizationResult
from gestiq_app.einvoicing.ec_sri.documents import SriDocument, SriDocumentError
from gestiq_app.einvoicing.ec_sri.ride import render_ride_pdf
from gestiq_app.einvoicing.ec_sri.xml import SriSchemaError, build_document_xml, validate_if_configured
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.es_verifactu.records import (
    SoftwareInfo,
    VerifactuCancellation,
    VerifactuInputError,
    VerifactuInvoice,
    add_alta_record,
    add_anulacion_record,
)
from gestiq_app.einvoicing.exceptions import EinvoicingInvalidError, EinvoicingNotFoundError
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.submissions import add_submission
from gestiq_app.tenancy.context import current_tenant_id
from gestiq_app.tenancy.models import Tenant

SRI_DOCUMENT_KINDS = {"01": "factura", "04": "nota_credito", "07": "retencion"}
#: Stand-in producer NIF outside production only (a syntactically valid DNI); production requires the real one.
PLACEHOLDER_PRODUCER_NIF = "00000000T"


def issue_sri_document(*, document: SriDocument, document_id: uuid.UUID, enqueue: bool = True) -> EinvoiceSubmission:
    """Build (and validate, when schemas are configured) the comprobante's XML and queue it for the SRI."""
    try:
        xml = build_document_xml(document)
        validate_if_configured(xml, document.doc_type, current_app.config["GESTIQ_SRI_SCHEMA_DIR"])
    except SriDocumentError as error:
        raise EinvoicingInvalidError("El comprobante no es válido para el SRI.", errors={"document": error.problems}) from error
    except SriSchemaError as error:
        raise EinvoicingInvalidError("El XML del comprobante no cumple el esquema del SRI.", errors={"xml": error.errors}) from error
    return add_submission(
        channel="sri", document_id=document_id, document_kind=SRI_DOCUMENT_KINDS[document.doc_type],
        reference=document.access_key, environment=document.environment, payload=xml.decode("utf-8"),
        document_fingerprint=hashlib.sha256(xml).hexdigest(), enqueue=enqueue,
    )


def software_info() -> SoftwareInfo:
    """Return the SistemaInformatico data of this installation for the current tenant."""
    nif = current_app.config["GESTIQ_VERIFACTU_PRODUCER_NIF"]
    if not nif:
        if current_app.config["GESTIQ_ENV"] == "production":
            raise EinvoicingInvalidError("Falta GESTIQ_VERIFACTU_PRODUCER_NIF: no se pueden generar registros VERI*FACTU.")
        nif = PLACEHOLDER_PRODUCER_NIF
    return SoftwareInfo(producer_name=current_app.config["GESTIQ_VERIFACTU_PRODUCER_NAME"], producer_nif=nif,
                        installation_number=str(current_tenant_id()))


def _timezone_name() -> str:
    tenant = session().get(Tenant, current_tenant_id())
    return tenant.timezone if tenant is not None and tenant.timezone else "Europe/Madrid"


def register_verifactu_invoice(*, invoice: VerifactuInvoice, document_id: uuid.UUID, enqueue: bool = True,
                               generated_at: datetime | None = None, submit: bool = True) -> VerifactuRecord:
    """Chain a registro de alta for an issued invoice and (when `submit`) queue it for the AEAT."""
    try:
        record = add_alta_record(invoice=invoice, software=software_info(), source_document_id=document_id,
                                 generated_at=generated_at, timezone_name=_timezone_name())
    except VerifactuInputError as error:
        raise EinvoicingInvalidError("La factura no es válida para VERI*FACTU.", errors={"invoice": error.problems}) from error
    if not submit:
        return record
    add_submission(channel="verifactu", document_id=document_id, document_kind="alta", reference=record.huella,
                   environment=1, payload=None, document_fingerprint=record.huella, verifactu_record_id=record.id,
                   enqueue=enqueue)
    return record


def register_verifactu_cancellation(*, cancellation: VerifactuCancellation, document_id: uuid.UUID,
                                    enqueue: bool = True, generated_at: datetime | None = None,
                                    submit: bool = True) -> VerifactuRecord:
    """Chain a registro de anulación for a voided invoice and (when `submit`) queue it for the AEAT."""
    record = add_anulacion_record(cancellation=cancellation, software=software_info(), source_document_id=document_id,
                                  generated_at=generated_at, timezone_name=_timezone_name())
    if not submit:
        return record
    add_submission(channel="verifactu", document_id=document_id, document_kind="anulacion", reference=record.huella,
                   environment=1, payload=None, document_fingerprint=record.huella, verifactu_record_id=record.id,
                   enqueue=enqueue)
    return record


def get_submission(*, submission_id: uuid.UUID) -> EinvoiceSubmission:
    """Return one submission of the current tenant."""
    submission = session().get(EinvoiceSubmission, submission_id)
    if submission is None:
        raise EinvoicingNotFoundError("El envío no existe.")
    return submission


def submissions_query(*, state: str | None = None, channel: str | None = None,
                      document_id: uuid.UUID | None = None) -> Select:
    """Return the statement listing the current tenant's submissions, filtered."""
    statement = select(EinvoiceSubmission)
    if state:
        statement = statement.where(EinvoiceSubmission.state == state)
    if channel:
        statement = statement.where(EinvoiceSubmission.channel == channel)
    if document_id:
        statement = statement.where(EinvoiceSubmission.document_id == document_id)
    return statement


def records_query(*, issuer_nif: str | None = None) -> Select:
    """Return the statement listing the current tenant's VERI*FACTU chain."""
    statement = select(VerifactuRecord)
    if issuer_nif:
        statement = statement.where(VerifactuRecord.issuer_nif == issuer_nif)
    return statement


def ride_pdf(*, document: SriDocument, submission: EinvoiceSubmission | None) -> bytes:
    """Render the RIDE of a comprobante with its authorization (or as pending when not authorized yet)."""
    authorization = None
    if submission is not None and submission.state == "authorized":
        authorization = AuthorizationResult(state="AUTORIZADO", authorization_number=submission.authorization_number or "",
                                            authorized_at=submission.authorized_at or "")
    return render_ride_pdf(document, authorization)
