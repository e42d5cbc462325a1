"""Append-only audit trail written by services."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, utcnow


class AuditEvent(TenantScoped, Base):
    """Who did what to which entity, when, from which request.

    Platform actions carry PLATFORM_TENANT_ID (the nil UUID) so the table stays tenant-shaped;
    there is deliberately no foreign key to tenants: the audit outlives an erased tenant.
    """

    __tablename__ = "audit_events"

    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    #: Read-only link for the back office's filters (no foreign key, see the class docstring).
    tenant = relationship(
        "Tenant", primaryjoin="foreign(AuditEvent.tenant_id) == Tenant.id", viewonly=True, lazy="joined"
    )


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper: object, connection: object, target: AuditEvent) -> None:
    raise AuditImmutableError("Los eventos de auditoría no se pueden modificar")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper: object, connection: object, target: AuditEvent) -> None:
    raise AuditImmutableError("Los eventos de auditoría no se pueden borrar")
