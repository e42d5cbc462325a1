"""Marshmallow schemas of webhooks (separate input and output; secrets only in the creation response)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

import gestiq_app.validation  # noqa: F401 - Spanish messages
from gestiq_app.webhooks.models import DELIVERY_STATES, EVENTS

EVENT_CHOICE = validate.OneOf(EVENTS, error="Evento desconocido: use uno de " + ", ".join(EVENTS) + ".")


def _unique_events(value: list[str]) -> None:
    if not value:
        raise ValidationError("Indique al menos un evento.")
    if len(set(value)) != len(value):
        raise ValidationError("Hay eventos repetidos.")


class SubscriptionCreateSchema(Schema):
    """Subscribe a URL to events."""

    url = fields.String(required=True, validate=validate.Length(min=8, max=2000))
    events = fields.List(fields.String(validate=EVENT_CHOICE), required=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates("events")
    def _check_events(self, value: list[str], **kwargs: Any) -> None:
        _unique_events(value)


class SubscriptionUpdateSchema(Schema):
    """Change a subscription (every field optional)."""

    url = fields.String(validate=validate.Length(min=8, max=2000))
    events = fields.List(fields.String(validate=EVENT_CHOICE))
    description = fields.String(allow_none=True, validate=validate.Length(max=200))
    is_active = fields.Boolean()

    @validates("events")
    def _check_events(self, value: list[str], **kwargs: Any) -> None:
        _unique_events(value)


class SubscriptionSchema(Schema):
    """A subscription as shown to the tenant (never its secret)."""

    id = fields.UUID(dump_only=True)
    url = fields.String(dump_only=True)
    events = fields.List(fields.String(), dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    is_active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class SubscriptionCreatedSchema(SubscriptionSchema):
    """The new subscription with its signing secret (shown only in this response)."""

    secret = fields.String(dump_only=True, metadata={"description": "Secreto de firma; solo se muestra ahora"})


class AttemptSchema(Schema):
    """One HTTP attempt of a delivery."""

    number = fields.Integer(dump_only=True)
    started_at = fields.DateTime(dump_only=True)
    duration_ms = fields.Integer(dump_only=True)
    status_code = fields.Integer(dump_only=True, allow_none=True)
    response_body = fields.String(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)


class DeliverySchema(Schema):
    """A delivery of one event to one subscription."""

    id = fields.UUID(dump_only=True)
    subscription_id = fields.UUID(dump_only=True)
    event_id = fields.UUID(dump_only=True)
    event = fields.String(dump_only=True)
    state = fields.String(dump_only=True)
    attempts = fields.Integer(dump_only=True)
    next_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    last_status_code = fields.Integer(dump_only=True, allow_none=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    replay_of_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)


class DeliveryDetailSchema(DeliverySchema):
    """A delivery with its body and every attempt."""

    payload = fields.Dict(dump_only=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema), dump_only=True)


class DeliveryQuerySchema(Schema):
    """Filters of the delivery list."""

    subscription_id = fields.UUID(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(DELIVERY_STATES))
    event = fields.String(load_default=None, validate=EVENT_CHOICE)
