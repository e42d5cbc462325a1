"""PostgreSQL row-level security derived from the models: every tenant table gets the same policy.

Applied after every `db upgrade` (migrations/env.py), so a new tenant table cannot be forgotten.
"""

from __future__ import annotations

from sqlalchemy import Table, inspect, text
from sqlalchemy.engine import Connection, make_url

from gestiq_app.db import Base, TenantScoped

POLICY_NAME = "tenant_isolation"
#: Tables the runtime role may only append to.
APPEND_ONLY_TABLES = ("audit_events", "verifactu_records")
TENANT_PREDICATE = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " OR NULLIF(current_setting('app.platform_scope', true), '') = 'on')"
)


def tenant_tables() -> list[Table]:
    """Return the tables of every mapped TenantScoped class, sorted by name."""
    from gestiq_app import models  # noqa: F401 - make sure every model is registered

    tables = {
        mapper.local_table
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, TenantScoped) and isinstance(mapper.local_table, Table)
    }
    return sorted(tables, key=lambda table: table.name)


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def sync_row_level_security(connection: Connection, *, runtime_url: str, migration_url: str) -> None:
    """Enable and force RLS with the tenant policy on every tenant table, and grant the runtime role.

    Tables the models know but the database lacks are skipped: after a downgrade they are gone.
    """
    existing = set(inspect(connection).get_table_names())
    for table in (table for table in tenant_tables() if table.name in existing):
        name = _quote(connection, table.name)
        connection.execute(text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
        connection.execute(text(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY"))
        connection.execute(text(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {name}"))
        connection.execute(
            text(f"CREATE POLICY {POLICY_NAME} ON {name} USING {TENANT_PREDICATE} WITH CHECK {TENANT_PREDICATE}")
        )
    runtime_role = make_url(runtime_url).username
    owner_role = make_url(migration_url).username
    if runtime_role and runtime_role != owner_role:
        grant_runtime_role(connection, runtime_role)


def grant_runtime_role(connection: Connection, role: str) -> None:
    """Give the runtime role DML on every table (append-only where required) and nothing more."""
    quoted = _quote(connection, role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    for table in APPEND_ONLY_TABLES:
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {_quote(connection, table)} FROM {quoted}"))
    connection.execute(text(f"REVOKE ALL ON alembic_version FROM {quoted}"))
    connection.execute(text(f"GRANT SELECT ON alembic_version TO {quoted}"))
