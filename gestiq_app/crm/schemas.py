"""Marshmallow schemas of customers and suppliers: separate input (create, update), output and list query."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.common import PageQuerySchema
from gestiq_app.crm.models import TAX_ID_TYPES
from gestiq_app.fields import UtcDateTime
from gestiq_app.tenancy.models import COUNTRIES
from gestiq_app.validation import Trimmed

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()./-]{5,38}$", error="Teléfono no válido: use dígitos, espacios, +, -, ( y ).")
EMAIL_LENGTH = validate.Length(max=254)
COUNTRY = validate.OneOf(COUNTRIES, error="País no admitido: use ES o EC.")
ISO_COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use el código ISO de dos letras en mayúsculas (p. ej. ES).")


class AddressSchema(Schema):
    """A postal address (the main one, or one of `addresses` with a label such as «Almacén»)."""

    label = Trimmed(validate=validate.Length(max=60))
    street = Trimmed(validate=validate.Length(max=200))
    city = Trimmed(validate=validate.Length(max=100))
    postal_code = Trimmed(validate=validate.Length(max=20))
    province = Trimmed(validate=validate.Length(max=100))
    country = Trimmed(validate=ISO_COUNTRY)


class ContactSchema(Schema):
    """A person to talk to at the customer or supplier."""

    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    role = Trimmed(validate=validate.Length(max=100))
    email = fields.Email(validate=EMAIL_LENGTH)
    phone = Trimmed(validate=PHONE)


class PartyInputSchema(Schema):
    """Writable fields shared by customers and suppliers (none required: the update schema is partial)."""

    legal_name = Trimmed(validate=validate.Length(min=1, max=200))
    trade_name = Trimmed(allow_none=True, validate=validate.Length(max=200))
    country = fields.String(validate=COUNTRY, metadata={"description": "Decide cómo se valida el identificador fiscal; por defecto, el país de la empresa."})
    tax_id_type = fields.String(allow_none=True, validate=validate.OneOf(TAX_ID_TYPES),
                                metadata={"description": "Se detecta a partir del número si se omite."})
    tax_id = Trimmed(validate=validate.Length(min=1, max=30))
    email = fields.Email(allow_none=True, validate=EMAIL_LENGTH)
    phone = Trimmed(allow_none=True, validate=PHONE)
    address = fields.Nested(AddressSchema, allow_none=True)
    addresses = fields.List(fields.Nested(AddressSchema), validate=validate.Length(max=10))
    contacts = fields.List(fields.Nested(ContactSchema), validate=validate.Length(max=20))
    payment_terms_days = fields.Integer(validate=validate.Range(min=0, max=365))
    tags = fields.List(Trimmed(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=20))
    notes = Trimmed(allow_none=True, validate=validate.Length(max=5000))
    is_active = fields.Boolean()
    has_recargo_equivalencia = fields.Boolean(metadata={"description": "España: recargo de equivalencia."})
    is_irpf_professional = fields.Boolean(metadata={"description": "España: profesional con retención de IRPF."})
    is_contribuyente_especial = fields.Boolean(metadata={"description": "Ecuador: contribuyente especial."})
    is_rimpe = fields.Boolean(metadata={"description": "Ecuador: régimen RIMPE."})


class PartyCreateSchema(PartyInputSchema):
    """A new customer or supplier."""

    legal_name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    tax_id = Trimmed(required=True, validate=validate.Length(min=1, max=30))


class PartyUpdateSchema(PartyInputSchema):
    """A partial change; `version` must be the one last read (409 otherwise)."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))


class PartySchema(Schema):
    """A customer or supplier as returned by the API."""

    id = fields.UUID(dump_only=True)
    legal_name = fields.String(dump_only=True)
    trade_name = fields.String(dump_only=True, allow_none=True)
    country = fields.String(dump_only=True)
    tax_id_type = fields.String(dump_only=True)
    tax_id = fields.String(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True)
    phone = fields.String(dump_only=True, allow_none=True)
    address = fields.Nested(AddressSchema, dump_only=True)
    addresses = fields.List(fields.Nested(AddressSchema), dump_only=True)
    contacts = fields.List(fields.Nested(ContactSchema), dump_only=True)
    payment_terms_days = fields.Integer(dump_only=True)
    tags = fields.List(fields.String(), dump_only=True)
    notes = fields.String(dump_only=True, allow_none=True)
    is_active = fields.Boolean(dump_only=True)
    has_recargo_equivalencia = fields.Boolean(dump_only=True)
    is_irpf_professional = fields.Boolean(dump_only=True)
    is_contribuyente_especial = fields.Boolean(dump_only=True)
    is_rimpe = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class PartyQuerySchema(PageQuerySchema):
    """List filters: `q` searches legal and trade name, tax id and e-mail."""

    q = Trimmed(validate=validate.Length(max=100))
    is_active = fields.Boolean()
    tag = Trimmed(validate=validate.Length(min=1, max=40))
    country = fields.String(validate=COUNTRY)


PRICE_LIST_ID = {"description": "Tarifa por defecto del cliente (vacío: precios del catálogo)."}


class CustomerCreateSchema(PartyCreateSchema):
    """A new customer."""

    price_list_id = fields.UUID(allow_none=True, metadata=PRICE_LIST_ID)


class CustomerUpdateSchema(PartyUpdateSchema):
    """A partial change of a customer."""

    price_list_id = fields.UUID(allow_none=True, metadata=PRICE_LIST_ID)


class CustomerSchema(PartySchema):
    """A customer."""

    price_list_id = fields.UUID(dump_only=True, allow_none=True)


class CustomerQuerySchema(PartyQuerySchema):
    """Customer list filters."""


class SupplierCreateSchema(PartyCreateSchema):
    """A new supplier."""


class SupplierUpdateSchema(PartyUpdateSchema):
    """A partial change of a supplier."""


class SupplierSchema(PartySchema):
    """A supplier."""


class SupplierQuerySchema(PartyQuerySchema):
    """Supplier list filters."""
