"""Marshmallow schemas of purchases: separate input and output; amounts, quantities and rates as strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from gestiq_app.fields import DecimalRange, Money, UtcDateTime
from gestiq_app.sales.schemas import DATES, TAX_CATEGORIES, Price, Quantity, Rate
from gestiq_app.sales.settings import tenant_today

STATUSES = ("draft", "recorded", "partially_paid", "paid", "overdue")
ACCOUNT = validate.Regexp(r"^[0-9A-Za-z.]{1,20}$", error="Código de cuenta: cifras, letras y puntos (máximo 20).")
CATEGORY = validate.Regexp(r"^[a-z0-9_]{1,30}$", error="Categoría del catálogo (minúsculas, cifras y _).")
SUPPLIER_NUMBER = validate.Regexp(r"^\S(.{0,58}\S)?$", error="Entre 1 y 60 caracteres, sin espacios al principio ni al final.")
AUTHORIZATION = validate.Regexp(r"^[0-9]{10,49}$", error="Número de autorización del SRI (10 a 49 cifras).")
POSITIVE = DecimalRange(min=Decimal("0"), max=Decimal("999999999"), min_inclusive=False)


def _check_dates(data: dict[str, Any]) -> None:
    issue_date, due_date = data.get("issue_date"), data.get("due_date")
    if issue_date and due_date and due_date < issue_date:
        raise ValidationError("No puede ser anterior a la fecha de la factura.", field_name="due_date")


class PurchaseLineInputSchema(Schema):
    """A line of a supplier invoice: free text or a product, with its IVA category and optional withholdings."""

    product_id = fields.UUID(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=500))
    quantity = Quantity(required=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("99999999"), min_inclusive=False))
    unit_price = Price(required=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("999999999")))
    discount_percent = Money(places=2, load_default=Decimal("0"), validate=DecimalRange(min=Decimal("0"), max=Decimal("100")),
                             metadata={"example": "10.00"})
    tax_category = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TAX_CATEGORIES))
    is_iva_deductible = fields.Boolean(load_default=None, allow_none=True,
                                       metadata={"description": "IVA deducible (por defecto, el del documento)."})
    expense_account = fields.String(load_default=None, allow_none=True, validate=ACCOUNT)
    renta_withholding_category = fields.String(load_default=None, allow_none=True, validate=CATEGORY,
                                               metadata={"description": "Ecuador: categoría ret_renta del catálogo (p. ej. otras = 3440); "
                                                                        "España: categoría irpf (profesional, profesional_inicio)."})
    iva_withholding_category = fields.String(load_default=None, allow_none=True, validate=CATEGORY,
                                             metadata={"description": "Ecuador: categoría ret_iva del catálogo (p. ej. iva_30 = código 1)."})


class SupplierInvoiceCreateSchema(Schema):
    """A new draft supplier invoice: the supplier's own number and date."""

    supplier_id = fields.UUID(required=True)
    supplier_number = fields.String(required=True, validate=SUPPLIER_NUMBER)
    issue_date = fields.Date(required=True, validate=DATES)
    due_date = fields.Date(load_default=None, allow_none=True, validate=DATES,
                           metadata={"description": "Por defecto, según las condiciones de pago del proveedor."})
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    expense_account = fields.String(load_default=None, allow_none=True, validate=ACCOUNT)
    is_iva_deductible = fields.Boolean(load_default=True)
    authorization_number = fields.String(load_default=None, allow_none=True, validate=AUTHORIZATION)
    lines = fields.List(fields.Nested(PurchaseLineInputSchema), load_default=list, validate=validate.Length(max=500))

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_dates(data)


class SupplierInvoiceUpdateSchema(Schema):
    """Changes to a draft: only the fields sent change; `lines` replaces every line."""

    supplier_id = fields.UUID()
    supplier_number = fields.String(validate=SUPPLIER_NUMBER)
    issue_date = fields.Date(validate=DATES)
    due_date = fields.Date(allow_none=True, validate=DATES)
    description = fields.String(allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))
    expense_account = fields.String(allow_none=True, validate=ACCOUNT)
    is_iva_deductible = fields.Boolean()
    authorization_number = fields.String(allow_none=True, validate=AUTHORIZATION)
    lines = fields.List(fields.Nested(PurchaseLineInputSchema), validate=validate.Length(max=500))

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_dates(data)


