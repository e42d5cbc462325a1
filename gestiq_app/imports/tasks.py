"""Huey tasks of imports: validate and promote a batch (tenant and batch ids in; idempotent by the batch state)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from flask import current_app, has_app_context

from huey import crontab

from gestiq_app.jobs import huey, job_context

log = logging.getLogger("gestiq.imports")


def _run(tenant_id: str, body: Callable[[], str]) -> str:
    from gestiq_app.extensions import db

    if has_app_context():
        # Inline runs (immediate Huey, the CLI) get their own session, as a worker process would.
        with current_app.app_context():
            try:
                return body()
            finally:
                db.session.remove()
    with job_context():
        return body()


@huey.task(retries=2, retry_delay=5)
def validate_batch(tenant_id: str, batch_id: str) -> str:
    """Validate a batch claimed in `validating`; any other state means another run did it: nothing happens."""
    from sqlalchemy.exc import SQLAlchemyError

    from gestiq_app.imports.exceptions import ImportInvalidError
    from gestiq_app.imports.pipeline import fail_batch, run_validation

    def body() -> str:
        try:
            return run_validation(tenant_id=uuid.UUID(tenant_id), batch_id=uuid.UUID(batch_id))
        except (ImportInvalidError, SQLAlchemyError, ValueError, KeyError) as error:
            log.exception("import validation failed", extra={"batch_id": batch_id})
            fail_batch(tenant_id=uuid.UUID(tenant_id), batch_id=uuid.UUID(batch_id), state="validating",
                       message=f"La validación falló: {type(error).__name__}: {error}")
            return "failed"

    return _run(tenant_id, body)


@huey.task(retries=5, retry_delay=5)
def promote_batch(tenant_id: str, batch_id: str) -> str:
    """Promote a batch claimed in `promoting`, from its last committed chunk; retried (and resumable) on errors."""
    from gestiq_app.imports.pipeline import run_promotion

    return _run(tenant_id, lambda: run_promotion(tenant_id=uuid.UUID(tenant_id), batch_id=uuid.UUID(batch_id)))


@huey.periodic_task(crontab(minute="*/5"))
def resume_stalled_promotions() -> int:
    """Enqueue again every promotion whose worker died (no chunk for 10 minutes): it goes on from its last chunk."""
    from gestiq_app.imports.services import list_stalled_promotions

    with job_context():
        stalled = list_stalled_promotions()
    for tenant_id, batch_id in stalled:
        log.warning("resuming a stalled import promotion", extra={"batch_id": str(batch_id)})
        promote_batch(str(tenant_id), str(batch_id))
    return len(stalled)
