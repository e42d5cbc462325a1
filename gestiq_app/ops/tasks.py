"""Diagnostic Huey task: proves a worker runs jobs (and, on request, that failures are recorded)."""

from __future__ import annotations

from gestiq_app.jobs import huey


class PingFailure(RuntimeError):
    """The failure a ping was asked to raise."""


@huey.task()
def ping_task(message: str = "pong", should_fail: bool = False) -> str:
    """Return the message, or fail on purpose to test failure recording and alerts."""
    if should_fail:
        raise PingFailure(f"fallo solicitado: {message}")
    return message
