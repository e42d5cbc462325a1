"""Marshmallow schemas of import batches and items: input (create, mapping, rows, fixes), output and list queries."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from api.common import PageQuerySchema
from gestiq_app.fields import UtcDateTime
from gestiq_app.imports.models import DUPLICATE_POLICIES, ITEM_STATUSES, KINDS, STATES
from gestiq_app.validation import Trimmed

MAX_JSON_ROWS = 10_000
MAX_COLUMNS = 200


class BatchOptionsSchema(Schema):
    """How to read the file and what to do with duplicates (everything is detected when omitted)."""

    duplicate_policy = fields.String(validate=validate.OneOf(DUPLICATE_POLICIES),
                                     metadata={"description": "Filas cuyo SKU, identificador fiscal o número de factura ya existe: skip (omitir), "
                                                               "update (actualizar; no se admite para facturas: 400) o error."})
    delimiter = fields.String(validate=validate.OneOf([",", ";", "\t", "|"]))
    encoding = fields.String(validate=validate.OneOf(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
    sheet = Trimmed(validate=validate.Length(max=100), metadata={"description": "Hoja del XLSX (nombre o índice desde 0); por defecto la primera."})
    decimal_separator = fields.String(validate=validate.OneOf(["auto", ",", "."]))
    entry_date = fields.Date(validate=validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31),
                                                     error="Fecha fuera del rango admitido (2000–2099)."),
                             metadata={"description": "Solo opening_balances: fecha del asiento de apertura (por defecto, hoy en la zona horaria de la empresa)."})


class BatchCreateSchema(Schema):
    """A new, empty import batch."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={"description": (
        "customers, suppliers, products: una fila = un registro; documents: PDF o imágenes de proveedor; invoices, "
        "supplier_invoices: una fila = una línea, las filas con el mismo número (y proveedor) forman una factura.")})
    source_name = Trimmed(validate=validate.Length(max=200))
    options = fields.Nested(BatchOptionsSchema)


def _mapping(value: dict) -> None:
    if len(value) > MAX_COLUMNS:
        raise ValidationError(f"Como máximo {MAX_COLUMNS} columnas.")


class BatchUpdateSchema(Schema):
    """Change the header mapping (column -> field, null = ignore), the options or the duplicate policy before validating."""

    mapping = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                          values=fields.String(allow_none=True, validate=validate.Length(max=40)), validate=_mapping)
    options = fields.Nested(BatchOptionsSchema)
    duplicate_policy = fields.String(validate=validate.OneOf(DUPLICATE_POLICIES))


def _rows(value: list) -> None:
    for row in value:
        if len(row) > MAX_COLUMNS:
            raise ValidationError(f"Como máximo {MAX_COLUMNS} columnas por fila.")


class IngestRowsSchema(Schema):
    """Rows sent as JSON: objects keyed by target field (sku, name, unit_price…) or by the source's headers."""

    rows = fields.List(fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200))), required=True,
                       validate=[validate.Length(min=1, max=MAX_JSON_ROWS), _rows])


class UploadSchema(Schema):
    """A multipart upload of a CSV, XLSX or JSON file (field `file`)."""

    file = fields.Raw(required=True, load_only=True, metadata={"type": "string", "format": "binary"})


class BatchSchema(Schema):
    """An import batch as returned by the API."""

    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    source_name = fields.String(dump_only=True)
    state = fields.String(dump_only=True, metadata={"enum": list(STATES)})
    duplicate_policy = fields.String(dump_only=True)
    options = fields.Dict(dump_only=True)
    headers = fields.List(fields.String(), dump_only=True)
    mapping = fields.Dict(dump_only=True)
    file_size = fields.Integer(dump_only=True)
    total_items = fields.Integer(dump_only=True)
    processed_items = fields.Integer(dump_only=True)
    promoted_items = fields.Integer(dump_only=True)
    chunks_done = fields.Integer(dump_only=True)
    timings = fields.Dict(dump_only=True)
    error = fields.String(dump_only=True, allow_none=True)
    created_by = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class BatchDetailSchema(BatchSchema):
    """A batch with its item counts per status and its progress."""

    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    progress = fields.Integer(dump_only=True, metadata={"description": "Porcentaje de la etapa en curso (0–100)."})
    durations = fields.Dict(keys=fields.String(), values=fields.Float(), dump_only=True,
                            metadata={"description": "Segundos de cada etapa terminada (validation, promotion)."})


class BatchQuerySchema(PageQuerySchema):
    """Batch list filters."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    state = fields.String(validate=validate.OneOf(STATES))


class ItemSchema(Schema):
    """A staged row: the source cells, the normalized data, its status and per-field errors ({field: [{code, message}]})."""

    id = fields.UUID(dump_only=True)
    row_number = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(ITEM_STATUSES)})
    raw = fields.Dict(dump_only=True)
    data = fields.Dict(dump_only=True, allow_none=True)
    errors = fields.Dict(dump_only=True)
    natural_key = fields.String(dump_only=True, allow_none=True)
    action = fields.String(dump_only=True, allow_none=True)
    is_edited = fields.Boolean(dump_only=True)


class ItemQuerySchema(PageQuerySchema):
    """Item filters: `status` (invalid, valid, promoted…)."""

    status = fields.String(validate=validate.OneOf(ITEM_STATUSES))


class ItemUpdateSchema(Schema):
    """A fix of an item's normalized data: the fields sent replace the current ones (null removes a field)."""

    data = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=40)), required=True,
                       validate=validate.Length(min=1, max=MAX_COLUMNS))


class LineageSchema(Schema):
    """What one promoted item created or updated."""

    item_id = fields.UUID(dump_only=True)
    entity_type = fields.String(dump_only=True)
    entity_id = fields.UUID(dump_only=True)
    action = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
