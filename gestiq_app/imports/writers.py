"""Set-based writes of promoted rows: PostgreSQL COPY into a staging table + INSERT … SELECT … ON CONFLICT;
executemany batches elsewhere (SQLite). Never one ORM object per row.

Each function runs inside the caller's chunk transaction and returns which of the given ids were really
inserted: a row whose natural key appeared meanwhile (someone created it by hand) is left alone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app.db import session, utcnow


@dataclass(frozen=True)
class EntitySpec:
    """What promotion needs to know about a target entity: its table, natural key and defaults."""

    entity_type: str
    model: Any
    key_column: str
    writable: tuple[str, ...]
    defaults: dict[str, Any]
    json_columns: frozenset[str]
    decimal_columns: frozenset[str]

    @property
    def table(self) -> Table:
        """The entity's table."""
        return self.model.__table__


def spec_for(kind: str) -> EntitySpec:
    """Return the entity spec of an import kind (defaults and writable columns come from the domain services)."""
    if kind == "products":
        from gestiq_app.catalog import services as catalog_services
        from gestiq_app.catalog.models import Product

        return EntitySpec("product", Product, "sku", catalog_services.WRITABLE, catalog_services._defaults(),  # noqa: SLF001
                          frozenset(), frozenset({"unit_price", "cost"}))
    from gestiq_app.crm import services as crm_services
    from gestiq_app.crm.models import Customer, Supplier

    model = Customer if kind == "customers" else Supplier
    return EntitySpec(kind[:-1], model, "tax_id", crm_services.WRITABLE, crm_services._defaults(),  # noqa: SLF001
                      frozenset({"address", "addresses", "contacts", "tags"}), frozenset())


def _python_value(spec: EntitySpec, column: str, value: Any) -> Any:
    if value is not None and column in spec.decimal_columns:
        return Decimal(str(value))
    return value


