"""The long-running stages, called by the Huey tasks: validate a batch, promote it in chunks, roll it back.

Validation and promotion work in chunks of GESTIQ_IMPORTS_CHUNK_SIZE items, each chunk its own transaction
that also moves the batch's progress. Promotion is exactly-once: a chunk inserts the entities, their lineage
(unique per item) and marks its items promoted in ONE transaction under the batch row's lock, so a crash
loses the whole chunk or nothing, and a second worker (a repeated task, a concurrent one) waits for the
lock and then finds those items already promoted. Restarting a crashed promotion simply goes on with the
items still `valid`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, Text, and_, bindparam, case, cast, delete, exists, func, insert, or_, select, update

from gestiq_app.audit.services import record_event
from gestiq_app.db import call_after_commit, session, unit_of_work, utcnow
from gestiq_app.imports import writers
from gestiq_app.imports.exceptions import ImportConflictError
from gestiq_app.imports.models import GROUPED_KINDS, ImportBatch, ImportItem, ImportLineage
from gestiq_app.imports.services import _get, chunk_size, move_state, stamp, stamp_once
from gestiq_app.imports.validation import RowResult, RowValidator, add_error, validate_texts
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant

log = logging.getLogger("gestiq.imports")


def build_validator(batch: ImportBatch) -> RowValidator:
    """Build the batch's row validator from the tenant's country and IVA catalog in force today."""
    from gestiq_app.taxes.services import list_categories, list_rates

    tenant = session().get(Tenant, batch.tenant_id)
    today = datetime.now(ZoneInfo(tenant.timezone)).date()  # type: ignore[union-attr]
    categories = tuple(list_categories(country=tenant.country, tax_type="iva", in_force_from=today))  # type: ignore[union-attr]
    rates: dict[str, str] = {}
    for rate in list_rates(country=tenant.country, on_date=today):  # type: ignore[union-attr]
        if rate.tax_type == "iva":  # 0 % is both «cero» and «exento»: the first by name («cero») wins
            rates.setdefault(format(rate.rate.normalize(), "f"), rate.category)
    return RowValidator(kind=batch.kind, country=tenant.country, mapping=dict(batch.mapping or {}),  # type: ignore[union-attr]
                        tax_categories=categories, tax_rates=rates,
                        decimal_separator=(batch.options or {}).get("decimal_separator") or "auto")


def _existing(spec: writers.EntitySpec, keys: list[str]) -> dict[str, uuid.UUID]:
    table: Table = spec.table
    found: dict[str, uuid.UUID] = {}
    if keys and writers.is_postgresql():
        # One array parameter: an IN list of 500 binds costs more to render and parse than the lookup itself.
        rows = writers.execute_driver(f'SELECT "{spec.key_column}", id FROM {table.name} WHERE tenant_id = %(tenant)s '
                                      f'AND "{spec.key_column}" = ANY(%(keys)s)', {"tenant": _tenant(), "keys": keys})
        return dict(rows)  # type: ignore[arg-type]
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        statement = select(table.c[spec.key_column], table.c.id).where(table.c.tenant_id == _tenant(), table.c[spec.key_column].in_(part))
        found.update({key: entity_id for key, entity_id in session().connection().execute(statement)})
    return found


def _tenant() -> uuid.UUID:
    from gestiq_app.tenancy.context import current_tenant_id

    return current_tenant_id()  # type: ignore[return-value]


def _decide(batch: ImportBatch, result: RowResult, *, seen: dict[str, int], row_number: int,
            existing: dict[str, uuid.UUID]) -> tuple[str, str | None, uuid.UUID | None]:
    """Return (status, action, target id) of a validated row, applying the batch's duplicate policy."""
    if result.errors:
        return "invalid", None, None
    key = result.natural_key
    label = "SKU" if batch.kind == "products" else "identificador fiscal"
    if key is not None and key in seen and seen[key] != row_number:
        if batch.duplicate_policy == "error":
            add_error(result.errors, "sku" if batch.kind == "products" else "tax_id", "duplicate_in_file",
                      f"{label} repetido en el archivo (ya aparece en la fila {seen[key]}).")
            return "invalid", None, None
        return "skipped", None, None
    if key is not None:
        seen.setdefault(key, row_number)
    if key is not None and key in existing:
        if batch.duplicate_policy == "update":
            return "valid", "update", existing[key]
        if batch.duplicate_policy == "skip":
            return "skipped", None, existing[key]
        add_error(result.errors, "sku" if batch.kind == "products" else "tax_id", "already_exists",
                  f"Ya existe un registro con este {label}.")
        return "invalid", None, None
    return "valid", "create", None


