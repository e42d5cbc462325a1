"""Marshmallow schemas of sales documents: separate input and output; amounts, quantities and rates as strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from gestiq_app.fields import DecimalRange, Money, UtcDateTime
from gestiq_app.sales.models import DOCUMENT_KINDS, RECTIFICATION_METHODS, RECTIFICATION_TYPES
from gestiq_app.sales.settings import tenant_today

DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error="Fecha fuera del rango admitido (2000–2099).")
TAX_CATEGORIES = ("general", "reducido", "superreducido", "cero", "exento", "no_objeto")
STATUSES = ("draft", "issued", "partially_paid", "paid", "overdue", "rectified", "voided", "converted")


def Quantity(**kwargs: Any) -> Money:  # noqa: N802 - a field factory reads like a field class
    """Return a quantity field: up to 3 decimals, as a string."""
    return Money(places=3, metadata={"example": "1.000"}, **kwargs)


def Price(**kwargs: Any) -> Money:  # noqa: N802
    """Return a unit-price field: up to 4 decimals, as a string."""
    return Money(places=4, metadata={"example": "12.5000"}, **kwargs)


def Rate(**kwargs: Any) -> Money:  # noqa: N802
    """Return a tax-rate field (percent), as a string."""
    return Money(places=4, metadata={"example": "21.0000"}, **kwargs)


def _check_dates(data: dict[str, Any]) -> None:
    issue_date, due_date = data.get("issue_date"), data.get("due_date")
    if issue_date and due_date and due_date < issue_date:
        raise ValidationError("No puede ser anterior a la fecha de emisión.", field_name="due_date")


class LineInputSchema(Schema):
    """A line to write: a product (its name, price, tax category and kind become the defaults) or free text."""

    product_id = fields.UUID(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=500))
    quantity = Quantity(required=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("99999999"), min_inclusive=False))
    unit_price = Price(load_default=None, allow_none=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("999999999")))
    discount_percent = Money(places=2, load_default=Decimal("0"), validate=DecimalRange(min=Decimal("0"), max=Decimal("100")),
                             metadata={"example": "10.00"})
    tax_category = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TAX_CATEGORIES))
    is_service = fields.Boolean(load_default=None, allow_none=True,
                                metadata={"description": "Servicio (retención IRPF) o bien (recargo de equivalencia)."})


class DocumentCreateSchema(Schema):
    """A new draft quote or invoice."""

    customer_id = fields.UUID(required=True)
    series_id = fields.UUID(load_default=None, allow_none=True)
    issue_date = fields.Date(load_default=None, allow_none=True, validate=DATES)
    due_date = fields.Date(load_default=None, allow_none=True, validate=DATES,
                           metadata={"description": "Vencimiento (facturas) o validez (presupuestos)."})
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    lines = fields.List(fields.Nested(LineInputSchema), load_default=list, validate=validate.Length(max=500))

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_dates(data)


class DocumentUpdateSchema(Schema):
    """Changes to a draft: only the fields sent are changed; `lines` replaces every line."""

    customer_id = fields.UUID()
    series_id = fields.UUID()
    issue_date = fields.Date(validate=DATES)
    due_date = fields.Date(allow_none=True, validate=DATES)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))
    reason = fields.String(validate=validate.Length(min=1, max=300))
    lines = fields.List(fields.Nested(LineInputSchema), validate=validate.Length(max=500))

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_dates(data)


class CreditLineInputSchema(Schema):
    """An invoice line to credit: a quantity, at the invoiced price or a lower one."""

    source_line_id = fields.UUID(required=True)
    quantity = Quantity(required=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("99999999"), min_inclusive=False))
    unit_price = Price(load_default=None, allow_none=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("999999999")))


class CreditNoteCreateSchema(Schema):
    """A draft credit note: every line that remains (no `lines`) or the given lines and quantities."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))
    rectification_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RECTIFICATION_TYPES),
                                       metadata={"description": "España: R1–R5 (obligatorio)."})
    rectification_method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RECTIFICATION_METHODS),
                                         metadata={"description": "España: diferencias (por defecto) o sustitucion."})
    series_id = fields.UUID(load_default=None, allow_none=True)
    issue_date = fields.Date(load_default=None, allow_none=True, validate=DATES)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    lines = fields.List(fields.Nested(CreditLineInputSchema), load_default=None, allow_none=True,
                        validate=validate.Length(min=1, max=500))


class IssueSchema(Schema):
    """Optional issue date (default: the draft's)."""

    issue_date = fields.Date(load_default=None, allow_none=True, validate=DATES)


class PricedLineSchema(Schema):
    """A priced line, with the rates used."""

    position = fields.Integer(dump_only=True)
    product_id = fields.UUID(dump_only=True, allow_none=True)
    description = fields.String(dump_only=True)
    quantity = Quantity(dump_only=True)
    unit_price = Price(dump_only=True)
    discount_percent = Money(places=2, dump_only=True)
    tax_category = fields.String(dump_only=True)
    is_service = fields.Boolean(dump_only=True)
    tax_rate = Rate(dump_only=True)
    tax_code = fields.String(dump_only=True, allow_none=True)
    recargo_rate = Rate(dump_only=True, allow_none=True)
    withholding_rate = Rate(dump_only=True, allow_none=True)
    base_amount = Money(dump_only=True)


class LineSchema(PricedLineSchema):
    """A stored line."""

    id = fields.UUID(dump_only=True)
    source_line_id = fields.UUID(dump_only=True, allow_none=True)


class TaxSchema(Schema):
    """A line of the tax breakdown (irpf is subtracted from the total)."""

    tax_type = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    rate = Rate(dump_only=True)
    authority_code = fields.String(dump_only=True, allow_none=True)
    base = Money(dump_only=True)
    amount = Money(dump_only=True)