class PurchaseRecordSchema(Schema):
    """Optional date of the comprobante de retención (default: today, never before the invoice)."""

    withholding_date = fields.Date(load_default=None, allow_none=True, validate=DATES)


class PurchasePaymentSchema(Schema):
    """A payment to the supplier."""

    amount = Money(required=True, validate=POSITIVE)
    paid_on = fields.Date(load_default=None, allow_none=True, validate=DATES,
                          metadata={"description": "Fecha del pago (por defecto hoy, fecha local del tenant)."})
    method = fields.String(load_default="bank_transfer", validate=validate.OneOf(("bank_transfer", "cash", "card")),
                           metadata={"description": "bank_transfer → 572 bancos; cash → 570 caja; card → 572."})


class PurchaseExpenseCreateSchema(Schema):
    """An expense receipt: its amount including IVA; recorded (and paid) at once unless told otherwise."""

    issue_date = fields.Date(required=True, validate=DATES)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    amount = Money(required=True, validate=POSITIVE, metadata={"description": "Importe total con IVA."})
    tax_category = fields.String(load_default="general", validate=validate.OneOf(TAX_CATEGORIES))
    tax_amount = Money(load_default=None, allow_none=True, validate=DecimalRange(min=Decimal("0"), max=Decimal("999999999")),
                       metadata={"description": "IVA del tique, si figura (si no, se calcula con el tipo)."})
    supplier_id = fields.UUID(load_default=None, allow_none=True)
    supplier_number = fields.String(load_default=None, allow_none=True, validate=SUPPLIER_NUMBER)
    due_date = fields.Date(load_default=None, allow_none=True, validate=DATES)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    expense_account = fields.String(load_default=None, allow_none=True, validate=ACCOUNT)
    is_iva_deductible = fields.Boolean(load_default=True)
    record = fields.Boolean(load_default=True, metadata={"description": "Registrar ya (por defecto) o dejar en borrador."})
    is_paid = fields.Boolean(load_default=True, metadata={"description": "Pagado al registrarlo (tique de caja)."})

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_dates(data)


class PurchaseLineSchema(Schema):
    """A stored, priced line."""

    id = fields.UUID(dump_only=True)
    position = fields.Integer(dump_only=True)
    product_id = fields.UUID(dump_only=True, allow_none=True)
    description = fields.String(dump_only=True)
    quantity = Quantity(dump_only=True)
    unit_price = Price(dump_only=True)
    discount_percent = Money(places=2, dump_only=True)
    tax_category = fields.String(dump_only=True)
    tax_rate = Rate(dump_only=True)
    tax_code = fields.String(dump_only=True, allow_none=True)
    is_iva_deductible = fields.Boolean(dump_only=True)
    expense_account = fields.String(dump_only=True, allow_none=True)
    renta_withholding_category = fields.String(dump_only=True, allow_none=True)
    iva_withholding_category = fields.String(dump_only=True, allow_none=True)
    base_amount = Money(dump_only=True)


class PurchaseTaxSchema(Schema):
    """A line of the IVA breakdown."""

    tax_type = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    rate = Rate(dump_only=True)
    authority_code = fields.String(dump_only=True, allow_none=True)
    is_deductible = fields.Boolean(dump_only=True)
    base = Money(dump_only=True)
    amount = Money(dump_only=True)


class PurchaseWithholdingLineSchema(Schema):
    """A withholding applied by the buyer (Ecuador)."""

    kind = fields.String(dump_only=True)
    category = fields.String(dump_only=True)
    code = fields.String(dump_only=True)
    rate = Rate(dump_only=True)
    base = Money(dump_only=True)
    amount = Money(dump_only=True)


