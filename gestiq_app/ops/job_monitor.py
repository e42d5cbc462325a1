"""The back office's job monitor: Huey's pending and scheduled tasks, failed runs, and retrying one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.ops.models import JobFailure
from gestiq_app.tenancy.exceptions import ConflictError, NotFoundError

LIST_LIMIT = 200


class JobFailureNotFoundError(NotFoundError):
    """No such failed job."""


class JobNotRetryableError(ConflictError):
    """The failed job was already retried, or its arguments were masked."""


@dataclass(frozen=True)
class QueuedJob:
    """A task waiting in Huey's storage."""

    task_id: str
    name: str
    arguments: str
    eta: datetime | None
    retries: int


def _queued(tasks: list) -> list[QueuedJob]:  # type: ignore[type-arg]
    from gestiq_app.ops.job_signals import summarize_arguments, task_name

    return [QueuedJob(task_id=str(task.id), name=task_name(task), arguments=summarize_arguments(tuple(task.args or ()), dict(task.kwargs or {}))[0],
                      eta=task.eta, retries=task.retries or 0) for task in tasks]


def list_pending_jobs() -> list[QueuedJob]:
    """Return the tasks waiting for a worker, oldest first."""
    from gestiq_app.jobs import huey

    return _queued(huey.pending(limit=LIST_LIMIT))


def list_scheduled_jobs() -> list[QueuedJob]:
    """Return the tasks scheduled for later (retries included), soonest first."""
    from gestiq_app.jobs import huey

    return sorted(_queued(huey.scheduled(limit=LIST_LIMIT)), key=lambda job: job.eta or datetime.min)


def list_job_failures() -> list[JobFailure]:
    """Return the most recent failed runs."""
    return list(session().scalars(select(JobFailure).order_by(JobFailure.failed_at.desc(), JobFailure.id).limit(LIST_LIMIT)))


def retry_job_failure(*, failure_id: uuid.UUID, actor: str) -> JobFailure:
    """Enqueue a failed task again with its original arguments (once per failure; after commit)."""
    from gestiq_app.audit.services import record_event
    from gestiq_app.db import call_after_commit
    from gestiq_app.jobs import huey

    with unit_of_work() as current:
        failure = current.get(JobFailure, failure_id, with_for_update=True)
        if failure is None:
            raise JobFailureNotFoundError("Tarea fallida no encontrada")
        if not failure.is_retryable:
            raise JobNotRetryableError("Esta tarea ya se reintentó o sus argumentos no se guardaron")
        try:
            task_class = huey._registry.string_to_task(failure.task_name)
        except KeyError as error:
            raise JobNotRetryableError(f"La tarea {failure.task_name} ya no existe") from error
        failure.retried_at, failure.retried_by = utcnow(), actor
        arguments = failure.task_args or {}
        record_event(actor=actor, action="job.retried", entity="job_failure", entity_id=failure.id, changes={"task": failure.task_name})
        task = task_class(args=tuple(arguments.get("args", ())), kwargs=arguments.get("kwargs", {}))
        call_after_commit(lambda: huey.enqueue(task))
    return failure
