"""Write and read audit events."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, has_request_context

from gestiq_app.audit.models import AuditEvent
from gestiq_app.db import session
from gestiq_app.tenancy.context import current_tenant_id, is_platform_scope, platform_scope
from gestiq_app.tenancy.models import PLATFORM_TENANT_ID


def current_request_id() -> str | None:
    """Return the request id of the current request, if any."""
    return getattr(g, "request_id", None) if has_request_context() else None


def record_event(
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: Any = None,
    changes: dict[str, Any] | None = None,
    tenant_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's unit of work commits it)."""
    event = AuditEvent(
        tenant_id=tenant_id or current_tenant_id() or PLATFORM_TENANT_ID,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id) if entity_id is not None else None,
        changes=_jsonable(changes or {}),
        request_id=current_request_id(),
    )
    session().add(event)
    if event.tenant_id == PLATFORM_TENANT_ID and current_tenant_id() is None and not is_platform_scope():
        # A platform event (back-office login…) outside any request scope: write it as the platform.
        with platform_scope(actor=actor, reason=f"audit {action}"):
            session().flush()
    return event


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