def _kind(tenant_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    with tenant_context(tenant_id), unit_of_work():
        return _get(batch_id).kind


def run_validation(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, pool: Any = None,
                   progress: Callable[[int], None] | None = None) -> str:
    """Validate every item of a batch in `validating`, a chunk per transaction; end in `validated`."""
    kind = _kind(tenant_id, batch_id)
    if kind == "documents":
        from gestiq_app.imports import documents

        return documents.run_validation(tenant_id=tenant_id, batch_id=batch_id)
    if kind == "opening_balances":
        from gestiq_app.imports import balances

        return balances.run_validation(tenant_id=tenant_id, batch_id=batch_id, progress=progress)
    if kind in GROUPED_KINDS:
        from gestiq_app.imports import invoices

        return invoices.run_validation(tenant_id=tenant_id, batch_id=batch_id)
    with tenant_context(tenant_id):
        with unit_of_work():
            batch = _get(batch_id)
            if batch.state != "validating":
                return batch.state
            stamp(batch, "validation_started_at")
            batch.processed_items = 0
            validator = build_validator(batch)
            spec = writers.spec_for(batch.kind)
            options = dict(batch.options or {})
            marker = options.pop("prevalidated", None)  # good for one validation: later ones (after fixes) are full
            if marker is not None:
                batch.options = options
            prevalidated = marker is not None and marker == validator_fingerprint(validator) and not _any_edited(batch_id)
        if prevalidated:
            _mark_prevalidated(tenant_id, batch_id, workers=getattr(pool, "processes", 1))
            with unit_of_work():
                batch = _get(batch_id, lock=True)
                if batch.state != "validating":
                    return batch.state
                _decide_prevalidated(batch, spec)
                batch.processed_items = batch.total_items
                move_state(batch_id, ("validating",), "validated")
                batch.state = "validated"
                stamp(batch, "validated_at")
            if progress is not None:
                progress(batch.total_items)
            return "validated"
        seen = SeenKeys()
        last_fetched = -1
        size = chunk_size()
        # Pipelined: each transaction fetches chunk N+1 and hands it to the workers, then writes chunk N's results
        # while they validate. Without a pool the chunk is validated when its results are asked for.
        pending: tuple[list[Any], Callable[[], list[RowResult]]] | None = None
        while True:
            done = 0
            with unit_of_work() as current:
                batch = _get(batch_id, lock=True)
                if batch.state != "validating":
                    return batch.state
                items = current.execute(
                    select(ImportItem.id, ImportItem.row_number, cast(ImportItem.raw, Text), cast(ImportItem.data, Text),
                           ImportItem.is_edited)
                    .where(ImportItem.batch_id == batch_id, ImportItem.row_number > last_fetched)
                    .order_by(ImportItem.row_number).limit(size)).all()
                submitted = None
                if items:
                    last_fetched = items[-1][1]
                    submitted = pool.submit(validator, items) if pool is not None else _deferred(validator, items)
                if pending is not None:
                    results = pending[1]()
                    _decide_and_store(batch, tenant_id, spec, pending[0], results, seen)
                    done = len(pending[0])
                    batch.processed_items = (batch.processed_items or 0) + done
                if not items:
                    move_state(batch_id, ("validating",), "validated")
                    batch.state = "validated"
                    stamp(batch, "validated_at")
            if progress is not None and done:
                progress(done)
            if not items:
                return "validated"
            pending = (items, submitted)  # type: ignore[assignment]


def validator_fingerprint(validator: RowValidator) -> str:
    """What a row's validation depends on besides the row: kind, country, mapping, decimal separator, tax catalog."""
    import hashlib

    return hashlib.sha256(json.dumps(validator.__getstate__(), sort_keys=True, default=str).encode()).hexdigest()


def _any_edited(batch_id: uuid.UUID) -> bool:
    return session().execute(select(ImportItem.id).where(ImportItem.batch_id == batch_id, ImportItem.is_edited.is_(True))
                             .limit(1)).first() is not None


def _run_in_threads(tenant_id: uuid.UUID, jobs: list[Callable[[], None]]) -> None:
    """Run jobs at once, each on its own thread, app context, tenant context and database connection (the first on
    this thread); re-raise the first failure once all have ended."""
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    failures: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            with app.app_context(), tenant_context(tenant_id):
                job()
        except BaseException as error:  # re-raised in the calling thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(job,), name=f"import-job-{index}") for index, job in enumerate(jobs[1:], start=1)]
    for thread in threads:
        thread.start()
    if jobs:
        run(jobs[0])
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _mark_prevalidated(tenant_id: uuid.UUID, batch_id: uuid.UUID, *, workers: int) -> None:
    """The bulk of a prevalidated batch's validation: every row without errors becomes `valid`/create and every other
    `invalid` (HOT updates: no index changes), one UPDATE per row range on `workers` connections at once.

    Each range commits on its own; that is safe because the update only restates what the staged errors say: a
    validation that stops halfway is run again in full (its prevalidated marker is gone), and the duplicate policy
    is applied afterwards under the batch's lock (`_decide_prevalidated`).
    """
    table = ImportItem.__table__
    of_batch = (table.c.tenant_id == tenant_id, table.c.batch_id == batch_id)
    with unit_of_work() as current:
        low, high = current.execute(select(func.min(table.c.row_number), func.max(table.c.row_number)).where(*of_batch)).one()
    if low is None:
        return
    step = -(-(high - low + 1) // max(1, workers))
    clean = cast(table.c.errors, Text) == "{}"

    def mark(first: int, last: int) -> None:
        with unit_of_work() as current:
            current.execute(update(table).where(*of_batch, table.c.row_number.between(first, last))
                            .values(status=case((clean, "valid"), else_="invalid"), action=case((clean, "create"), else_=None),
                                    target_id=None))

    _run_in_threads(tenant_id, [lambda first=first: mark(first, min(high, first + step - 1)) for first in range(low, high + 1, step)])


def _decide_prevalidated(batch: ImportBatch, spec: writers.EntitySpec) -> None:
    """Validation of a batch whose rows were validated while staged (and marked by `_mark_prevalidated`): apply the
    duplicate policy, set-based.

    The only rows whose outcome can differ are those whose natural key repeats in the file or already exists; they
    are streamed ordered by (key, row) through the same `_decide` as the row-by-row path — keys do not interact, so
    its state is one key's rows at a time — and their decisions written with COPY + UPDATE … FROM.
    """
    table = ImportItem.__table__
    target = spec.table
    tenant_id, batch_id = batch.tenant_id, batch.id
    connection = session().connection()
    valid = and_(table.c.tenant_id == tenant_id, table.c.batch_id == batch_id, table.c.status == "valid",
                 table.c.natural_key.is_not(None))
    repeated = select(table.c.natural_key).where(valid).group_by(table.c.natural_key).having(func.count() > 1)
    key_column = target.c[spec.key_column]
    affected = (
        select(table.c.id, table.c.row_number, table.c.natural_key, target.c.id.label("existing_id"))
        .select_from(table.outerjoin(target, and_(target.c.tenant_id == tenant_id, key_column == table.c.natural_key)))
        .where(valid, or_(target.c.id.is_not(None), table.c.natural_key.in_(repeated)))
        .order_by(table.c.natural_key, table.c.row_number))
    decisions: list[tuple] = []
    current_key, seen = None, {}  # type: ignore[var-annotated]
    for item_id, row_number, key, existing_id in connection.execute(affected.execution_options(stream_results=True, yield_per=5000)):
        if key != current_key:
            current_key, seen = key, {}
        result = RowResult(data={}, errors={}, natural_key=key)
        status, action, target_id = _decide(batch, result, seen=seen, row_number=row_number,
                                            existing={key: existing_id} if existing_id is not None else {})
        if (status, action, target_id) != ("valid", "create", None) or result.errors:
            decisions.append((item_id, result.errors, status, action, target_id))
        if len(decisions) >= 5000:  # written between two fetches of the server-side cursor: memory stays flat
            writers.store_decisions_postgresql(tenant_id=tenant_id, batch_id=batch_id, rows=decisions)
            decisions = []
    writers.store_decisions_postgresql(tenant_id=tenant_id, batch_id=batch_id, rows=decisions)


def _deferred(validator: RowValidator, items: list[Any]) -> Callable[[], list[RowResult]]:
    return lambda: validate_texts(validator, items)


def _decide_and_store(batch: ImportBatch, tenant_id: uuid.UUID, spec: writers.EntitySpec, items: list[Any],
                      results: list[RowResult], seen: SeenKeys) -> None:
    """Apply the duplicate policy to a validated chunk (in file order) and write its results."""
    keys = sorted({r.natural_key for r in results if r.natural_key and not r.errors})
    existing = _existing(spec, keys)
    first_rows = seen.lookup(keys)
    known = set(first_rows)
    decided = []
    for (item_id, row_number, *_), result in zip(items, results):
        status, action, target = _decide(batch, result, seen=first_rows, row_number=row_number, existing=existing)
        decided.append((item_id, result.data, result.errors, status, action, target, result.natural_key))
    seen.add({key: row for key, row in first_rows.items() if key not in known})
    _store_results(tenant_id, batch.id, decided, (items[0][1], items[-1][1]))


class SeenKeys:
    """The first row of every natural key met so far in a validation run, for duplicates inside the file.

    Kept in a private temporary SQLite file (stdlib; a few MB of page cache), not in a dict: a million keys would
    take ~130 MB of Python objects, and memory must stay flat however large the file.
    """

    def __init__(self) -> None:
        # "" = a temporary on-disk database, deleted when closed. Only its own validation run uses it, but the garbage
        # collector may close it from another thread (a promotion thread, say): that must not be refused.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")

    def lookup(self, keys: list[str]) -> dict[str, int]:
        """Return {key: first row} for the given keys already seen."""
        found: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            found.update(self._db.execute(f"SELECT key, row FROM seen WHERE key IN ({', '.join('?' * len(part))})", part))
        return found

    def add(self, first_rows: dict[str, int]) -> None:
        """Remember keys met for the first time."""
        self._db.executemany("INSERT OR IGNORE INTO seen (key, row) VALUES (?, ?)", first_rows.items())

    def __del__(self) -> None:
        self._db.close()


def _store_results(tenant_id: uuid.UUID, batch_id: uuid.UUID, decided: list[tuple], row_range: tuple[int, int]) -> None:
    if writers.is_postgresql():
        writers.store_item_results_postgresql(tenant_id=tenant_id, batch_id=batch_id, results=decided, row_range=row_range)
        return
    table = ImportItem.__table__
    params = [dict(zip(("b_id", "b_data", "b_errors", "b_status", "b_action", "b_target", "b_key"), row)) for row in decided]
    for param in params:  # the JSON type encodes it again
        param["b_data"] = json.loads(param["b_data"]) if isinstance(param["b_data"], str) else param["b_data"]
    session().connection().execute(
        update(table).where(table.c.tenant_id == tenant_id, table.c.id == bindparam("b_id"))
        .values(data=bindparam("b_data"), errors=bindparam("b_errors"), status=bindparam("b_status"),
                action=bindparam("b_action"), target_id=bindparam("b_target"), natural_key=bindparam("b_key")),
        params)


def revalidate_item(batch: ImportBatch, item: ImportItem, *, changes: dict[str, Any]) -> None:
    """Merge a user's fix into the item's data and validate it again (duplicates checked against the batch and the data)."""
    if batch.kind == "documents":
        from gestiq_app.imports import documents

        documents.revalidate_item(batch, item, changes=changes)
        return
    if batch.kind == "opening_balances":
        from gestiq_app.imports import balances

        balances.revalidate_item(batch, item, changes=changes)
        return
    if batch.kind in GROUPED_KINDS:
        from gestiq_app.imports import invoices

        invoices.revalidate_item(batch, item, changes=changes)
        return
    validator = build_validator(batch)
    if item.is_edited or item.data:
        base = dict(item.data or {})
    else:
        base, _ = validator.map_raw(item.raw or {})
    for name, value in changes.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    result = validator.validate(base)
    spec = writers.spec_for(batch.kind)
    seen: dict[str, int] = {}
    if result.natural_key and not result.errors:
        other = session().execute(
            select(ImportItem.row_number).where(ImportItem.batch_id == batch.id, ImportItem.id != item.id,
                                                ImportItem.natural_key == result.natural_key,
                                                ImportItem.status.in_(("valid", "promoted")))
            .order_by(ImportItem.row_number).limit(1)).scalar()
        if other is not None:
            seen[result.natural_key] = other
    existing = _existing(spec, [result.natural_key] if result.natural_key and not result.errors else [])
    status, action, target = _decide(batch, result, seen=seen, row_number=item.row_number, existing=existing)
    item.data, item.errors, item.status, item.action, item.target_id = result.data, result.errors, status, action, target
    item.natural_key, item.is_edited = result.natural_key, True


def _promote_chunk(batch: ImportBatch, items: list[Any], spec: writers.EntitySpec) -> int:
    """Promote items one chunk at a time through Python: every item on SQLite; only `update` items on PostgreSQL (its
    creates go straight from import_items, `writers.claim_and_promote`)."""
    tenant_id = batch.tenant_id
    now = utcnow()
    creates = [item for item in items if item.action == "create"]
    updates = [item for item in items if item.action == "update" and item.target_id is not None]
    new_ids = {item.id: uuid.uuid4() for item in creates}
    rows = [writers.build_row(spec, tenant_id=tenant_id, entity_id=new_ids[item.id], data=item.data or {}) for item in creates]
    inserted = writers.insert_entities(spec, rows)
    lineage: list[dict[str, Any]] = []
    skipped: list[uuid.UUID] = []
    for item in creates:
        if new_ids[item.id] in inserted:
            lineage.append({"tenant_id": tenant_id, "id": item.id, "batch_id": batch.id, "item_id": item.id,
                            "entity_type": spec.entity_type, "entity_id": new_ids[item.id], "action": "created",
                            "previous": None, "created_at": now})
        else:
            skipped.append(item.id)  # its key appeared since validation: someone created it meanwhile
    if updates:
        before = writers.snapshot_entities(spec, [item.target_id for item in updates],  # type: ignore[misc]
                                           {key for item in updates for key in (item.data or {}) if key in spec.writable})
        writers.update_entities(spec, tenant_id=tenant_id, changes=[(item.target_id, item.data or {}) for item in updates])  # type: ignore[misc]
        for item in updates:
            lineage.append({"tenant_id": tenant_id, "id": item.id, "batch_id": batch.id, "item_id": item.id,
                            "entity_type": spec.entity_type, "entity_id": item.target_id, "action": "updated",
                            "previous": before.get(item.target_id), "created_at": now})  # type: ignore[arg-type]
    connection = session().connection()
    if lineage:
        connection.execute(insert(ImportLineage.__table__), lineage)
    table = ImportItem.__table__
    done = [entry["item_id"] for entry in lineage]
    for status, ids in (("promoted", done), ("skipped", skipped)):
        for start in range(0, len(ids), 500):
            connection.execute(update(table).where(table.c.tenant_id == tenant_id, table.c.id.in_(ids[start:start + 500]))
                               .values(status=status))
    return len(done)


def run_promotion(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: str = "system:imports",
                  progress: Callable[[int], None] | None = None, workers: int = 1) -> str:
    """Promote the valid items of a batch in `promoting`, a chunk per transaction; end in `promoted` (one audit event).

    workers > 1 (PostgreSQL): that many threads, each with its own connection, promote chunks at the same time.
    """
    kind = _kind(tenant_id, batch_id)
    if kind == "documents":
        from gestiq_app.imports import documents

        return documents.run_promotion(tenant_id=tenant_id, batch_id=batch_id, actor=actor)
    if kind == "opening_balances":
        from gestiq_app.imports import balances

        return balances.run_promotion(tenant_id=tenant_id, batch_id=batch_id, actor=actor)
    if kind in GROUPED_KINDS:
        from gestiq_app.imports import invoices

        return invoices.run_promotion(tenant_id=tenant_id, batch_id=batch_id, actor=actor)
    size = chunk_size()
    with tenant_context(tenant_id):
        with unit_of_work():
            batch = _get(batch_id)
            if batch.state != "promoting":
                return batch.state
            stamp_once(batch, "promotion_started_at")
            spec = writers.spec_for(batch.kind)
            postgresql = writers.is_postgresql()
        if postgresql:
            return _promote_postgresql(tenant_id=tenant_id, batch_id=batch_id, spec=spec, size=size, actor=actor,
                                       progress=progress, workers=workers)
        last_row = -1
        while True:
            with unit_of_work() as current:
                # SQLite (one writer): the batch row's lock serializes workers; a second one waits, then sees these
                # items promoted.
                batch = _get(batch_id, lock=True)
                if batch.state != "promoting":
                    return batch.state
                # `row_number > last_row` starts the index range after the rows this run already promoted: their old
                # `valid` index entries stay until VACUUM, and scanning past them on every chunk would be quadratic.
                items = current.execute(
                    select(ImportItem.id, ImportItem.data, ImportItem.action, ImportItem.target_id, ImportItem.row_number)
                    .where(ImportItem.batch_id == batch_id, ImportItem.status == "valid", ImportItem.row_number > last_row)
                    .order_by(ImportItem.row_number).limit(size)).all()
                if not items:
                    _finish_promotion(batch, actor=actor)
                    return "promoted"
                promoted = _promote_chunk(batch, items, spec)
                batch.promoted_items = (batch.promoted_items or 0) + promoted
                batch.chunks_done = (batch.chunks_done or 0) + 1
                last_row = items[-1].row_number
            _after_chunk_hook(batch_id)
            if progress is not None:
                progress(len(items))


def _promote_postgresql(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, spec: writers.EntitySpec, size: int, actor: str,
                        progress: Callable[[int], None] | None, workers: int) -> str:
    """Promote on PostgreSQL: every worker claims the next chunk of `valid` items with FOR UPDATE SKIP LOCKED, so
    workers (threads here, repeated or concurrent tasks elsewhere) never take the same item, and each chunk commits its
    entities, lineage and item status together. The batch is finished once, under its row lock, when no item is left.
    """
    report_lock = threading.Lock()

    def report(count: int) -> None:
        if progress is not None:
            with report_lock:
                progress(count)

    while True:
        outcomes: list[str] = []

        def work() -> None:
            outcomes.append(_promote_chunks(tenant_id=tenant_id, batch_id=batch_id, spec=spec, size=size, report=report))

        _run_in_threads(tenant_id, [work] * max(1, workers))
        stopped = next((outcome for outcome in outcomes if outcome != "drained"), None)
        if stopped is not None:
            return stopped
        with unit_of_work() as current:
            batch = _get(batch_id, lock=True)
            if batch.state != "promoting":
                return batch.state
            left = current.execute(select(ImportItem.id).where(ImportItem.batch_id == batch_id, ImportItem.status == "valid")
                                   .limit(1)).first()
            if left is None:
                _finish_promotion(batch, actor=actor)
                return "promoted"
        # Items left `valid` behind a worker's bound (another worker's chunk that rolled back): go round again.


def _promote_chunks(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, spec: writers.EntitySpec, size: int,
                    report: Callable[[int], None]) -> str:
    """One worker's loop: claim, promote and commit chunks until none is left ("drained") or the batch left `promoting`."""
    last_row = -1
    batch_table = ImportBatch.__table__
    while True:
        with unit_of_work() as current:
            state = current.execute(select(ImportBatch.state).where(ImportBatch.id == batch_id)).scalar()
            if state != "promoting":
                return str(state)
            # `row_number > last_row` starts after this worker's previous chunk: the promoted rows before it stay in the
            # key index, and scanning past them for every chunk would be quadratic.
            chunk = writers.claim_and_promote(spec, tenant_id=tenant_id, batch_id=batch_id, after_row=last_row, size=size)
            if not chunk.claimed:
                return "drained"
            promoted = chunk.promoted
            if chunk.update_rows:
                updates = current.execute(
                    select(ImportItem.id, ImportItem.data, ImportItem.action, ImportItem.target_id, ImportItem.row_number)
                    .where(ImportItem.batch_id == batch_id, ImportItem.status == "valid", ImportItem.action == "update",
                           ImportItem.row_number.in_(chunk.update_rows))
                    .order_by(ImportItem.row_number)).all()
                promoted += _promote_chunk(_get(batch_id), updates, spec) if updates else 0
            # Counters move by increments: concurrent workers each add their chunk (the row lock lasts until commit).
            current.execute(update(batch_table).where(batch_table.c.tenant_id == tenant_id, batch_table.c.id == batch_id)
                            .values(promoted_items=func.coalesce(batch_table.c.promoted_items, 0) + promoted,
                                    chunks_done=func.coalesce(batch_table.c.chunks_done, 0) + 1, updated_at=utcnow()))
            last_row = chunk.last_row
        _after_chunk_hook(batch_id)
        report(chunk.claimed)


def _after_chunk_hook(batch_id: uuid.UUID) -> None:
    """Test seam: called after each committed promotion chunk (the crash test slows or kills the worker here)."""


def _finish_promotion(batch: ImportBatch, *, actor: str) -> None:
    counts = dict(session().execute(select(ImportLineage.action, func.count()).where(ImportLineage.batch_id == batch.id)
                                    .group_by(ImportLineage.action)).all())
    move_state(batch.id, ("promoting",), "promoted")
    batch.state = "promoted"
    stamp(batch, "promoted_at")
    record_event(actor=actor, action="import.promoted", entity="import_batch", entity_id=batch.id,
                 changes={"kind": batch.kind, "created": counts.get("created", 0), "updated": counts.get("updated", 0)})
    _announce_completion(batch, created=counts.get("created", 0), updated=counts.get("updated", 0))


def _announce_completion(batch: ImportBatch, *, created: int, updated: int) -> None:
    """Queue the import.completed webhook (same transaction) and, after commit, the import metrics."""
    from gestiq_app.metrics import observe_import
    from gestiq_app.webhooks.services import publish_event

    publish_event(tenant_id=batch.tenant_id, event="import.completed", payload={
        "batch_id": str(batch.id), "kind": batch.kind, "source_name": batch.source_name,
        "created": created, "updated": updated, "promoted_items": batch.promoted_items or 0})
    started = (batch.timings or {}).get("promotion_started_at")
    seconds = (utcnow() - datetime.fromisoformat(started)).total_seconds() if started else 0.0
    kind, rows = batch.kind, created + updated
    call_after_commit(lambda: observe_import(kind=kind, rows=rows, seconds=seconds))


def entities_in_use(spec: writers.EntitySpec, batch_id: uuid.UUID) -> int:
    """Count created entities of a batch that other rows now refer to (an invoiced product, a customer with documents)."""
    from gestiq_app.db import metadata

    created = select(ImportLineage.entity_id).where(ImportLineage.batch_id == batch_id, ImportLineage.action == "created")
    used = 0
    for table in metadata.tables.values():
        if table.name == "import_lineage":
            continue
        for foreign_key in table.foreign_key_constraints:
            if foreign_key.referred_table is not spec.table:
                continue
            column = next(element.parent for element in foreign_key.elements if element.column.name == "id")
            used += session().connection().execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == _tenant(), column.in_(created))).scalar() or 0
    return used


