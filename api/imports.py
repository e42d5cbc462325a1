"""/api/v1/imports: batches of customers, suppliers or products — ingest, validate, preview and fix, promote, undo."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Response, request, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import PageQuerySchema, page_schema, paginate
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.imports import pipeline, reports, services
from gestiq_app.imports.models import ImportBatch, ImportLineage
from gestiq_app.imports.schemas import (
    BatchCreateSchema,
    BatchDetailSchema,
    BatchQuerySchema,
    BatchSchema,
    BatchUpdateSchema,
    IngestRowsSchema,
    ItemQuerySchema,
    ItemSchema,
    ItemUpdateSchema,
    LineageSchema,
    UploadSchema,
)

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports", description="Importaciones masivas (clientes, proveedores, productos)")
F = TypeVar("F", bound=Callable[..., Any])
MULTIPART_OVERHEAD = 1024 * 1024


def accepts(*content_types: str) -> Callable[[F], F]:
    """Let a handler receive bodies other than JSON (the API's body guard reads this mark)."""

    def decorator(handler: F) -> F:
        handler._gestiq_content_types = content_types  # type: ignore[attr-defined]
        return handler

    return decorator


def upload_limit(view: F) -> F:
    """Raise this request's body limit to the import upload limit (the file itself is checked while streaming)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = services.max_upload_bytes() + MULTIPART_OVERHEAD
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _seconds(timings: dict[str, str], start: str, end: str) -> float | None:
    if start not in timings or end not in timings:
        return None
    return round((datetime.fromisoformat(timings[end]) - datetime.fromisoformat(timings[start])).total_seconds(), 3)


def detail(batch: ImportBatch) -> dict[str, Any]:
    """Return the batch with its counts per status, progress % of the current stage and stage durations."""
    counts = services.status_counts(tenant_id=batch.tenant_id, batch_id=batch.id)
    if batch.state == "validating":
        progress = 100 * batch.processed_items // batch.total_items if batch.total_items else 0
    elif batch.state in ("promoting", "promoted"):
        pending = counts["valid"] + counts["promoted"]
        progress = 100 * counts["promoted"] // pending if pending else 100
    elif batch.state in ("validated", "rolled_back"):
        progress = 100
    else:
        progress = 0
    timings = batch.timings or {}
    durations = {name: value for name, value in (
        ("validation", _seconds(timings, "validation_started_at", "validated_at")),
        ("promotion", _seconds(timings, "promotion_started_at", "promoted_at"))) if value is not None}
    values = {name: getattr(batch, name) for name in BatchSchema().fields}
    return {**values, "counts": counts, "progress": progress, "durations": durations}


def _principal() -> Any:
    return current_principal()


@blp.route("/batches")
class Batches(MethodView):
    """The tenant's import batches."""

    @require("imports:read")
    @blp.arguments(BatchQuerySchema, location="query")
    @blp.response(200, page_schema(BatchSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List batches, newest first; filter by kind and state."""
        statement = services.search_batches(tenant_id=_principal().tenant_id, filters=args)
        return paginate(statement, args, sortable=services.BATCH_SORT_FIELDS, default_sort="-created_at")

    @require("imports:write")
    @idempotent
    @blp.arguments(BatchCreateSchema)
    @blp.response(201, BatchDetailSchema)
    @blp.alt_response(400, description="Política «update» con facturas (invoices, supplier_invoices)")
    def post(self, data: dict[str, Any]) -> Any:
        """Create an empty batch: customers, suppliers, products, documents, invoices or supplier invoices (rows = lines)."""
        principal = _principal()
        batch = services.create_batch(tenant_id=principal.tenant_id, data=data, actor=principal.actor)
        return detail(batch), {"Location": f"/api/v1/imports/batches/{batch.id}"}


@blp.route("/batches/<uuid:batch_id>")
class BatchItem(MethodView):
    """One batch."""

    @require("imports:read")
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, batch_id: uuid.UUID) -> Any:
        """Return the batch: state, counts per status, progress %, timings and the header mapping."""
        return detail(services.get_batch(tenant_id=_principal().tenant_id, batch_id=batch_id))

    @require("imports:write")
    @blp.arguments(BatchUpdateSchema)
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(400, description="Política «update» con facturas (invoices, supplier_invoices)")
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Ya validándose, importándose o importado")
    def patch(self, data: dict[str, Any], batch_id: uuid.UUID) -> Any:
        """Change the header mapping, options or duplicate policy (a validated batch must be validated again)."""
        return detail(services.update_batch(tenant_id=_principal().tenant_id, batch_id=batch_id, data=data))

    @require("imports:write")
    @blp.response(204)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Importado (deshágalo antes) o en curso")
    def delete(self, batch_id: uuid.UUID) -> Any:
        """Delete a batch before promotion (or after its rollback), with its items and file."""
        principal = _principal()
        services.delete_batch(tenant_id=principal.tenant_id, batch_id=batch_id, actor=principal.actor)
        return "", 204


@blp.route("/batches/<uuid:batch_id>/ingest")
class BatchIngestRows(MethodView):
    """Rows sent as JSON."""

    @require("imports:write")
    @blp.arguments(IngestRowsSchema)
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="El lote ya tiene datos")
    def post(self, data: dict[str, Any], batch_id: uuid.UUID) -> Any:
        """Stage JSON rows in an empty batch (keys are target fields or source headers)."""
        return detail(services.ingest_rows(tenant_id=_principal().tenant_id, batch_id=batch_id, rows=data["rows"]))


@blp.route("/batches/<uuid:batch_id>/upload")
class BatchUpload(MethodView):
    """A CSV, XLSX or JSON file; or, for a `documents` batch, one or more PDF/PNG/JPEG/TIFF documents (repeated `file`)."""

    @accepts("multipart/form-data")
    @require("imports:write")
    @upload_limit
    @blp.arguments(UploadSchema, location="files")
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="El lote ya tiene datos")
    @blp.alt_response(413, description="Archivo demasiado grande (GESTIQ_IMPORTS_MAX_UPLOAD_MB)")
    @blp.alt_response(422, description="Archivo ilegible: el mensaje indica la línea")
    def post(self, form: dict[str, Any], batch_id: uuid.UUID) -> Any:
        """Upload a file (streamed to storage), detect encoding, delimiter and headers, and stage its rows."""
        uploads = request.files.getlist("file")
        if len(uploads) > 1:  # a documents batch takes several PDFs/images at once
            from gestiq_app.imports.documents import ingest_documents

            return detail(ingest_documents(tenant_id=_principal().tenant_id, batch_id=batch_id,
                                           files=[((item.filename or "documento")[:200], item.stream) for item in uploads],
                                           max_bytes=services.max_upload_bytes()))
        upload = form["file"]
        if not hasattr(upload, "stream"):
            raise ApiProblem(422, "Adjunte el archivo en el campo «file».", errors={"file": ["Falta el archivo."]})
        filename = (upload.filename or "import.csv")[:200]
        return detail(services.ingest_file(tenant_id=_principal().tenant_id, batch_id=batch_id, stream=upload.stream,
                                           filename=filename))


@blp.route("/batches/<uuid:batch_id>/validate")
class BatchValidate(MethodView):
    """Validation in the background."""

    @require("imports:write")
    @blp.response(202, BatchDetailSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Sin datos, o ya importándose")
    def post(self, batch_id: uuid.UUID) -> Any:
        """Validate every row with the domain rules (a background job): poll the batch for progress."""
        return detail(services.request_validation(tenant_id=_principal().tenant_id, batch_id=batch_id))


@blp.route("/batches/<uuid:batch_id>/promote")
class BatchPromote(MethodView):
    """Promotion in the background."""

    @require("imports:write")
    @blp.response(202, BatchDetailSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Sin validar")
    def post(self, batch_id: uuid.UUID) -> Any:
        """Create (or update) the valid rows' entities in chunks (a background job); calling it again changes nothing."""
        return detail(services.request_promotion(tenant_id=_principal().tenant_id, batch_id=batch_id))


@blp.route("/batches/<uuid:batch_id>/rollback")
class BatchRollback(MethodView):
    """Undo a promotion."""

    @require("imports:write")
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="No importado, o sus registros ya se usan en documentos")
    def post(self, batch_id: uuid.UUID) -> Any:
        """Delete what the batch created and restore what it updated; refused if any created entity is in use."""
        principal = _principal()
        return detail(pipeline.rollback_batch(tenant_id=principal.tenant_id, batch_id=batch_id, actor=principal.actor))


@blp.route("/batches/<uuid:batch_id>/items")
class BatchItems(MethodView):
    """The staged rows (preview)."""

    @require("imports:read")
    @blp.arguments(ItemQuerySchema, location="query")
    @blp.response(200, page_schema(ItemSchema))
    @blp.alt_response(404, description="No existe")
    def get(self, args: dict[str, Any], batch_id: uuid.UUID) -> Any:
        """List rows in file order, optionally of one status, with their per-field errors."""
        statement = services.search_items(tenant_id=_principal().tenant_id, batch_id=batch_id, status=args.get("status"))
        return paginate(statement, args, sortable=services.ITEM_SORT_FIELDS, default_sort="row_number")


@blp.route("/batches/<uuid:batch_id>/items/<uuid:item_id>")
class BatchItemFix(MethodView):
    """One staged row."""

    @require("imports:write")
    @blp.arguments(ItemUpdateSchema)
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="El lote ya se está importando o la fila ya se importó")
    def patch(self, data: dict[str, Any], batch_id: uuid.UUID, item_id: uuid.UUID) -> Any:
        """Fix the row's normalized data; it is validated again at once."""
        return services.update_item(tenant_id=_principal().tenant_id, batch_id=batch_id, item_id=item_id, data=data["data"])


@blp.route("/batches/<uuid:batch_id>/lineage")
class BatchLineage(MethodView):
    """What the batch created or updated."""

    @require("imports:read")
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, page_schema(LineageSchema))
    @blp.alt_response(404, description="No existe")
    def get(self, args: dict[str, Any], batch_id: uuid.UUID) -> Any:
        """List the entities created or updated by each promoted row."""
        statement = services.lineage_query(tenant_id=_principal().tenant_id, batch_id=batch_id)
        return paginate(statement, args, sortable={"created_at": ImportLineage.created_at}, default_sort="created_at")


@blp.route("/batches/<uuid:batch_id>/errors.csv")
class BatchErrors(MethodView):
    """The errors report."""

    @require("imports:read")
    @blp.response(200, content_type="text/csv", description="Filas no válidas con sus columnas y errores (UTF-8, `;`)")
    @blp.doc(responses={"200": {"description": "Filas no válidas con sus columnas y errores (UTF-8, `;`)",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    @blp.alt_response(404, description="No existe")
    def get(self, batch_id: uuid.UUID) -> Any:
        """Download the invalid rows with their errors as CSV, to fix in a spreadsheet and upload again."""
        tenant_id = _principal().tenant_id
        services.get_batch(tenant_id=tenant_id, batch_id=batch_id)
        body = stream_with_context(reports.iter_errors_csv(tenant_id=tenant_id, batch_id=batch_id))  # type: ignore[arg-type]
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="errores-{batch_id}.csv"'})
