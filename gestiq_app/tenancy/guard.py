"""ORM and PostgreSQL tenant guards: filter every query, stamp every insert, set RLS per transaction."""

from __future__ import annotations

from sqlalchemy import event, false, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from gestiq_app.db import TenantScoped
from gestiq_app.tenancy.context import TenantContextError, current_tenant_id, is_platform_scope

_installed = False


def _filter_tenant_rows(state: ORMExecuteState) -> None:
    """Add the tenant criteria to every ORM SELECT, UPDATE and DELETE (no context: no rows)."""
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if is_platform_scope():
        return
    tenant_id = current_tenant_id()
    criteria = (
        (lambda cls: false()) if tenant_id is None else (lambda cls: cls.tenant_id == tenant_id)
    )
    # track_closure_variables (the default) keys SQLAlchemy's statement cache on tenant_id.
    state.statement = state.statement.options(with_loader_criteria(TenantScoped, criteria, include_aliases=True))


def _stamp_tenant(session: Session, flush_context: object, instances: object) -> None:
    """Stamp new tenant rows with the current tenant; refuse rows of another tenant."""
    tenant_id = current_tenant_id()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantContextError(f"{type(obj).__name__} written without a tenant context")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantContextError(f"{type(obj).__name__} belongs to another tenant")
        elif tenant_id is None and not is_platform_scope():
            raise TenantContextError(f"{type(obj).__name__} written without a tenant context")


def _set_db_context(session: Session, transaction: object, connection: object) -> None:
    """Set app.tenant_id / app.platform_scope for this transaction only (PostgreSQL)."""
    if connection.dialect.name != "postgresql":  # type: ignore[attr-defined]
        return
    _apply(connection)


def _apply(connection: object) -> None:
    tenant_id = current_tenant_id()
    connection.execute(  # type: ignore[attr-defined]
        text(
            "SELECT set_config('app.tenant_id', :tid, true), set_config('app.platform_scope', :platform, true)"
        ),
        {"tid": str(tenant_id) if tenant_id else "", "platform": "on" if is_platform_scope() else ""},
    )


def apply_db_context_to_open_transaction() -> None:
    """Re-apply the tenant setting when the context changes inside an open transaction."""
    from flask import has_app_context

    if not has_app_context():
        return
    from gestiq_app.extensions import db

    current = db.session()
    if not current.in_transaction():
        return
    connection = current.connection()
    if connection.dialect.name != "postgresql":
        return
    try:
        _apply(connection)
    except DBAPIError:
        # The transaction already failed (the caller's error is propagating). Every later statement on
        # it fails the same way, so nothing can run under a stale setting; the rollback forgets it.
        pass


def install_tenant_guard() -> None:
    """Register the session hooks once per process."""
    global _installed
    if _installed:
        return
    event.listen(Session, "do_orm_execute", _filter_tenant_rows)
    event.listen(Session, "before_flush", _stamp_tenant)
    event.listen(Session, "after_begin", _set_db_context)
    _installed = True
