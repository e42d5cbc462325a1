"""The Huey instance (built from GESTIQ_* settings at import, as the consumer needs) and task helpers.

Run a worker with: `huey_consumer gestiq_app.jobs.huey -w 2 -k process`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from gestiq_app.config import env_setting


def build_huey(backend: str, *, instance_path: str, redis_url: str) -> Huey:
    """Build the Huey instance for a storage backend: sqlite, redis or immediate."""
    if backend == "redis":
        return RedisHuey("gestiq", url=redis_url, utc=True)
    if backend == "immediate":
        return MemoryHuey("gestiq", immediate=True, utc=True)
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return SqliteHuey("gestiq", filename=str(Path(instance_path) / "huey.db"), utc=True)


huey: Huey = build_huey(
    env_setting("GESTIQ_HUEY_BACKEND"),
    instance_path=env_setting("GESTIQ_INSTANCE_PATH"),
    redis_url=env_setting("GESTIQ_REDIS_URL"),
)

_worker_app: Flask | None = None
_worker_app_lock = threading.Lock()


def configure_huey(app: Flask) -> None:
    """Align the module-level Huey with the app's config (tests switch it to immediate)."""
    global huey
    backend = app.config["GESTIQ_HUEY_BACKEND"]
    if backend == "immediate":
        huey.immediate = True
    elif huey.immediate:
        huey.immediate = False


def _get_worker_app() -> Flask:
    global _worker_app
    with _worker_app_lock:
        if _worker_app is None:
            from gestiq_app import create_app

            _worker_app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0"})
        return _worker_app


@contextmanager
def job_context(tenant_id: uuid.UUID | str | None = None) -> Iterator[None]:
    """Run a task body with an app context and, when given, the job's tenant; release the session after."""
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context

    if has_app_context():
        app_context = None
    else:
        app_context = _get_worker_app().app_context()
        app_context.push()
    try:
        if tenant_id is None:
            yield
        else:
            with tenant_context(tenant_id):
                yield
    finally:
        if app_context is not None:
            db.session.remove()
            app_context.pop()


def storage_is_reachable() -> tuple[bool, str]:
    """Tell whether Huey's storage answers."""
    if current_app.config["GESTIQ_HUEY_BACKEND"] == "immediate" or huey.immediate:
        return True, "immediate"
    try:
        huey.pending_count()
    except Exception as error:  # noqa: BLE001 - any storage failure means "not ready"
        return False, type(error).__name__
    return True, "ok"


#: Modules holding tasks and signal handlers; imported here so `huey_consumer gestiq_app.jobs.huey` knows them all.
TASK_MODULES: list[str] = [
    "gestiq_app.mail.tasks",
    "gestiq_app.ops.tasks",
    "gestiq_app.ops.job_signals",
    "gestiq_app.webhooks.tasks",
    "gestiq_app.einvoicing.tasks",
    "gestiq_app.payments.tasks",
    "gestiq_app.pdf.tasks",
    "gestiq_app.imports.tasks",
]


def _import_task_modules() -> None:
    import importlib

    for module in TASK_MODULES:
        importlib.import_module(module)


_import_task_modules()