class PurchaseAttachmentSchema(Schema):
    """An attached original."""

    id = fields.UUID(dump_only=True)
    filename = fields.String(dump_only=True)
    content_type = fields.String(dump_only=True)
    size_bytes = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True)
    uploaded_by = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class PurchaseAttachmentUploadSchema(Schema):
    """A multipart upload of one file (PDF, JPEG, PNG or WebP)."""

    file = fields.Raw(required=True, load_only=True, metadata={"type": "string", "format": "binary"})


class PurchaseListItemSchema(Schema):
    """A row of a purchase list (no lines)."""

    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    status = fields.Method("dump_status", dump_only=True)
    supplier_id = fields.UUID(dump_only=True, allow_none=True)
    supplier_name = fields.String(dump_only=True, allow_none=True)
    supplier_tax_id = fields.String(dump_only=True, allow_none=True)
    supplier_number = fields.String(dump_only=True, allow_none=True)
    issue_date = fields.Date(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    currency = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    subtotal = Money(dump_only=True)
    tax_total = Money(dump_only=True)
    withholding_total = Money(dump_only=True)
    total = Money(dump_only=True)
    amount_due = Money(dump_only=True)

    def dump_status(self, document: Any) -> str:
        """Return the shown status (overdue is computed with the tenant's date)."""
        return document.status_on(tenant_today(tenant_id=document.tenant_id))


class PurchaseDocumentSchema(PurchaseListItemSchema):
    """A supplier invoice or expense with its lines, IVA breakdown, withholdings and attachments."""

    notes = fields.String(dump_only=True, allow_none=True)
    expense_account = fields.String(dump_only=True, allow_none=True)
    is_iva_deductible = fields.Boolean(dump_only=True)
    authorization_number = fields.String(dump_only=True, allow_none=True)
    deductible_tax_total = Money(dump_only=True)
    amount_paid = Money(dump_only=True)
    recorded_at = UtcDateTime(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)
    version = fields.Integer(dump_only=True)
    lines = fields.List(fields.Nested(PurchaseLineSchema), dump_only=True)
    taxes = fields.List(fields.Nested(PurchaseTaxSchema), dump_only=True)
    withholdings = fields.List(fields.Nested(PurchaseWithholdingLineSchema), dump_only=True)
    attachments = fields.List(fields.Nested(PurchaseAttachmentSchema), dump_only=True)


class PurchaseQuerySchema(Schema):
    """Filters of purchase lists."""

    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)), error_messages={"invalid": "Lista no válida."},
                           metadata={"description": "Uno o varios, separados por comas."})
    supplier_id = fields.UUID(load_default=None)
    issue_date_from = fields.Date(load_default=None, validate=DATES)
    issue_date_to = fields.Date(load_default=None, validate=DATES)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                      metadata={"description": "Busca en número del proveedor, proveedor, descripción y notas."})


class PurchaseWithholdingQuerySchema(Schema):
    """Filters of the withholdings list."""

    supplier_id = fields.UUID(load_default=None)
    issue_date_from = fields.Date(load_default=None, validate=DATES)
    issue_date_to = fields.Date(load_default=None, validate=DATES)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                      metadata={"description": "Busca en el nombre y la identificación del proveedor."})


class PurchaseWithholdingSchema(Schema):
    """A comprobante de retención (codDoc 07)."""

    id = fields.UUID(dump_only=True)
    document_id = fields.UUID(dump_only=True)
    number = fields.String(dump_only=True)
    establishment = fields.String(dump_only=True)
    emission_point = fields.String(dump_only=True)
    sequential = fields.Integer(dump_only=True)
    issue_date = fields.Date(dump_only=True)
    fiscal_period = fields.String(dump_only=True)
    supplier_name = fields.String(dump_only=True)
    supplier_tax_id = fields.String(dump_only=True)
    total = Money(dump_only=True)
    lines = fields.List(fields.Nested(PurchaseWithholdingLineSchema), dump_only=True)
    created_at = UtcDateTime(dump_only=True)


