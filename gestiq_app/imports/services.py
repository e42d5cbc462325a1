"""Import batch use cases: create, map, ingest, fix items, request validation and promotion, roll back, delete.

States move only by compare-and-set (`move_state`: UPDATE … WHERE state IN (:expected)), so a repeated or
concurrent request or task finds the batch already claimed. Validation and promotion run in Huey tasks
(`pipeline.py`), enqueued after the commit that claimed the batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import Select, delete, func, insert, select, update

from gestiq_app import storage
from gestiq_app.audit.services import record_event
from gestiq_app.db import call_after_commit, session, unit_of_work, utcnow
from gestiq_app.imports import parsing
from gestiq_app.imports.exceptions import (
    ImportConflictError,
    ImportInvalidError,
    ImportNotFoundError,
    ImportPolicyError,
    ImportTooLargeError,
)
from gestiq_app.imports.mapping import FIELDS_BY_KIND, auto_mapping, check_mapping
from gestiq_app.imports.models import ITEM_STATUSES, ImportBatch, ImportItem, ImportLineage
from gestiq_app.tenancy.context import tenant_context

BATCH_SORT_FIELDS = {"created_at": ImportBatch.created_at, "state": ImportBatch.state, "kind": ImportBatch.kind}
ITEM_SORT_FIELDS = {"row_number": ImportItem.row_number}
EDITABLE_STATES = ("created", "ingested", "validated", "failed")
DELETABLE_STATES = ("created", "ingested", "validated", "failed", "rolled_back")
INSERT_BATCH = 1000


def chunk_size() -> int:
    """Items per transaction (GESTIQ_IMPORTS_CHUNK_SIZE)."""
    return max(1, int(current_app.config.get("GESTIQ_IMPORTS_CHUNK_SIZE") or 1000))


def max_upload_bytes() -> int:
    """Largest accepted upload (GESTIQ_IMPORTS_MAX_UPLOAD_MB)."""
    return int(float(current_app.config.get("GESTIQ_IMPORTS_MAX_UPLOAD_MB") or 50) * 1024 * 1024)


def stamp(batch: ImportBatch, name: str) -> None:
    """Record when a stage happened (ISO timestamp in `timings`)."""
    batch.timings = {**(batch.timings or {}), name: utcnow().isoformat()}


def stamp_once(batch: ImportBatch, name: str) -> None:
    """Record when a stage first happened (a resumed stage keeps its first timestamp)."""
    if name not in (batch.timings or {}):
        stamp(batch, name)


def move_state(batch_id: uuid.UUID, expected: tuple[str, ...], new_state: str, **values: Any) -> bool:
    """Compare-and-set the batch state inside the current transaction; return whether this caller won."""
    result = session().execute(
        update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.state.in_(expected))
        .values(state=new_state, **values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _get(batch_id: uuid.UUID, *, lock: bool = False) -> ImportBatch:
    statement = select(ImportBatch).where(ImportBatch.id == batch_id)
    if lock:
        statement = statement.with_for_update()
    batch = session().scalar(statement.execution_options(populate_existing=True))
    if batch is None:
        raise ImportNotFoundError("No existe ese lote de importación.")
    return batch


def _conflict(batch: ImportBatch, action: str) -> ImportConflictError:
    return ImportConflictError(f"No se puede {action} un lote en estado «{batch.state}».",
                               errors={"state": [f"Estado actual: {batch.state}."]})


def search_batches(*, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the query of the tenant's batches, optionally of one kind or state (unsorted)."""
    statement = select(ImportBatch).where(ImportBatch.tenant_id == tenant_id)
    if filters.get("kind"):
        statement = statement.where(ImportBatch.kind == filters["kind"])
    if filters.get("state"):
        statement = statement.where(ImportBatch.state == filters["state"])
    return statement


