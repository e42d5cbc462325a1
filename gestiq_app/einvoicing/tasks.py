"""Huey tasks of e-invoicing: submit one document (ids in, idempotent) and dispatch due retries every minute."""

from __future__ import annotations

import uuid

from flask import current_app, has_app_context
from huey import crontab

from gestiq_app.jobs import huey, job_context


def _process(tenant_id: str, submission_id: str) -> str:
    from gestiq_app.einvoicing.settings import is_submission_enabled
    from gestiq_app.einvoicing.submissions import process_submission

    if not is_submission_enabled():
        return "disabled"  # queued while submission was on, run after it was turned off: leave the row pending

    return process_submission(submission_id=uuid.UUID(submission_id))


@huey.task()
def submit_document(tenant_id: str, submission_id: str) -> str:
    """Run one attempt of a submission; a second delivery of the same task finds it claimed and does nothing."""
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context

    if has_app_context():
        # Inline runs (immediate Huey) happen inside the caller's request or command: a fresh app context gives the
        # task its own session, as a worker process would have.
        with current_app.app_context(), tenant_context(tenant_id):
            try:
                return _process(tenant_id, submission_id)
            finally:
                db.session.remove()
    with job_context(tenant_id):
        return _process(tenant_id, submission_id)


@huey.periodic_task(crontab(minute="*"))
def dispatch_submissions() -> int:
    """Enqueue every submission whose retry is due (and recover interrupted sends)."""
    from gestiq_app.einvoicing.settings import is_submission_enabled
    from gestiq_app.einvoicing.submissions import dispatch_due_submissions

    with job_context():
        if not is_submission_enabled():
            return 0
        due = dispatch_due_submissions()
    for tenant_id, submission_id in due:
        submit_document(str(tenant_id), str(submission_id))
    return len(due)
