"""Huey tasks of mail: send one e-mail (ids in, idempotent: a sent e-mail is not sent again)."""

from __future__ import annotations

import uuid

from gestiq_app.db import call_after_commit
from gestiq_app.jobs import huey, job_context


@huey.task(retries=4, retry_delay=60)
def send_email_task(tenant_id: str, email_id: str) -> str:
    """Send a queued e-mail; a transient failure is retried by Huey."""
    from gestiq_app.mail.services import send_email

    with job_context(tenant_id):
        state = send_email(email_id=uuid.UUID(email_id))
    if state == "queued":
        raise RuntimeError("SMTP temporalmente no disponible")
    return state


def enqueue_after_commit(tenant_id: uuid.UUID, email_id: uuid.UUID) -> None:
    """Enqueue the send task only once the current unit of work commits."""
    call_after_commit(lambda: send_email_task(str(tenant_id), str(email_id)))
