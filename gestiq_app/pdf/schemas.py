"""marshmallow schemas of the PDF endpoints: branding, sending by e-mail, bulk exports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gestiq_app.fields import UtcDateTime
from gestiq_app.sales.schemas import DocumentQuerySchema

COLOR = validate.Regexp(r"^#[0-9A-Fa-f]{6}$", error="Use el formato #RRGGBB.")


class BrandingSchema(Schema):
    """The tenant's branding as shown (the logo as a flag: it is uploaded separately)."""

    color = fields.String(dump_only=True)
    footer = fields.String(dump_only=True)
    legal_text = fields.String(dump_only=True)
    has_logo = fields.Boolean(dump_only=True)
    logo_content_type = fields.String(dump_only=True, allow_none=True)


class BrandingUpdateSchema(Schema):
    """Colour, footer and legal text printed on documents."""

    color = fields.String(validate=COLOR, metadata={"example": "#1F4E79"})
    footer = fields.String(validate=validate.Length(max=300))
    legal_text = fields.String(validate=validate.Length(max=1000),
                               metadata={"description": "Texto legal (registro mercantil, protección de datos)."})


class LogoUploadSchema(Schema):
    """A multipart upload of the logo (PNG or JPEG, 512 KB at most)."""

    file = fields.Raw(required=True, load_only=True, metadata={"type": "string", "format": "binary"})


class SendDocumentSchema(Schema):
    """Who receives the invoice by e-mail."""

    to = fields.Email(required=True)
    cc = fields.List(fields.Email(), load_default=list, validate=validate.Length(max=10))
    message = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SentSchema(Schema):
    """The queued e-mail."""

    email_id = fields.UUID(dump_only=True)
    state = fields.String(dump_only=True)


class ExportCreateSchema(DocumentQuerySchema):
    """The invoices to export: `ids`, or the list filters (status, customer, dates, text, kind)."""

    ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=2000))
    kind = fields.String(load_default=None, validate=validate.OneOf(("invoice", "credit_note")))


class ExportSchema(Schema):
    """A bulk export and its progress."""

    id = fields.UUID(dump_only=True)
    state = fields.String(dump_only=True, metadata={"description": "queued, running, done o failed."})
    total = fields.Integer(dump_only=True)
    done = fields.Integer(dump_only=True)
    percent = fields.Integer(dump_only=True)
    size_bytes = fields.Integer(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    finished_at = UtcDateTime(dump_only=True, allow_none=True)
