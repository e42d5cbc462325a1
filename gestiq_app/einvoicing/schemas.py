"""Marshmallow schemas of e-invoicing (read schemas are dump-only; the upload takes a file and a password)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, pre_load, validate

import gestiq_app.validation  # noqa: F401 - Spanish messages
from gestiq_app.einvoicing.models import CHANNELS, STATES

MONEY = {"type": "string", "format": "decimal", "example": "1234.50"}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class CertificateUploadSchema(Schema):
    """A multipart upload: the .p12 file and its password.

    webargs reads the `files` location only; the password is a plain form field of the same multipart body,
    so it is merged in before loading (OpenAPI allows one request body, documented here with both fields).
    """

    file = fields.Raw(required=True, load_only=True, metadata={"type": "string", "format": "binary"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))

    @pre_load
    def _merge_form_fields(self, data: Any, **kwargs: Any) -> dict[str, Any]:
        from flask import request

        return {**request.form.to_dict(), **{key: data.get(key) for key in ("file",) if data.get(key) is not None}}


class CertificateSchema(Schema):
    """Certificate metadata: never the file nor the password."""

    id = fields.UUID(dump_only=True)
    subject = fields.String(dump_only=True)
    issuer = fields.String(dump_only=True)
    serial_number = fields.String(dump_only=True)
    fingerprint_sha256 = fields.String(dump_only=True)
    not_before = fields.DateTime(dump_only=True)
    not_after = fields.DateTime(dump_only=True)
    uploaded_by = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class SubmissionQuerySchema(Schema):
    """Filters of the submissions list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    sort = fields.String(load_default=None, validate=validate.Length(max=60))
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    document_id = fields.UUID(load_default=None)


class SubmissionSchema(Schema):
    """One submission with the authority's last messages."""

    id = fields.UUID(dump_only=True)
    channel = fields.String(dump_only=True)
    document_id = fields.UUID(dump_only=True)
    document_kind = fields.String(dump_only=True)
    reference = fields.String(dump_only=True)
    environment = fields.Integer(dump_only=True)
    state = fields.String(dump_only=True)
    authority_state = fields.String(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True)
    next_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    last_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    messages = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), dump_only=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    authorization_number = fields.String(dump_only=True, allow_none=True)
    authorized_at = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class RecordQuerySchema(Schema):
    """Paging of the VERI*FACTU chain."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    sort = fields.String(load_default=None, validate=validate.Length(max=60))
    issuer_nif = fields.String(load_default=None, validate=validate.Length(equal=9))


class RecordSchema(Schema):
    """One VERI*FACTU record with every field that enters its huella."""

    id = fields.UUID(dump_only=True)
    issuer_nif = fields.String(dump_only=True)
    issuer_name = fields.String(dump_only=True)
    sequence = fields.Integer(dump_only=True)
    record_type = fields.String(dump_only=True)
    invoice_number = fields.String(dump_only=True)
    issue_date = fields.Date(dump_only=True)
    invoice_type = fields.String(dump_only=True, allow_none=True)
    total_tax = fields.Function(lambda record: _money(record.total_tax), dump_only=True, metadata=MONEY)
    total_amount = fields.Function(lambda record: _money(record.total_amount), dump_only=True, metadata=MONEY)
    previous_record_id = fields.UUID(dump_only=True, allow_none=True)
    previous_huella = fields.String(dump_only=True)
    huella = fields.String(dump_only=True)
    generated_at = fields.String(dump_only=True, metadata={"description": "FechaHoraHusoGenRegistro exactly as hashed"})
    source_document_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class EinvoiceSummarySchema(Schema):
    """The short e-invoicing state shown on an invoice."""

    channel = fields.String(dump_only=True, allow_none=True, metadata={"description": "sri, verifactu or null"})
    state = fields.String(dump_only=True, metadata={
        "description": "not_applicable, recorded (VERI*FACTU chain, not sent) or the submission state"})
    authority_state = fields.String(dump_only=True, allow_none=True)
    reference = fields.String(dump_only=True, allow_none=True, metadata={"description": "Clave de acceso or huella"})


class DocumentEinvoiceSchema(Schema):
    """E-invoicing of one invoice or credit note: state, authority messages, clave or huella, attempts."""

    document_id = fields.UUID(dump_only=True)
    channel = fields.String(dump_only=True, allow_none=True)
    state = fields.String(dump_only=True, metadata={
        "description": "not_applicable, recorded (VERI*FACTU chain, not sent) or the submission state"})
    authority_state = fields.String(dump_only=True, allow_none=True)
    access_key = fields.String(dump_only=True, allow_none=True, metadata={"description": "Clave de acceso (SRI)"})
    huella = fields.String(dump_only=True, allow_none=True, metadata={"description": "Huella of the latest VERI*FACTU record"})
    previous_huella = fields.String(dump_only=True, allow_none=True)
    environment = fields.Integer(dump_only=True, allow_none=True)
    attempts = fields.Integer(dump_only=True, allow_none=True)
    max_attempts = fields.Integer(dump_only=True)
    next_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    last_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    messages = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), dump_only=True, allow_none=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    authorization_number = fields.String(dump_only=True, allow_none=True)
    authorized_at = fields.String(dump_only=True, allow_none=True)
    submissions = fields.List(fields.Nested(SubmissionSchema), dump_only=True)
    records = fields.List(fields.Nested(RecordSchema), dump_only=True)


class EinvoicingSettingsSchema(Schema):
    """The tenant's e-invoicing settings (SRI emitter data; VERI*FACTU submission switch)."""

    sri_environment = fields.Integer(validate=validate.OneOf((1, 2)), metadata={"description": "1 pruebas, 2 producción"})
    sri_establishment = fields.String(validate=validate.Regexp(r"^\d{3}$", error="Tres dígitos, p. ej. 001."))
    sri_emission_point = fields.String(validate=validate.Regexp(r"^\d{3}$", error="Tres dígitos, p. ej. 001."))
    head_office_address = fields.String(validate=validate.Length(max=300), metadata={"description": "Dirección matriz"})
    establishment_address = fields.String(validate=validate.Length(max=300))
    trade_name = fields.String(validate=validate.Length(max=300))
    is_accounting_required = fields.Boolean(metadata={"description": "Obligado a llevar contabilidad"})
    special_taxpayer_number = fields.String(validate=validate.Regexp(r"^(\d{3,13})?$", error="Número de resolución (3 a 13 dígitos)."))
    rimpe_label = fields.String(validate=validate.OneOf(("", "CONTRIBUYENTE RÉGIMEN RIMPE",
                                                         "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE")))
    sri_payment_method = fields.String(validate=validate.OneOf(("01", "15", "16", "17", "18", "19", "20", "21")),
                                       metadata={"description": "formaPago del SRI (tabla 24)"})
    verifactu_submission_enabled = fields.Boolean(metadata={"description": "Enviar los registros VERI*FACTU a la AEAT"})
