"""The current tenant: a context variable set only from a verified token or a job's arguments."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger("gestiq.tenancy")

_current_tenant: ContextVar[uuid.UUID | None] = ContextVar("gestiq_current_tenant", default=None)
_platform_scope: ContextVar[bool] = ContextVar("gestiq_platform_scope", default=False)


class TenantContextError(RuntimeError):
    """Raised when tenant-owned data is touched without a valid tenant context."""


def current_tenant_id() -> uuid.UUID | None:
    """Return the tenant of the current context, or None."""
    return _current_tenant.get()


def is_platform_scope() -> bool:
    """Tell whether the current context may read across tenants (back office)."""
    return _platform_scope.get()


def _as_uuid(tenant_id: uuid.UUID | str) -> uuid.UUID:
    return tenant_id if isinstance(tenant_id, uuid.UUID) else uuid.UUID(str(tenant_id))


def bind_tenant(tenant_id: uuid.UUID | str | None) -> None:
    """Set the current tenant for the rest of this request (reset by the request teardown).

    If a transaction is already open on the session (something queried before the tenant was known),
    the PostgreSQL setting is applied to that transaction too.
    """
    _current_tenant.set(_as_uuid(tenant_id) if tenant_id is not None else None)
    from gestiq_app.tenancy.guard import apply_db_context_to_open_transaction

    apply_db_context_to_open_transaction()


def reset_context() -> None:
    """Forget the tenant and platform scope (start and end of every request)."""
    _current_tenant.set(None)
    _platform_scope.set(False)


@contextmanager
def tenant_context(tenant_id: uuid.UUID | str) -> Iterator[uuid.UUID]:
    """Run a block as one tenant (jobs, CLI, tests); restores the previous context afterwards."""
    token = _current_tenant.set(_as_uuid(tenant_id))
    platform_token = _platform_scope.set(False)
    from gestiq_app.tenancy.guard import apply_db_context_to_open_transaction

    try:
        apply_db_context_to_open_transaction()
        yield _current_tenant.get()  # type: ignore[misc]
    finally:
        _current_tenant.reset(token)
        _platform_scope.reset(platform_token)
        apply_db_context_to_open_transaction()


@contextmanager
def platform_scope(*, actor: str, reason: str) -> Iterator[None]:
    """Read across tenants for the back office; every entry is logged with who and why."""
    log.info("platform_scope entered", extra={"actor": actor, "reason": reason})
    token = _platform_scope.set(True)
    tenant_token = _current_tenant.set(None)
    from gestiq_app.tenancy.guard import apply_db_context_to_open_transaction

    try:
        apply_db_context_to_open_transaction()
        yield
    finally:
        _platform_scope.reset(token)
        _current_tenant.reset(tenant_token)
        apply_db_context_to_open_transaction()


def enter_platform_scope_for_request() -> None:
    """Switch the current request into platform scope (FAB back-office requests only)."""
    _platform_scope.set(True)
    _current_tenant.set(None)
