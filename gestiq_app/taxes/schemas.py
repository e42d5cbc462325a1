"""Marshmallow schemas of the tax catalog: entries edited in the back office, the tenant's rates by date."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from gestiq_app.fields import Money
from gestiq_app.taxes.models import TAX_TYPES
from gestiq_app.tenancy.models import COUNTRIES
from gestiq_app.validation import Trimmed


class Rate(Money):
    """A tax rate in percent: a string in JSON ("21.00", "5.20", "12.3456"), at least two decimals, at most four."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=4, metadata={"example": "21.00"}, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        text = f"{Decimal(value).quantize(Decimal('0.0001')):f}".rstrip("0")
        whole, _, decimals = text.partition(".")
        return f"{whole}.{decimals.ljust(2, '0')}"


def percentage(value: Decimal) -> None:
    """Refuse a rate outside 0-100 % (a plain callable: apispec would publish a Range as a numeric `minimum`)."""
    if not Decimal("0") <= value <= Decimal("100"):
        raise ValidationError("El tipo debe estar entre 0 y 100.")


class TaxRateCreateSchema(Schema):
    """A new catalog entry: one rate of one category of one tax of one country, for a period."""

    country = fields.String(required=True, validate=validate.OneOf(COUNTRIES, error="País no admitido: use ES o EC."))
    tax_type = fields.String(required=True, validate=validate.OneOf(TAX_TYPES))
    category = Trimmed(required=True, validate=validate.Regexp(
        r"^[a-z0-9_]{1,30}$", error="Use minúsculas, números y guion bajo (máximo 30 caracteres)."))
    name = Trimmed(required=True, validate=validate.Length(min=1, max=120))
    rate = Rate(required=True, validate=percentage)
    authority_code = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=10),
                             metadata={"description": "Código de la administración (SRI codigoPorcentaje en Ecuador)."})
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None, allow_none=True, metadata={"description": "Último día de vigencia; vacío si no tiene fin."})

    @validates_schema
    def _check_period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("valid_to") and data.get("valid_from") and data["valid_to"] < data["valid_from"]:
            raise ValidationError("La fecha de fin no puede ser anterior a la de inicio.", field_name="valid_to")

    @post_load
    def _empty_code_is_none(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["authority_code"] = data.get("authority_code") or None
        return data


class TaxRateUpdateSchema(TaxRateCreateSchema):
    """A whole catalog entry as edited in the back office (every field is sent again)."""


class TaxRateSchema(Schema):
    """A catalog entry as returned by the API."""

    id = fields.UUID(dump_only=True)
    country = fields.String(dump_only=True)
    tax_type = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    rate = Rate(dump_only=True)
    authority_code = fields.String(dump_only=True, allow_none=True)
    valid_from = fields.Date(dump_only=True)
    valid_to = fields.Date(dump_only=True, allow_none=True)


class TaxRateQuerySchema(Schema):
    """?date=YYYY-MM-DD (default: today in the tenant's time zone) and an optional tax type."""

    date = fields.Date(load_default=None)
    tax_type = fields.String(validate=validate.OneOf(TAX_TYPES))


class TenantTaxCatalogSchema(Schema):
    """The rates of the caller's country in force on a date."""

    country = fields.String(dump_only=True)
    date = fields.Date(dump_only=True)
    items = fields.List(fields.Nested(TaxRateSchema), dump_only=True)
