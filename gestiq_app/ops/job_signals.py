"""Huey signal handlers: job metrics, job spans, and a `job_failures` row for every failed run."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from flask import Flask, current_app, has_app_context
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_EXECUTING

from gestiq_app.jobs import huey

SECRET_NAME = re.compile(r"secret|password|passwd|token|api_?key|credential|iban|card", re.IGNORECASE)
SECRET_VALUE = re.compile(r"^(whsec_|gqt_|sk_|rk_|pk_live|Bearer )")
MASK = "***"
MAX_SUMMARY = 2000
_started: dict[str, float] = {}


def task_name(task: Any) -> str:
    """Return the registry name of a task (module.function), as used to enqueue it again."""
    return huey._registry.task_to_string(type(task))


def summarize_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """Return printable arguments with secret-looking values masked, and the real ones when nothing was masked."""
    masked = False

    def clean(name: str | None, value: Any) -> Any:
        nonlocal masked
        if (name and SECRET_NAME.search(name)) or (isinstance(value, str) and SECRET_VALUE.match(value)):
            masked = True
            return MASK
        return value

    shown = {"args": [clean(None, value) for value in args], "kwargs": {key: clean(key, value) for key, value in sorted(kwargs.items())}}
    summary = json.dumps(shown, default=str, ensure_ascii=False)[:MAX_SUMMARY]
    try:
        real = json.loads(json.dumps({"args": list(args), "kwargs": kwargs}))
    except (TypeError, ValueError):
        real = None
    return summary, (None if masked else real)


def _app_for_recording() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    from gestiq_app.jobs import _get_worker_app

    return _get_worker_app()


def record_failure(task: Any, error: BaseException) -> None:
    """Store a failed run in job_failures, in its own app context and transaction."""
    from gestiq_app.db import unit_of_work
    from gestiq_app.ops.models import JobFailure

    summary, real = summarize_arguments(tuple(task.args or ()), dict(task.kwargs or {}))
    # A fresh app context: its own session, never the (possibly committing) session of the caller.
    with _app_for_recording().app_context(), unit_of_work() as current:
        current.add(JobFailure(task_name=task_name(task), task_id=str(task.id), args_summary=summary, task_args=real,
                               error=f"{type(error).__name__}: {error}"[:4000], will_retry=bool(task.retries)))


@huey.signal(SIGNAL_EXECUTING)
def _on_executing(signal: str, task: Any, *args: Any) -> None:
    from gestiq_app.tracing import start_job_span

    _started[task.id] = time.perf_counter()
    start_job_span(task.id, task_name(task))


@huey.signal(SIGNAL_COMPLETE)
def _on_complete(signal: str, task: Any, *args: Any) -> None:
    from gestiq_app.metrics import observe_job
    from gestiq_app.tracing import end_job_span

    started = _started.pop(task.id, None)
    observe_job(task=task_name(task), seconds=time.perf_counter() - started if started else None, succeeded=True)
    end_job_span(task.id, error=None)


@huey.signal(SIGNAL_ERROR)
def _on_error(signal: str, task: Any, error: BaseException, *args: Any) -> None:
    from gestiq_app.metrics import observe_job
    from gestiq_app.tracing import end_job_span

    started = _started.pop(task.id, None)
    observe_job(task=task_name(task), seconds=time.perf_counter() - started if started else None, succeeded=False)
    end_job_span(task.id, error=error)
    record_failure(task, error)
