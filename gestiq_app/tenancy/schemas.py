"""Marshmallow schemas of tenancy: input validation shared by the admin, the CLI and the API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import gestiq_app.validation  # noqa: F401 - Spanish messages
from gestiq_app.fiscal.taxids import TaxIdError, validate_company_tax_id
from gestiq_app.tenancy.models import COUNTRIES, MODULES, TENANT_STATUSES

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
SLUG_MESSAGE = "Solo minúsculas, números y guiones; entre 1 y 63 caracteres; sin guion al principio ni al final."


class TenantCreateSchema(Schema):
    """A new tenant with its first owner."""

    slug = fields.String(required=True, validate=validate.Regexp(SLUG_PATTERN, error=SLUG_MESSAGE))
    legal_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    country = fields.String(required=True, validate=validate.OneOf(COUNTRIES, error="País no admitido: use ES o EC."))
    tax_id = fields.String(required=True, validate=validate.Length(min=5, max=20))
    sector = fields.String(load_default=None, allow_none=True)
    plan = fields.String(load_default=None, allow_none=True)
    owner_email = fields.Email(required=True, error_messages={"invalid": "Correo electrónico no válido."})
    owner_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    owner_password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=10, error="La contraseña necesita al menos 10 caracteres.")
    )

    @validates_schema
    def _check_tax_id(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("country") in COUNTRIES and data.get("tax_id"):
            try:
                data["tax_id"] = validate_company_tax_id(data["country"], data["tax_id"])
            except TaxIdError as error:
                raise ValidationError(error.message_es, field_name="tax_id") from error


class TenantStatusSchema(Schema):
    """A change of a tenant's status."""

    status = fields.String(required=True, validate=validate.OneOf(TENANT_STATUSES))


class ModuleSettingsSchema(Schema):
    """Enable or disable one module for a tenant."""

    module = fields.String(required=True, validate=validate.OneOf(MODULES))
    is_enabled = fields.Boolean(required=True)
    settings = fields.Dict(load_default=dict)
