"""The embedded job runner: with GESTIQ_IMPORTS_ENABLED=1 the app runs a Huey consumer in its own process.

For the one-machine default (`flask run`, SQLite storage, no separate consumer) so that validations and
promotions happen without starting `huey_consumer`. It starts with the first request (never in CLI
commands or worker processes, which build the same app), once per process, and only when the import
tables exist; otherwise it logs one warning and the app runs without it. `scripts/serve` starts its own
consumer, so it leaves this off; production runs `huey_consumer` processes instead.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask
from huey import Huey
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("gestiq.imports")
TABLES = ("import_batches", "import_items", "import_lineage")
_lock = threading.Lock()
_consumers: dict[int, Any] = {}


def is_enabled(app: Flask) -> bool:
    """Tell whether GESTIQ_IMPORTS_ENABLED asks for the embedded runner."""
    return str(app.config.get("GESTIQ_IMPORTS_ENABLED", "0")).lower() in {"1", "true", "yes"}


def tables_exist(app: Flask) -> bool:
    """Tell whether the import tables are in the database (migrations applied)."""
    from gestiq_app.extensions import db

    with app.app_context():
        try:
            names = set(inspect(db.engine).get_table_names())
        except SQLAlchemyError:
            return False
        finally:
            db.session.remove()
    return set(TABLES) <= names


def start_consumer(queue: Huey, *, workers: int = 1) -> Any:
    """Start a thread-based consumer of `queue` in this process (scheduler included) and return it; once per queue."""
    with _lock:
        consumer = _consumers.get(id(queue))
        if consumer is not None:
            return consumer
        consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=False)
        # Consumer.start() would also install signal handlers, which only the main thread may do: start the parts.
        consumer.scheduler.start()
        for _, worker in consumer.worker_threads:
            worker.start()
        _consumers[id(queue)] = consumer
        log.info("embedded job runner started", extra={"workers": workers})
        return consumer


def stop_consumer(queue: Huey) -> None:
    """Stop the embedded consumer of `queue`, if any (tests)."""
    with _lock:
        consumer = _consumers.pop(id(queue), None)
    if consumer is not None:
        consumer.stop(graceful=True)
        for _, worker in consumer.worker_threads:
            worker.join(10)
        consumer.scheduler.join(10)


def init_runner(app: Flask, queue: Huey | None = None) -> bool:
    """Arrange for the embedded runner to start with the first request; return whether it will (one warning if not)."""
    if not is_enabled(app):
        return False
    if app.config["GESTIQ_HUEY_BACKEND"] == "immediate":
        return False  # tasks already run inline
    if not tables_exist(app):
        log.warning("GESTIQ_IMPORTS_ENABLED=1 pero faltan las tablas de importación: ejecute `flask db upgrade`; "
                    "el ejecutor de tareas no se inicia")
        return False
    from gestiq_app import jobs

    target = queue or jobs.huey

    @app.before_request
    def _start_embedded_runner() -> None:
        if id(target) not in _consumers:
            start_consumer(target)

    return True