class PreviewSchema(Schema):
    """Totals of an unsaved draft."""

    issue_date = fields.Date(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    currency = fields.String(dump_only=True)
    customer_name = fields.String(dump_only=True)
    subtotal = Money(dump_only=True)
    tax_total = Money(dump_only=True)
    recargo_total = Money(dump_only=True)
    withholding_total = Money(dump_only=True)
    total = Money(dump_only=True)
    lines = fields.List(fields.Nested(PricedLineSchema), dump_only=True)
    taxes = fields.List(fields.Nested(TaxSchema), dump_only=True)


class DocumentSchema(PreviewSchema):
    """A quote, invoice or credit note."""

    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.Method("dump_status", dump_only=True, metadata={"description": "Estado; «overdue» si venció sin cobrarse."})
    series_id = fields.UUID(dump_only=True)
    number = fields.Integer(dump_only=True, allow_none=True)
    full_number = fields.String(dump_only=True, allow_none=True)
    customer_id = fields.UUID(dump_only=True)
    customer_tax_id = fields.String(dump_only=True)
    notes = fields.String(dump_only=True, allow_none=True)
    amount_paid = Money(dump_only=True)
    amount_credited = Money(dump_only=True)
    amount_due = Money(dump_only=True)
    rectified_document_id = fields.UUID(dump_only=True, allow_none=True)
    rectification_type = fields.String(dump_only=True, allow_none=True)
    rectification_method = fields.String(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True)
    source_quote_id = fields.UUID(dump_only=True, allow_none=True)
    issued_at = UtcDateTime(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)
    version = fields.Integer(dump_only=True)
    lines = fields.List(fields.Nested(LineSchema), dump_only=True)
    voided_at = UtcDateTime(dump_only=True, allow_none=True)
    void_reason = fields.String(dump_only=True, allow_none=True)
    einvoice = fields.Method("dump_einvoice", dump_only=True, allow_none=True, metadata={
        "description": "Facturación electrónica (null en borradores y presupuestos): canal, estado y clave o huella.",
        "type": "object", "nullable": True, "properties": {
            "channel": {"type": "string", "nullable": True}, "state": {"type": "string"},
            "authority_state": {"type": "string", "nullable": True}, "reference": {"type": "string", "nullable": True}}})

    def dump_status(self, document: Any) -> str:
        """Return the shown status (overdue is computed with the tenant's date)."""
        return document.status_on(tenant_today(tenant_id=document.tenant_id))

    def dump_einvoice(self, document: Any) -> dict[str, Any] | None:
        """Return the e-invoicing summary of an issued invoice or credit note."""
        if document.kind == "quote":
            return None
        from gestiq_app.einvoicing.documents import einvoice_summary  # sales must not import e-invoicing at load time

        return einvoice_summary(document)


class VoidSchema(Schema):
    """Why the invoice is voided."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class DocumentListItemSchema(Schema):
    """A row of a document list (no lines)."""

    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    full_number = fields.String(dump_only=True, allow_none=True)
    customer_id = fields.UUID(dump_only=True)
    customer_name = fields.String(dump_only=True)
    customer_tax_id = fields.String(dump_only=True)
    issue_date = fields.Date(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    currency = fields.String(dump_only=True)
    subtotal = Money(dump_only=True)
    total = Money(dump_only=True)
    amount_due = Money(dump_only=True)
    rectified_document_id = fields.UUID(dump_only=True, allow_none=True)


class DocumentQuerySchema(Schema):
    """Filters of document lists."""

    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)), error_messages={"invalid": "Lista no válida."},
                           metadata={"description": "Uno o varios, separados por comas."})
    customer_id = fields.UUID(load_default=None)
    issue_date_from = fields.Date(load_default=None, validate=DATES)
    issue_date_to = fields.Date(load_default=None, validate=DATES)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                      metadata={"description": "Busca en número, cliente y notas."})


PREFIX = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,19}$", error="Letras, cifras y / . _ - (máximo 20).")


class SeriesCreateSchema(Schema):
    """A new numbering series."""

    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    prefix = fields.String(required=True, validate=PREFIX)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    is_yearly_reset = fields.Boolean(load_default=True, metadata={"description": "Numeración que vuelve a 1 cada año."})
    number_width = fields.Integer(load_default=5, validate=validate.Range(min=1, max=12))
    next_number = fields.Integer(load_default=1, validate=validate.Range(min=1, max=999_999_999))
    is_active = fields.Boolean(load_default=True)


class SeriesUpdateSchema(Schema):
    """Changes to a series (numbering fields only while it has numbered nothing)."""

    prefix = fields.String(validate=PREFIX)
    name = fields.String(validate=validate.Length(min=1, max=100))
    is_yearly_reset = fields.Boolean()
    number_width = fields.Integer(validate=validate.Range(min=1, max=12))
    next_number = fields.Integer(validate=validate.Range(min=1, max=999_999_999))
    is_active = fields.Boolean()


class SeriesSchema(Schema):
    """A numbering series."""

    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    prefix = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    is_yearly_reset = fields.Boolean(dump_only=True)
    number_width = fields.Integer(dump_only=True)
    next_number = fields.Integer(dump_only=True)
    current_year = fields.Integer(dump_only=True, allow_none=True)
    last_issue_date = fields.Date(dump_only=True, allow_none=True)
    is_active = fields.Boolean(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class SeriesQuerySchema(Schema):
    """Filters of the series list."""

    kind = fields.String(load_default=None, validate=validate.OneOf(DOCUMENT_KINDS))
