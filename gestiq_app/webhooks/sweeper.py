"""Find overdue pending deliveries across tenants (ids only) for the periodic resume task."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from gestiq_app.db import session, utcnow
from gestiq_app.tenancy.context import platform_scope
from gestiq_app.webhooks.models import WebhookDelivery

#: Grace period before a pending delivery counts as lost (its own scheduled task should have run by then).
GRACE = timedelta(minutes=2)
BATCH = 500


def due_deliveries() -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Return (tenant_id, delivery_id) of pending deliveries overdue by more than the grace period."""
    limit = utcnow() - GRACE
    with platform_scope(actor="job:resume_due_webhook_deliveries", reason="find overdue webhook deliveries"):
        rows = session().execute(
            select(WebhookDelivery.tenant_id, WebhookDelivery.id)
            .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= limit)
            .order_by(WebhookDelivery.next_attempt_at).limit(BATCH)
        ).all()
        session().rollback()
    return [(row.tenant_id, row.id) for row in rows]
