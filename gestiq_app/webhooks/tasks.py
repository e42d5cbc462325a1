"""Huey tasks of webhooks: one delivery attempt (ids in; the row's state makes a duplicate run harmless)."""

from __future__ import annotations

import uuid

from huey import crontab

from gestiq_app.jobs import huey, job_context


@huey.task()
def deliver_webhook_task(tenant_id: str, delivery_id: str) -> str:
    """Attempt a delivery; on a retryable failure schedule the next attempt with exponential backoff."""
    from gestiq_app.webhooks.services import deliver

    with job_context(tenant_id):
        state, delay = deliver(tenant_id=uuid.UUID(tenant_id), delivery_id=uuid.UUID(delivery_id))
    if delay is not None:
        schedule_attempt(tenant_id, delivery_id, delay)
    return state


def schedule_attempt(tenant_id: str, delivery_id: str, delay: int) -> None:
    """Enqueue the next attempt now (delay 0) or after `delay` seconds."""
    if delay <= 0:
        deliver_webhook_task(tenant_id, delivery_id)
    else:
        deliver_webhook_task.schedule((tenant_id, delivery_id), delay=delay)


@huey.periodic_task(crontab(minute="*/5"))
def resume_due_webhook_deliveries() -> int:
    """Re-trigger pending deliveries whose attempt is overdue (Huey may lose a scheduled task)."""
    from gestiq_app.webhooks.sweeper import due_deliveries

    with job_context():
        due = due_deliveries()
    for tenant_id, delivery_id in due:
        deliver_webhook_task(str(tenant_id), str(delivery_id))
    return len(due)
