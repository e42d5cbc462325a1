"""Declarative base, model mixins and the unit of work used by every service."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, MetaData, Uuid, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: FAB's declarative base: our tables share its metadata so Alembic sees ab_* tables too.
Base = Model
metadata: MetaData = Base.metadata
metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class Timestamped:
    """Creation and update timestamps, set by the database and the ORM."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Versioned:
    """Optimistic locking: a stale update raises StaleDataError instead of overwriting."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805 - SQLAlchemy declared_attr signature
        """Use the version column as the mapper's version counter."""
        return {"version_id_col": cls.version}


class TenantScoped:
    """A tenant-owned row: composite primary key (tenant_id, id), filtered and stamped by the tenant guard.

    The table's primary key includes tenant_id so the schema can be distributed by tenant (Citus);
    the ORM identity stays the globally unique `id` so FAB and the identity map see one key.
    """

    #: No index of its own: the primary key (tenant_id, id) leads with it, and a second index on the same column
    #: only cost every insert one more index entry.
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805
        """Map the ORM identity to `id` alone (UUIDs are unique across tenants)."""
        args: dict = {"primary_key": [cls.__table__.c.id]}
        if "version" in cls.__table__.c:
            args["version_id_col"] = cls.__table__.c.version
        return args


def session() -> Session:
    """Return the request- or job-scoped SQLAlchemy session."""
    from gestiq_app.extensions import db

    return db.session


AFTER_COMMIT_KEY = "gestiq_after_commit"


def call_after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the current unit of work has committed (dropped if it rolls back)."""
    session().info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


def _run_after_commit(current: Session) -> None:
    callbacks = current.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the use case is committed; its state row lets a sweep retry the work
            logging.getLogger("gestiq.jobs").exception("after-commit work failed", extra={"callback": repr(callback)})


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Run one use case in one transaction: commit on success, roll back on any error; then run after-commit calls."""
    current = session()
    try:
        yield current
        current.commit()
    except BaseException:
        current.rollback()
        current.info.pop(AFTER_COMMIT_KEY, None)
        raise
    _run_after_commit(current)


def is_unique_violation(error: IntegrityError, table: str, *columns: str) -> bool:
    """Tell whether an IntegrityError broke the unique key `uq_<table>_<columns>` (PostgreSQL or SQLite)."""
    original = error.orig
    diagnostics = getattr(original, "diag", None)
    if diagnostics is not None:
        return getattr(original, "sqlstate", None) == "23505" and diagnostics.constraint_name == f"uq_{table}_{'_'.join(columns)}"
    return str(original) == "UNIQUE constraint failed: " + ", ".join(f"{table}.{column}" for column in columns)


def contains_pattern(text: str) -> str:
    """Return a LIKE pattern matching `text` anywhere, with LIKE wildcards escaped (use escape="\\\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _enforce_sqlite_foreign_keys(dbapi_connection: object, connection_record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def enforce_sqlite_foreign_keys() -> None:
    """Make SQLite check foreign keys on every new connection, as PostgreSQL always does (SQLite's default is off)."""
    if not event.contains(Engine, "connect", _enforce_sqlite_foreign_keys):
        event.listen(Engine, "connect", _enforce_sqlite_foreign_keys)
