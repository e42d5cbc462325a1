"""Marshmallow schemas of products and services: separate input (create, update), output and list query."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from api.common import PageQuerySchema
from gestiq_app.catalog.models import PRODUCT_KINDS
from gestiq_app.fields import Money, UtcDateTime
from gestiq_app.validation import Trimmed


#: The columns are NUMERIC(14, 4): ten digits before the decimal point.
MAX_PRICE = Decimal("10") ** 10


def price(value: Decimal) -> None:
    """Refuse a negative or oversized price (a plain callable: apispec would publish a Range as a numeric `minimum`)."""
    if value < 0:
        raise ValidationError("No puede ser negativo.")
    if value >= MAX_PRICE:
        raise ValidationError("Importe demasiado grande.")



class ProductInputSchema(Schema):
    """Writable fields of a product (none required: the update schema is partial)."""

    sku = Trimmed(validate=validate.Length(min=1, max=64))
    name = Trimmed(validate=validate.Length(min=1, max=200))
    description = Trimmed(allow_none=True, validate=validate.Length(max=5000))
    kind = fields.String(validate=validate.OneOf(PRODUCT_KINDS))
    unit = Trimmed(validate=validate.Length(min=1, max=20))
    unit_price = Money(places=4, validate=price, metadata={"description": "Precio unitario sin impuestos."})
    cost = Money(places=4, allow_none=True, validate=price)
    tax_category = Trimmed(validate=validate.Length(min=1, max=30),
                           metadata={"description": "Categoría de IVA del catálogo de impuestos del país de la empresa."})
    barcode = Trimmed(allow_none=True, validate=validate.Length(max=64))
    category = Trimmed(allow_none=True, validate=validate.Length(max=100))
    is_active = fields.Boolean()


class ProductCreateSchema(ProductInputSchema):
    """A new product or service (tax category «general» when omitted)."""

    sku = Trimmed(required=True, validate=validate.Length(min=1, max=64))
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    unit_price = Money(places=4, required=True, validate=price, metadata={"description": "Precio unitario sin impuestos."})


class ProductUpdateSchema(ProductInputSchema):
    """A partial change; `version` must be the one last read (409 otherwise)."""

    version = fields.Integer(required=True, validate=validate.Range(min=1))


class ProductSchema(Schema):
    """A product or service as returned by the API."""

    id = fields.UUID(dump_only=True)
    sku = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    kind = fields.String(dump_only=True)
    unit = fields.String(dump_only=True)
    unit_price = Money(places=4, dump_only=True)
    cost = Money(places=4, dump_only=True, allow_none=True)
    tax_category = fields.String(dump_only=True)
    barcode = fields.String(dump_only=True, allow_none=True)
    category = fields.String(dump_only=True, allow_none=True)
    is_active = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class ProductQuerySchema(PageQuerySchema):
    """List filters: `q` searches SKU, name and barcode."""

    q = Trimmed(validate=validate.Length(max=100))
    is_active = fields.Boolean()
    category = Trimmed(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(PRODUCT_KINDS))


#: A short identifier such as MAYOR or HORECA-2027.
PRICE_LIST_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
                                  error="Use letras, números, punto, guion o guion bajo, sin espacios (máximo 40).")


class PriceListCreateSchema(Schema):
    """A new price list (tarifa)."""

    code = Trimmed(required=True, validate=PRICE_LIST_CODE)
    name = Trimmed(required=True, validate=validate.Length(min=1, max=120))
    is_active = fields.Boolean()


class PriceListUpdateSchema(Schema):
    """A partial change of a price list; `version` must be the one last read (409 otherwise)."""

    code = Trimmed(validate=PRICE_LIST_CODE)
    name = Trimmed(validate=validate.Length(min=1, max=120))
    is_active = fields.Boolean()
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class PriceListSchema(Schema):
    """A price list as returned by the API."""

    id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class PriceListQuerySchema(PageQuerySchema):
    """List filters: `q` searches code and name."""

    q = Trimmed(validate=validate.Length(max=100))
    is_active = fields.Boolean()


class PriceListItemUpdateSchema(Schema):
    """The price of a product in a price list (creates the entry or replaces its price)."""

    unit_price = Money(places=4, required=True, validate=price, metadata={"description": "Precio unitario sin impuestos."})


class PriceListItemSchema(Schema):
    """A product's price in a price list, next to its catalog price."""

    product_id = fields.UUID(dump_only=True)
    sku = fields.String(dump_only=True, attribute="product.sku")
    name = fields.String(dump_only=True, attribute="product.name")
    unit_price = Money(places=4, dump_only=True)
    catalog_unit_price = Money(places=4, dump_only=True, attribute="product.unit_price")
    updated_at = UtcDateTime(dump_only=True)


class PriceListItemQuerySchema(PageQuerySchema):
    """Item filters: `q` searches the product's SKU and name."""

    q = Trimmed(validate=validate.Length(max=100))
