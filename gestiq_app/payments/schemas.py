"""Marshmallow schemas of payments: separate input and output; money as strings; secrets write-only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from gestiq_app.fields import DecimalRange, Money, UtcDateTime
from gestiq_app.payments.models import MANUAL_METHODS, METHODS, PROVIDERS, REQUEST_STATES

DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error="Fecha fuera del rango admitido (2000–2099).")
POSITIVE = DecimalRange(min=Decimal("0.01"))


class PaymentCreateSchema(Schema):
    """A manual payment of an invoice (bank transfer, cash or card terminal); more than the amount due is customer credit."""

    amount = Money(required=True, validate=POSITIVE)
    method = fields.String(required=True, validate=validate.OneOf(MANUAL_METHODS))
    paid_on = fields.Date(load_default=None, validate=DATES)
    currency = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Z]{3}$"))
    reference = fields.String(load_default=None, validate=validate.Length(max=200))
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))


class PaymentSchema(Schema):
    """A payment as the API shows it."""

    id = fields.UUID(dump_only=True)
    document_id = fields.UUID(dump_only=True, allow_none=True)
    customer_id = fields.UUID(dump_only=True)
    method = fields.String(dump_only=True)
    provider_reference = fields.String(dump_only=True, allow_none=True)
    amount = Money(dump_only=True)
    applied_amount = Money(dump_only=True)
    credit_amount = Money(dump_only=True)
    amount_refunded = Money(dump_only=True)
    currency = fields.String(dump_only=True)
    paid_on = fields.Date(dump_only=True)
    reference = fields.String(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True, allow_none=True)
    recorded_by = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class PaymentQuerySchema(Schema):
    """Payment list filters and paging."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    sort = fields.String(load_default=None, validate=validate.Length(max=60))
    customer_id = fields.UUID(load_default=None)
    document_id = fields.UUID(load_default=None)
    method = fields.String(load_default=None, validate=validate.OneOf(METHODS))
    paid_from = fields.Date(load_default=None, validate=DATES)
    paid_to = fields.Date(load_default=None, validate=DATES)


class RefundCreateSchema(Schema):
    """A refund of part or all of a payment."""

    amount = Money(required=True, validate=POSITIVE)
    refunded_on = fields.Date(load_default=None, validate=DATES)
    reason = fields.String(load_default=None, validate=validate.Length(max=300))


class RefundSchema(Schema):
    """A refund as the API shows it."""

    id = fields.UUID(dump_only=True)
    payment_id = fields.UUID(dump_only=True)
    amount = Money(dump_only=True)
    currency = fields.String(dump_only=True)
    refunded_on = fields.Date(dump_only=True)
    provider_reference = fields.String(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True)
    recorded_by = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class RefundListSchema(Schema):
    """The refunds of a payment."""

    items = fields.List(fields.Nested(RefundSchema), required=True)


class PaymentLinkCreateSchema(Schema):
    """Which provider to use (default: the tenant's first active one)."""

    provider = fields.String(load_default=None, validate=validate.OneOf(PROVIDERS))


class PaymentLinkSchema(Schema):
    """An invoice's payment request: the link to send, or the data kushki.js needs."""

    id = fields.UUID(dump_only=True, attribute="request.id")
    provider = fields.String(dump_only=True, attribute="request.provider")
    url = fields.String(dump_only=True, allow_none=True)
    amount = Money(dump_only=True, attribute="request.amount")
    currency = fields.String(dump_only=True, attribute="request.currency")
    state = fields.String(dump_only=True, attribute="request.state", validate=validate.OneOf(REQUEST_STATES))
    client_data = fields.Dict(dump_only=True, keys=fields.String(), values=fields.String())


class CardChargeSchema(Schema):
    """A card token made by kushki.js in the browser (the card never reaches our server)."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class OpenLinkSchema(Schema):
    """The open payment link of an invoice, for the PWA (null without one)."""

    url = fields.String(dump_only=True, allow_none=True)


class ProviderAccountWriteSchema(Schema):
    """Credentials of one provider: secrets are write-only (never returned); omitted ones keep their stored value."""

    provider = fields.String(required=True, validate=validate.OneOf(PROVIDERS))
    secrets = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), values=fields.String(validate=validate.Length(max=500)),
                          load_default=dict, load_only=True)
    settings = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), values=fields.String(validate=validate.Length(max=200)),
                           load_default=dict)
    is_active = fields.Boolean(load_default=True)


class ProviderAccountSchema(Schema):
    """A provider account as the API shows it: which secrets are set, never their values."""

    id = fields.UUID(dump_only=True)
    provider = fields.String(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    secret_names = fields.List(fields.String(), dump_only=True)
    settings = fields.Dict(dump_only=True, keys=fields.String(), values=fields.String())
    updated_by = fields.String(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)
    webhook_path = fields.Method("_webhook_path", dump_only=True)

    def _webhook_path(self, account: object) -> str:
        return f"/api/v1/payments/webhooks/{account.provider}/<slug>"  # type: ignore[attr-defined]


class ProviderAccountListSchema(Schema):
    """The tenant's provider accounts."""

    items = fields.List(fields.Nested(ProviderAccountSchema), required=True)


class WebhookAckSchema(Schema):
    """Acknowledgement of a provider notification."""

    received = fields.Boolean(required=True)
    duplicate = fields.Boolean(required=True)
    #: Payphone's expected answer to its "Notificación externa".
    Response = fields.Boolean()
    ErrorCode = fields.String()
