"""Huey tasks of payments: process a stored provider notification (ids in, idempotent by compare-and-set)."""

from __future__ import annotations

import uuid

from huey import crontab

from gestiq_app.jobs import huey, job_context


@huey.task(retries=5, retry_delay=30)
def process_provider_event(tenant_id: str, event_row_id: str) -> str | None:
    """Process one provider notification of a tenant (a second run finds it claimed or done and does nothing)."""
    from gestiq_app.payments.notifications import process_event

    with job_context(tenant_id):
        return process_event(tenant_id=uuid.UUID(tenant_id), event_row_id=uuid.UUID(event_row_id))


@huey.periodic_task(crontab(minute="*/5"))
def resume_provider_events() -> int:
    """Re-trigger provider events whose task was lost, died, or failed and may be retried; return how many."""
    from gestiq_app.payments.notifications import due_events

    with job_context():
        due = due_events()
    for tenant_id, event_row_id in due:
        process_provider_event(str(tenant_id), str(event_row_id))
    return len(due)