def rollback_batch(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: str) -> ImportBatch:
    """Undo a promoted batch in one transaction: delete what it created, restore what it updated; refused when in use."""
    with tenant_context(tenant_id), unit_of_work() as current:
        batch = _get(batch_id, lock=True)
        if batch.state != "promoted":
            raise ImportConflictError(f"Solo se puede deshacer un lote importado (estado actual: «{batch.state}»).",
                                      errors={"state": [batch.state]})
        if batch.kind in ("documents", *GROUPED_KINDS):
            from gestiq_app.imports import documents, invoices

            deleted = (documents if batch.kind == "documents" else invoices).rollback(batch, actor=actor)
            batch = _get(batch_id, lock=True)
            current.execute(delete(ImportLineage).where(ImportLineage.batch_id == batch_id))
            item_table = ImportItem.__table__
            current.connection().execute(update(item_table).where(item_table.c.tenant_id == tenant_id, item_table.c.batch_id == batch_id,
                                                                  item_table.c.status == "promoted").values(status="valid"))
            move_state(batch_id, ("promoted",), "rolled_back", promoted_items=0)
            batch.state, batch.promoted_items = "rolled_back", 0
            stamp(batch, "rolled_back_at")
            record_event(actor=actor, action="import.rolled_back", entity="import_batch", entity_id=batch_id,
                         changes={"deleted": deleted, "restored": 0})
            return batch
        if batch.kind == "opening_balances":
            from gestiq_app.imports import balances

            return balances.rollback(batch, actor=actor)  # posts the reversing entry (posted entries are immutable)
        spec = writers.spec_for(batch.kind)
        in_use = entities_in_use(spec, batch_id)
        if in_use:
            raise ImportConflictError(
                f"No se puede deshacer: {in_use} registro(s) creados por este lote ya se usan en otros documentos.",
                errors={"batch": [f"{in_use} en uso (p. ej. productos facturados o clientes con facturas)."]})
        table = spec.table
        created = select(ImportLineage.entity_id).where(ImportLineage.batch_id == batch_id, ImportLineage.action == "created")
        deleted = current.connection().execute(delete(table).where(table.c.tenant_id == tenant_id, table.c.id.in_(created))).rowcount
        restored = 0
        for entry in current.scalars(select(ImportLineage).where(ImportLineage.batch_id == batch_id, ImportLineage.action == "updated")):
            previous = dict(entry.previous or {})
            previous.pop("version", None)
            if previous:
                writers.update_entities(spec, tenant_id=tenant_id, changes=[(entry.entity_id, previous)])
                restored += 1
        current.execute(delete(ImportLineage).where(ImportLineage.batch_id == batch_id))
        item_table = ImportItem.__table__
        current.connection().execute(update(item_table).where(item_table.c.tenant_id == tenant_id, item_table.c.batch_id == batch_id,
                                                              item_table.c.status == "promoted").values(status="valid"))
        move_state(batch_id, ("promoted",), "rolled_back", promoted_items=0)
        batch.state, batch.promoted_items = "rolled_back", 0
        stamp(batch, "rolled_back_at")
        record_event(actor=actor, action="import.rolled_back", entity="import_batch", entity_id=batch_id,
                     changes={"deleted": deleted, "restored": restored})
    return batch


def fail_batch(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, state: str, message: str) -> None:
    """Mark a batch failed after an unexpected error in a stage (the message is shown to the user)."""
    with tenant_context(tenant_id), unit_of_work():
        move_state(batch_id, (state,), "failed", error=message[:2000])


__all__ = ["build_validator", "entities_in_use", "exists", "fail_batch", "revalidate_item", "rollback_batch", "run_promotion",
           "run_validation"]