def build_row(spec: EntitySpec, *, tenant_id: uuid.UUID, entity_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
    """Return the full column values of a new entity from validated data plus the domain's defaults."""
    now = utcnow()
    values = {**spec.defaults, **{key: value for key, value in data.items() if key in spec.writable}}
    row = {column: _python_value(spec, column, values.get(column)) for column in spec.writable}
    if row.get("address") is None and "address" in spec.json_columns:
        row["address"] = {}
    if spec.entity_type == "customer":
        row["price_list_id"] = None
    row.update({"tenant_id": tenant_id, "id": entity_id, "version": 1, "created_at": now, "updated_at": now})
    return row


def insert_entities(spec: EntitySpec, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert new entities, skipping natural-key conflicts; return the ids actually inserted."""
    if not rows:
        return set()
    connection = session().connection()
    if connection.dialect.name == "postgresql":
        return _copy_insert(spec, rows)
    statement = sqlite_insert(spec.table).on_conflict_do_nothing(index_elements=["tenant_id", spec.key_column])
    connection.execute(statement, rows)
    ids = [row["id"] for row in rows]
    inserted: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        inserted.update(connection.execute(select(spec.table.c.id).where(spec.table.c.id.in_(part))).scalars())
    return inserted


def _copy_insert(spec: EntitySpec, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """COPY the rows into a temporary staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id."""
    columns = list(rows[0])
    table = spec.table.name
    driver = session().connection().connection.driver_connection
    column_list = ", ".join(f'"{column}"' for column in columns)
    with driver.cursor() as cursor:
        # ON COMMIT DROP: the staging table lives exactly as long as the chunk's transaction.
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS import_stage_{table} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE import_stage_{table}")
        with cursor.copy(f"COPY import_stage_{table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c], ensure_ascii=False) if c in spec.json_columns else row[c] for c in columns])
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM import_stage_{table} "
            f'ON CONFLICT (tenant_id, "{spec.key_column}") DO NOTHING RETURNING id'
        )
        return {row[0] for row in cursor.fetchall()}


def snapshot_entities(spec: EntitySpec, ids: Iterable[uuid.UUID], columns: Iterable[str]) -> dict[uuid.UUID, dict[str, Any]]:
    """Return the current values of some columns of existing entities (for update lineage)."""
    wanted = sorted(set(columns))
    table = spec.table
    found: dict[uuid.UUID, dict[str, Any]] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        statement = select(table.c.id, table.c.version, *(table.c[column] for column in wanted)).where(
            table.c.id.in_(id_list[start:start + 500]))
        for row in session().connection().execute(statement).mappings():
            found[row["id"]] = {column: _jsonable(row[column]) for column in ["version", *wanted]}
    return found


def _jsonable(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def update_entities(spec: EntitySpec, *, tenant_id: uuid.UUID, changes: list[tuple[uuid.UUID, dict[str, Any]]]) -> None:
    """Apply per-entity changes (executemany grouped by the set of changed columns); bump version and updated_at."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for entity_id, values in changes:
        columns = tuple(sorted(key for key in values if key in spec.writable and key != spec.key_column))
        groups.setdefault(columns, []).append({"b_id": entity_id, **{f"b_{c}": _python_value(spec, c, values[c]) for c in columns}})
    table = spec.table
    for columns, params in groups.items():
        statement = (update(table).where(table.c.tenant_id == tenant_id, table.c.id == bindparam("b_id"))
                     .values(**{c: bindparam(f"b_{c}") for c in columns}, version=table.c.version + 1, updated_at=utcnow()))
        session().connection().execute(statement, params)


def is_postgresql() -> bool:
    """Tell whether the current session talks to PostgreSQL (set-based COPY paths) or SQLite (executemany)."""
    return session().connection().dialect.name == "postgresql"


def copy_to_stage(stage: str, definition: str, columns: list[str], rows: Iterable[Iterable[Any]], json_columns: frozenset[str] = frozenset()) -> None:
    """COPY rows into a temporary staging table dropped at commit (PostgreSQL refuses COPY into tables with RLS)."""
    driver = session().connection().connection.driver_connection
    json_positions = [index for index, column in enumerate(columns) if column in json_columns]
    with driver.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({definition}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {stage}")
        with cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                values = list(row)
                for index in json_positions:
                    value = values[index]
                    values[index] = "{}" if value == {} else json.dumps(value, ensure_ascii=False)
                copy.write_row(values)
        # A fresh temporary table has no statistics: without them the planner joins it by scanning the big table per row.
        cursor.execute(f"ANALYZE {stage}")


def execute_driver(sql: str, params: Any = None) -> list[tuple]:
    """Run one statement on the session's psycopg connection (same transaction) and return its rows, if any."""
    driver = session().connection().connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


ITEM_RESULT_COLUMNS = ["id", "data", "errors", "status", "action", "target_id", "natural_key"]


def store_item_results_postgresql(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, results: list[tuple],
                                  row_range: tuple[int, int]) -> None:
    """Write validation results (ITEM_RESULT_COLUMNS tuples, data already JSON text) with COPY into staging + one UPDATE … FROM.

    The chunk's row range pins the planner to the (tenant, batch, row) key: the statistics of a freshly filled
    import_items table are stale, and the runtime role may not ANALYZE it.
    """
    copy_to_stage("import_stage_results", "id uuid, data json, errors json, status varchar(10), action varchar(10), "
                  "target_id uuid, natural_key varchar(100)", ITEM_RESULT_COLUMNS, results, frozenset({"errors"}))
    execute_driver("UPDATE import_items i SET data = s.data, errors = s.errors, status = s.status, action = s.action, "
                   "target_id = s.target_id, natural_key = s.natural_key FROM import_stage_results s "
                   "WHERE i.tenant_id = %(tenant)s AND i.batch_id = %(batch)s AND i.row_number BETWEEN %(first)s AND %(last)s "
                   "AND i.id = s.id",
                   {"tenant": tenant_id, "batch": batch_id, "first": row_range[0], "last": row_range[1]})


ITEM_INSERT_COLUMNS = ["tenant_id", "id", "batch_id", "row_number", "raw", "data", "is_edited", "status", "errors"]


@dataclass(frozen=True)
class ClaimedChunk:
    """What `claim_and_promote` did: items claimed, the last row claimed, creates promoted, `update` rows left to do."""

    claimed: int
    last_row: int
    promoted: int
    update_rows: list[int]


def claim_and_promote(spec: EntitySpec, *, tenant_id: uuid.UUID, batch_id: uuid.UUID, after_row: int, size: int) -> ClaimedChunk:
    """Claim the next chunk of `valid` items and promote its `create` items, in ONE statement of the caller's transaction.

    The claim locks up to `size` items after `after_row` with FOR UPDATE SKIP LOCKED (concurrent workers never take
    the same item). `import_items` is the staging table: each claimed create's validated `data` becomes an entity row
    with `json_populate_record` over a record of the domain's defaults (the same merge as `build_row`), is inserted
    with ON CONFLICT DO NOTHING, gets its lineage row, and the item is marked promoted (or skipped when its key
    appeared since validation). Claimed `update` items stay locked and `valid` for the caller (`update_rows`).
    """
    table = spec.table.name
    columns = list(spec.writable)
    values = []
    for column in columns:
        if column == "address" and column in spec.json_columns:
            values.append("COALESCE(s.\"address\", '{}'::json)")  # build_row's rule: no address is an empty one
        else:
            values.append(f's."{column}"')
    extra_columns, extra_values = [], []
    if spec.entity_type == "customer" and "price_list_id" in spec.table.c and "price_list_id" not in columns:
        extra_columns, extra_values = ['"price_list_id"'], ["NULL"]
    column_list = ", ".join([*(f'"{column}"' for column in columns), *extra_columns])
    value_list = ", ".join([*values, *extra_values])
    defaults = json.dumps({key: value for key, value in spec.defaults.items() if key in spec.writable}, default=str)
    # CTE scans carry no statistics: left alone, the planner joins them by nested loops (a million comparisons per
    # chunk). Hash joins are right for every join of this statement; the setting ends with the statement.
    execute_driver("SET LOCAL enable_nestloop = off; SET LOCAL jit = off")
    rows = execute_driver(
        f"WITH claimed AS MATERIALIZED (SELECT i.id, i.row_number, i.action, i.data FROM import_items i "
        f"WHERE i.tenant_id = %(tenant)s AND i.batch_id = %(batch)s AND i.row_number > %(after)s AND i.status = 'valid' "
        f"ORDER BY i.row_number LIMIT %(size)s FOR UPDATE SKIP LOCKED), "
        f"base AS MATERIALIZED (SELECT json_populate_record(NULL::{table}, %(defaults)s::json) AS record), "
        f"src AS MATERIALIZED (SELECT c.id AS item_id, gen_random_uuid() AS new_id, r.* FROM claimed c "
        f"CROSS JOIN LATERAL json_populate_record((SELECT record FROM base), c.data) r WHERE c.action = 'create'), "
        f"created AS (INSERT INTO {table} (tenant_id, id, {column_list}, version, created_at, updated_at) "
        f"SELECT %(tenant)s, s.new_id, {value_list}, 1, now(), now() FROM src s "
        f'ON CONFLICT (tenant_id, "{spec.key_column}") DO NOTHING RETURNING id), '
        f"lineage AS (INSERT INTO import_lineage (tenant_id, id, batch_id, item_id, entity_type, entity_id, action, created_at) "
        f"SELECT %(tenant)s, s.item_id, %(batch)s, s.item_id, %(entity)s, s.new_id, 'created', now() "
        f"FROM src s JOIN created c ON c.id = s.new_id RETURNING item_id), "
        # The row range (computed once, as index bounds) keeps the UPDATE on this chunk's part of the batch's key.
        f"marked AS (UPDATE import_items SET status = CASE WHEN id IN (SELECT item_id FROM lineage) THEN 'promoted' ELSE 'skipped' END "
        f"WHERE tenant_id = %(tenant)s AND batch_id = %(batch)s "
        f"AND row_number BETWEEN (SELECT min(row_number) FROM claimed) AND (SELECT max(row_number) FROM claimed) "
        f"AND id IN (SELECT item_id FROM src) RETURNING status) "
        f"SELECT (SELECT count(*) FROM claimed), (SELECT max(row_number) FROM claimed), "
        f"(SELECT count(*) FROM marked WHERE status = 'promoted'), "
        f"(SELECT array_agg(row_number ORDER BY row_number) FROM claimed WHERE action = 'update')",
        {"defaults": defaults, "tenant": tenant_id, "batch": batch_id, "entity": spec.entity_type, "after": after_row,
         "size": size})
    execute_driver("RESET enable_nestloop; RESET jit")
    claimed, last_row, promoted, update_rows = rows[0]
    return ClaimedChunk(claimed=claimed, last_row=last_row if last_row is not None else after_row, promoted=promoted,
                        update_rows=list(update_rows or []))


#: What ItemStager sends with COPY: the item's id is drawn by PostgreSQL (gen_random_uuid) in the INSERT … SELECT.
STAGED_COLUMNS = [*(column for column in ITEM_INSERT_COLUMNS if column != "id"), "natural_key"]

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """Escape text for COPY's text format (backslash, tab, newline, carriage return)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _json_copy(text: str) -> str:
    # JSON text holds no raw control characters (json escapes them): only its backslashes need doubling.
    return text.replace("\\", "\\\\") if "\\" in text else text


def staged_lines(validator: Any, tenant_id: str, batch_id: str, rows: list[tuple[int, dict[str, Any]]]) -> str:
    """Validate raw rows and return their STAGED_COLUMNS lines in COPY text format (status `pending`).

    Runs in the validation pool's workers: the JSON encoding and the COPY formatting happen there, on every core,
    and the parent process only streams the returned text to PostgreSQL.
    """
    from gestiq_app.imports.validation import encode

    prefix = f"{tenant_id}\t{batch_id}\t"
    lines = []
    for row_number, raw in rows:
        result = validator.validate_raw(raw, encoded=True)
        errors = "{}" if not result.errors else _json_copy(encode(result.errors))
        key = "\\N" if result.natural_key is None else copy_text(result.natural_key)
        lines.append(f"{prefix}{row_number}\t{_json_copy(encode(raw))}\t{_json_copy(result.data)}\tf\tpending\t{errors}\t{key}\n")
    return "".join(lines)


def store_decisions_postgresql(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, rows: list[tuple]) -> None:
    """Write duplicate-policy decisions (id, errors, status, action, target_id) with COPY + one UPDATE … FROM."""
    if not rows:
        return
    copy_to_stage("import_stage_decisions", "id uuid, errors json, status varchar(12), action varchar(10), target_id uuid",
                  ["id", "errors", "status", "action", "target_id"], rows, frozenset({"errors"}))
    execute_driver("UPDATE import_items i SET errors = s.errors, status = s.status, action = s.action, target_id = s.target_id "
                   "FROM import_stage_decisions s WHERE i.tenant_id = %(tenant)s AND i.batch_id = %(batch)s AND i.id = s.id",
                   {"tenant": tenant_id, "batch": batch_id})


class ItemStager:
    """Stage a whole ingest's items with streamed COPY into a temporary table, then INSERT … SELECT (RLS checks every
    row), a block of BLOCK rows at a time, all in the caller's transaction. The COPY data goes to the server from
    psycopg's writer thread while the caller parses the next rows.

    Use as a context manager and `write` rows (or `write_text` COPY lines); leaving the block without an error inserts them.
    """

    #: Rows per COPY: each block is inserted into import_items while the validation workers go on with the queued chunks.
    BLOCK = 20_000

    def __init__(self) -> None:
        self.count = 0
        self._driver = session().connection().connection.driver_connection

    def __enter__(self) -> ItemStager:
        self._cursor = self._driver.cursor()
        self._cursor.execute("CREATE TEMP TABLE IF NOT EXISTS import_stage_items (LIKE import_items INCLUDING DEFAULTS) ON COMMIT DROP")
        self._cursor.execute("ALTER TABLE import_stage_items ALTER COLUMN id DROP NOT NULL")  # ids are drawn at INSERT
        self._cursor.execute("TRUNCATE import_stage_items")
        self._start_copy()
        return self

    def _start_copy(self) -> None:
        from psycopg.copy import QueuedLibpqWriter

        self._copy_context = self._cursor.copy(f"COPY import_stage_items ({', '.join(STAGED_COLUMNS)}) FROM STDIN",
                                               writer=QueuedLibpqWriter(self._cursor))
        self._copy = self._copy_context.__enter__()

    def _insert_block(self) -> None:
        columns = ", ".join(STAGED_COLUMNS)
        self._cursor.execute(f"INSERT INTO import_items (id, {columns}) SELECT gen_random_uuid(), {columns} FROM import_stage_items")
        self._cursor.execute("TRUNCATE import_stage_items")

    def _written(self, rows: int) -> None:
        before, self.count = self.count, self.count + rows
        if before // self.BLOCK != self.count // self.BLOCK:  # a block boundary crossed: insert what is staged
            self._copy_context.__exit__(None, None, None)
            self._insert_block()
            self._start_copy()

    def write(self, tenant_id: uuid.UUID, batch_id: uuid.UUID, row_number: int, raw: dict[str, Any]) -> None:
        """Stage one raw item, not validated yet (status `pending`, no data)."""
        self._copy.write_row((tenant_id, batch_id, row_number, json.dumps(raw, ensure_ascii=False), None, False, "pending", "{}", None))
        self._written(1)

    def write_text(self, text: str, rows: int) -> None:
        """Stage `rows` items given as STAGED_COLUMNS lines in COPY text format (see `staged_lines`)."""
        self._copy.write(text)
        self._written(rows)

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        try:
            self._copy_context.__exit__(exc_type, exc, traceback)
            if exc_type is None:
                self._insert_block()
        finally:
            self._cursor.close()
