"""Create the owner and runtime roles and the database on a PostgreSQL server."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class BootstrapResult:
    """The URLs the app needs after bootstrapping."""

    owner_url: str
    runtime_url: str


def _server_conninfo(admin_url: str) -> str:
    url = make_url(admin_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def bootstrap(
    *,
    admin_url: str,
    database: str,
    owner_role: str = "gestiq_owner",
    runtime_role: str = "gestiq_app",
    owner_password: str | None = None,
    runtime_password: str | None = None,
) -> BootstrapResult:
    """Create roles (if missing) and the database owned by the owner role; return the app's URLs."""
    with psycopg.connect(_server_conninfo(admin_url), autocommit=True) as conn:
        _ensure_role(conn, owner_role, owner_password, extra="NOSUPERUSER NOCREATEROLE NOBYPASSRLS")
        _ensure_role(conn, runtime_role, runtime_password, extra="NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT")
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(owner_role)))
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(runtime_role)))
    admin = make_url(admin_url)
    base = admin.set(drivername="postgresql+psycopg", database=database)
    owner = base.set(username=owner_role, password=owner_password)
    runtime = base.set(username=runtime_role, password=runtime_password)
    with psycopg.connect(_server_conninfo(owner.render_as_string(hide_password=False)), autocommit=True) as conn:
        # PostgreSQL 15 no longer lets every role create in public; the owner owns the schema's objects.
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(runtime_role)))
    return BootstrapResult(owner_url=owner.render_as_string(hide_password=False), runtime_url=runtime.render_as_string(hide_password=False))


def _ensure_role(conn: psycopg.Connection, role: str, password: str | None, *, extra: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    statement = sql.SQL(f"{verb} ROLE {{}} LOGIN {extra}").format(sql.Identifier(role))
    if password:
        statement = statement + sql.SQL(" PASSWORD {}").format(sql.Literal(password))
    conn.execute(statement)


def drop_database(*, admin_url: str, database: str) -> None:
    """Drop a database (tests clean up after themselves)."""
    with psycopg.connect(_server_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