def get_batch(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> ImportBatch:
    """Return one batch of the tenant or raise ImportNotFoundError."""
    with tenant_context(tenant_id):
        return _get(batch_id)


def status_counts(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> dict[str, int]:
    """Return {status: items} for every item status (zeros included; `needs_review` only for documents batches)."""
    with tenant_context(tenant_id):
        rows = session().execute(select(ImportItem.status, func.count()).where(ImportItem.batch_id == batch_id)
                                 .group_by(ImportItem.status)).all()
        kind = session().scalar(select(ImportBatch.kind).where(ImportBatch.id == batch_id))
    statuses = ITEM_STATUSES if kind == "documents" else tuple(status for status in ITEM_STATUSES if status != "needs_review")
    return {status: 0 for status in statuses} | {status: count for status, count in rows}


def _check_policy(kind: str, policy: str) -> None:
    """Issued invoices are never updated by an import: `update` is refused for the invoice kinds (400)."""
    from gestiq_app.imports.models import GROUPED_KINDS

    if kind in GROUPED_KINDS and policy == "update":
        raise ImportPolicyError("Las facturas importadas no se actualizan: use «skip» (omitir) o «error» para las ya existentes.",
                                errors={"duplicate_policy": ["«update» no se admite para facturas: use skip o error."]})


def create_batch(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> ImportBatch:
    """Create an empty batch of one kind with its options and duplicate policy."""
    options = dict(data.get("options") or {})
    policy = options.pop("duplicate_policy", None) or data.get("duplicate_policy") or "error"
    _check_policy(data["kind"], policy)
    with tenant_context(tenant_id), unit_of_work() as current:
        from gestiq_app.imports import balances

        options = balances.check_options(tenant_id=tenant_id, kind=data["kind"], options=options, policy=policy, creating=True)
        batch = ImportBatch(kind=data["kind"], source_name=data.get("source_name") or "", state="created",
                            duplicate_policy=policy, options=options, headers=[], mapping={}, timings={}, created_by=actor)
        current.add(batch)
        current.flush()
        record_event(actor=actor, action="import.created", entity="import_batch", entity_id=batch.id,
                     changes={"kind": batch.kind, "source_name": batch.source_name})
    return batch


def update_batch(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, data: dict[str, Any]) -> ImportBatch:
    """Change the header mapping, options or duplicate policy before promotion (a validated batch needs revalidating)."""
    with tenant_context(tenant_id), unit_of_work():
        batch = _get(batch_id, lock=True)
        if batch.state not in EDITABLE_STATES:
            raise _conflict(batch, "modificar")
        if "mapping" in data:
            mapping = {str(header): (field or None) for header, field in data["mapping"].items()}
            unknown = [header for header in mapping if header not in batch.headers]
            problems = check_mapping(batch.kind, mapping)
            for header in unknown:
                problems.setdefault(header, []).append("Esa columna no está en el archivo.")
            if problems:
                raise ImportInvalidError("La asignación de columnas no es válida.", errors={f"mapping.{k}": v for k, v in problems.items()})
            batch.mapping = {**batch.mapping, **mapping}
        options = dict(data.get("options") or {})
        policy = options.pop("duplicate_policy", None) or data.get("duplicate_policy")
        from gestiq_app.imports import balances

        options = balances.check_options(tenant_id=tenant_id, kind=batch.kind, options=options, policy=policy, creating=False)
        if options:
            batch.options = {**(batch.options or {}), **options}
        if policy:
            _check_policy(batch.kind, policy)
            batch.duplicate_policy = policy
        if batch.state == "validated":
            batch.state = "ingested"  # the items must be validated again with the new settings
    return batch


#: Kinds whose rows can be validated while they are staged (one row = one entity, validated by RowValidator).
PREVALIDATED_KINDS = ("customers", "suppliers", "products")


def _insert_prevalidated(batch: ImportBatch, rows: Iterator[tuple[int, dict[str, Any]]], pool: Any) -> int:
    """Stage the rows and validate them at the same time: chunks go to the validation pool while the next rows are
    parsed, and each item is written once with its normalized data, errors and natural key (status `pending`).

    Validation then only applies the duplicate policy (`pipeline.run_validation`, when the batch's mapping, options and
    tax catalog are still those of the fingerprint written here). PostgreSQL only; the rows never sit in memory beyond
    the nine chunks in flight.
    """
    from collections import deque

    from gestiq_app.imports import writers
    from gestiq_app.imports.pipeline import build_validator, validator_fingerprint

    validator = build_validator(batch)
    in_flight: deque[Callable[[], list[tuple[str, int]]]] = deque()
    size = chunk_size()
    with writers.ItemStager() as stager:
        def drain() -> None:
            for text, count in in_flight.popleft()():
                stager.write_text(text, count)

        # The workers encode each row and format its COPY line; this process parses and streams their text.
        chunk: list[tuple[int, dict[str, Any]]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                in_flight.append(pool.submit_staged(validator, batch.tenant_id, batch.id, chunk))
                chunk = []
                if len(in_flight) > 8:  # enough queued for the workers to go on while a block is inserted
                    drain()
        if chunk:
            in_flight.append(pool.submit_staged(validator, batch.tenant_id, batch.id, chunk))
        while in_flight:
            drain()
    batch.options = {**(batch.options or {}), "prevalidated": validator_fingerprint(validator)}
    stamp(batch, "prevalidated_at")
    return stager.count


def _insert_items(batch: ImportBatch, rows: Iterator[tuple[int, dict[str, Any]]], pool: Any = None) -> int:
    """Stage the rows as items, a thousand at a time (COPY on PostgreSQL, executemany elsewhere)."""
    from gestiq_app.imports import writers

    total = 0
    pending: list[dict[str, Any]] = []
    connection = session().connection()
    table = ImportItem.__table__
    postgresql = connection.dialect.name == "postgresql"

    if postgresql and pool is not None and batch.kind in PREVALIDATED_KINDS:
        return _insert_prevalidated(batch, rows, pool)
    if postgresql:
        # One streamed COPY of every row into a staging table (the network send runs in psycopg's writer thread while
        # this one parses), then one INSERT … SELECT: the whole ingest is one transaction anyway.
        with writers.ItemStager() as stager:
            for row_number, raw in rows:
                stager.write(batch.tenant_id, batch.id, row_number, raw)
        return stager.count

    def flush() -> None:
        connection.execute(insert(table), pending)

    for row_number, raw in rows:
        pending.append({"tenant_id": batch.tenant_id, "id": uuid.uuid4(), "batch_id": batch.id, "row_number": row_number,
                        "raw": raw, "data": None, "is_edited": False, "status": "pending", "errors": {}})
        if len(pending) >= INSERT_BATCH:
            flush()
            total += len(pending)
            pending = []
    if pending:
        flush()
        total += len(pending)
    return total


def _ingest(batch_id: uuid.UUID, *, headers: list[str], rows: Iterator[tuple[int, dict[str, Any]]],
            detected: dict[str, Any], file_key: str | None, file_size: int, pool: Any = None) -> ImportBatch:
    batch = _get(batch_id, lock=True)
    if batch.kind == "documents":
        raise ImportInvalidError("Un lote de documentos se carga subiendo archivos PDF o imágenes.",
                                 errors={"file": ["Suba PDF, PNG, JPEG o TIFF."]})
    if not move_state(batch.id, ("created",), "ingested"):
        raise _conflict(batch, "cargar datos en")
    batch.state = "ingested"
    batch.headers = headers
    batch.mapping = auto_mapping(batch.kind, headers)
    batch.options = {**(batch.options or {}), **{k: v for k, v in detected.items() if not (batch.options or {}).get(k)}}
    batch.file_key, batch.file_size = file_key, file_size
    batch.total_items = _insert_items(batch, rows, pool)
    if batch.total_items == 0:
        raise ImportInvalidError("El archivo no tiene filas de datos.", errors={"file": ["Solo hay cabecera o está vacío."]})
    stamp(batch, "ingested_at")
    return batch


def ingest_rows(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, rows: list[dict[str, Any]]) -> ImportBatch:
    """Stage JSON rows ({field or header: value}); keys named like target fields map to them directly."""
    headers = list(dict.fromkeys(parsing.clean(str(key))[:200] for row in rows for key in row))
    texts = ((index, {parsing.clean(str(k))[:200]: parsing.cell_text(v) for k, v in row.items()}) for index, row in enumerate(rows, start=1))
    with tenant_context(tenant_id), unit_of_work():
        batch = _ingest(batch_id, headers=headers, rows=texts, detected={}, file_key=None, file_size=0)
        fields = FIELDS_BY_KIND[batch.kind]
        batch.mapping = {header: (header if header in fields else field) for header, field in batch.mapping.items()}
    return batch


def ingest_file(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, stream: BinaryIO, filename: str, pool: Any = None) -> ImportBatch:
    """Stream an upload to the tenant's storage, detect encoding/delimiter/headers and stage its rows.

    pool: a `ValidationPool` (CLI, scripts): the rows are validated while they are staged (see `_insert_prevalidated`).
    """
    with tenant_context(tenant_id):
        batch = _get(batch_id)
        if batch.state != "created":
            raise _conflict(batch, "cargar datos en")
        kind = batch.kind
        session().rollback()
    if kind == "documents":
        from gestiq_app.imports.documents import ingest_documents

        return ingest_documents(tenant_id=tenant_id, batch_id=batch_id, files=[(filename, stream)], max_bytes=max_upload_bytes())
    file_format = parsing.file_format_of(filename)
    key = f"imports/{batch_id}/source.{file_format}"
    try:
        size = storage.put_stream(tenant_id, key, stream, max_bytes=max_upload_bytes())
    except ValueError as error:
        raise ImportTooLargeError(f"El archivo supera el máximo de {max_upload_bytes() // (1024 * 1024)} MB.",
                                  errors={"file": ["Archivo demasiado grande."]}) from error
    try:
        with tenant_context(tenant_id), unit_of_work():
            batch = _get(batch_id)
            batch.source_name = batch.source_name or filename[:200]
            headers, rows, detected = parsing.read_rows(storage.local_path(tenant_id, key), file_format=file_format,
                                                        options=batch.options or {})
            batch = _ingest(batch_id, headers=headers, rows=rows, detected={**detected, "format": file_format},
                            file_key=key, file_size=size, pool=pool)
    except BaseException:
        storage.delete(tenant_id, key)
        raise
    return batch


def search_items(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, status: str | None) -> Select:
    """Return the query of a batch's items, optionally of one status (404 if the batch is not the tenant's)."""
    with tenant_context(tenant_id):
        _get(batch_id)
    statement = select(ImportItem).where(ImportItem.tenant_id == tenant_id, ImportItem.batch_id == batch_id)
    if status:
        statement = statement.where(ImportItem.status == status)
    return statement


def update_item(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, item_id: uuid.UUID, data: dict[str, Any]) -> ImportItem:
    """Fix an item's normalized data (fields sent replace, null removes) and revalidate it at once."""
    from gestiq_app.imports.pipeline import revalidate_item

    with tenant_context(tenant_id), unit_of_work():
        batch = _get(batch_id, lock=True)
        if batch.state not in ("ingested", "validated"):
            raise _conflict(batch, "corregir filas de")
        item = session().scalar(select(ImportItem).where(ImportItem.id == item_id, ImportItem.batch_id == batch_id))
        if item is None:
            raise ImportNotFoundError("No existe esa fila en el lote.")
        if item.status == "promoted":
            raise ImportConflictError("La fila ya se ha importado.", errors={"status": ["promoted"]})
        revalidate_item(batch, item, changes=parsing.clean(data))
    return item


def request_validation(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, enqueue: bool = True) -> ImportBatch:
    """Claim the batch for validation (ingested/validated/failed → validating) and enqueue the task after commit.

    `enqueue=False` only claims it: the caller (the CLI) runs `pipeline.run_validation` itself.
    """
    from gestiq_app.imports.tasks import validate_batch

    with tenant_context(tenant_id), unit_of_work():
        batch = _get(batch_id)
        if batch.state == "validating":
            return batch
        if batch.state == "failed" and not batch.total_items:
            raise _conflict(batch, "validar")
        if not move_state(batch_id, ("ingested", "validated", "failed"), "validating", processed_items=0, error=None):
            raise _conflict(batch, "validar")
        if enqueue:
            call_after_commit(lambda: validate_batch(str(tenant_id), str(batch_id)))
    return get_batch(tenant_id=tenant_id, batch_id=batch_id)


def request_promotion(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, enqueue: bool = True) -> ImportBatch:
    """Claim the batch for promotion (validated → promoting) and enqueue the task; a second call changes nothing."""
    from gestiq_app.imports.tasks import promote_batch

    with tenant_context(tenant_id), unit_of_work():
        batch = _get(batch_id)
        if batch.state in ("promoting", "promoted"):
            return batch
        if batch.kind == "opening_balances" and batch.state == "validated":
            from gestiq_app.imports import balances

            balances.check_promotable(batch)  # 409 naming both totals when the entry does not balance
        if not move_state(batch_id, ("validated",), "promoting"):
            raise _conflict(batch, "importar")
        if enqueue:
            call_after_commit(lambda: promote_batch(str(tenant_id), str(batch_id)))
    return get_batch(tenant_id=tenant_id, batch_id=batch_id)


def resume_promotion(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> ImportBatch:
    """Enqueue the promotion task again for a batch left in `promoting` (a worker died): it goes on from its last chunk."""
    from gestiq_app.imports.tasks import promote_batch

    batch = get_batch(tenant_id=tenant_id, batch_id=batch_id)
    if batch.state != "promoting":
        raise _conflict(batch, "reanudar")
    promote_batch(str(tenant_id), str(batch_id))
    return get_batch(tenant_id=tenant_id, batch_id=batch_id)


#: A batch in `promoting` whose row has not moved for this long lost its worker (each chunk touches the row).
STALLED_AFTER_MINUTES = 10


def list_stalled_promotions(*, older_than_minutes: int = STALLED_AFTER_MINUTES) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Return (tenant id, batch id) of promotions whose worker died: `promoting`, untouched for a while (all tenants)."""
    from datetime import timedelta

    from gestiq_app.tenancy.context import platform_scope

    limit = utcnow() - timedelta(minutes=older_than_minutes)
    with platform_scope(actor="system:imports", reason="resume stalled import promotions"):
        rows = session().execute(select(ImportBatch.tenant_id, ImportBatch.id)
                                 .where(ImportBatch.state == "promoting", ImportBatch.updated_at < limit)
                                 .order_by(ImportBatch.updated_at)).all()
        session().rollback()
    return [(tenant_id, batch_id) for tenant_id, batch_id in rows]


def delete_batch(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: str) -> None:
    """Delete a batch that created nothing that still exists (before promotion or after rollback), with its file."""
    with tenant_context(tenant_id), unit_of_work() as current:
        batch = _get(batch_id, lock=True)
        if batch.state not in DELETABLE_STATES:
            raise _conflict(batch, "borrar")
        file_key = batch.file_key
        current.execute(delete(ImportLineage).where(ImportLineage.batch_id == batch_id))
        current.execute(delete(ImportItem).where(ImportItem.batch_id == batch_id))
        current.delete(batch)
        record_event(actor=actor, action="import.deleted", entity="import_batch", entity_id=batch_id,
                     changes={"kind": batch.kind, "source_name": batch.source_name})
        if file_key:
            call_after_commit(lambda: storage.delete(tenant_id, file_key))


def lineage_query(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> Select:
    """Return the query of what a batch created or updated (404 if the batch is not the tenant's)."""
    with tenant_context(tenant_id):
        _get(batch_id)
    return select(ImportLineage).where(ImportLineage.tenant_id == tenant_id, ImportLineage.batch_id == batch_id)
