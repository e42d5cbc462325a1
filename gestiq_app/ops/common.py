"""What the operations scripts share: the app they run in, owner connections, one-line errors."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from gestiq_app.config import engine_options


class OpsError(RuntimeError):
    """An operation refused or failed; the message is shown to the operator as one line."""


def build_app() -> Flask:
    """Create the app from the environment for a script (no permission sync at start)."""
    from gestiq_app import create_app

    return create_app({"GESTIQ_FAB_UPDATE_PERMS": "0"})


@contextmanager
def owner_transaction(app: Flask) -> Iterator[Connection]:
    """Open one transaction as the owner role (GESTIQ_MIGRATION_DATABASE_URL); commit at the end of the block.

    Erasing needs it: the runtime role may not delete audit events (append-only grants). Row-level
    security still applies to the owner (FORCE), so callers set the tenant with `set_rls_tenant`.
    """
    url = app.config["GESTIQ_MIGRATION_DATABASE_URL"]
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def set_rls_tenant(connection: Connection, tenant_id: uuid.UUID | None, *, platform: bool = False) -> None:
    """Set the PostgreSQL tenant (or platform scope) of the current transaction; nothing on SQLite."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text("SELECT set_config('app.tenant_id', :tid, true), set_config('app.platform_scope', :platform, true)"),
        {"tid": str(tenant_id) if tenant_id else "", "platform": "on" if platform else ""},
    )


def schema_revision(connection: Connection) -> str:
    """Return the Alembic revision(s) of the database, comma-separated."""
    from sqlalchemy import column, table

    versions = connection.execute(select(column("version_num")).select_from(table("alembic_version"))).scalars()
    return ",".join(sorted(versions))


def printer(stream: TextIO | None = None) -> Callable[[str], None]:
    """Return a progress printer that flushes every line (long work shows as it goes)."""
    out = stream or sys.stdout

    def emit(line: str) -> None:
        print(line, file=out, flush=True)

    return emit


def run_script(body: Callable[[], int]) -> int:
    """Run a script body: known failures print one line `Error: …` on stderr and exit 1."""
    try:
        return body()
    except OpsError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"Error de base de datos: {detail}", file=sys.stderr)
        return 1
