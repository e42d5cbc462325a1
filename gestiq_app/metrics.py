"""Prometheus metrics of the app, and small helpers other modules call to update theirs.

With several processes (gunicorn workers, Huey consumers) on one host, set PROMETHEUS_MULTIPROC_DIR to
a shared empty folder: /metrics then adds up every process (see deploy/README.md).
"""

from __future__ import annotations

import os
import sqlite3

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from redis.exceptions import RedisError

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0)

http_request_duration = Histogram("gestiq_http_request_duration_seconds", "Duración de las peticiones HTTP por ruta y método",
                                  ["route", "method"], buckets=LATENCY_BUCKETS)
http_requests = Counter("gestiq_http_requests", "Peticiones HTTP por ruta, método y código de estado", ["route", "method", "status"])
job_runs = Counter("gestiq_job_runs", "Ejecuciones terminadas de tareas Huey por tarea y resultado", ["task", "outcome"])
job_failures = Counter("gestiq_job_failures", "Ejecuciones fallidas de tareas Huey por tarea", ["task"])
job_duration = Histogram("gestiq_job_duration_seconds", "Duración de las tareas Huey", ["task"], buckets=JOB_BUCKETS)
import_rows = Counter("gestiq_import_rows", "Filas importadas por tipo de importación", ["kind"])
import_rows_per_second = Histogram("gestiq_import_rows_per_second", "Velocidad de cada importación (filas por segundo)", ["kind"],
                                   buckets=(10, 50, 100, 500, 1000, 5000, 10000, 50000))
pdf_render_duration = Histogram("gestiq_pdf_render_seconds", "Tiempo de generación de PDF por tipo de documento", ["document"],
                                buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
webhook_attempts = Counter("gestiq_webhook_attempts", "Intentos de entrega de webhooks por resultado", ["outcome"])


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    """Count one HTTP request and its latency (route = URL rule, never the raw path)."""
    http_request_duration.labels(route, method).observe(seconds)
    http_requests.labels(route, method, str(status)).inc()


def observe_job(*, task: str, seconds: float | None, succeeded: bool) -> None:
    """Count one finished job run (success or failure) and its duration."""
    job_runs.labels(task, "success" if succeeded else "failure").inc()
    if not succeeded:
        job_failures.labels(task).inc()
    if seconds is not None:
        job_duration.labels(task).observe(seconds)


def observe_import(*, kind: str, rows: int, seconds: float) -> None:
    """Record a finished import: its rows and its speed in rows per second."""
    import_rows.labels(kind).inc(rows)
    if seconds > 0:
        import_rows_per_second.labels(kind).observe(rows / seconds)


def observe_pdf_render(*, document: str, seconds: float) -> None:
    """Record how long one PDF took to render."""
    pdf_render_duration.labels(document).observe(seconds)


def record_webhook_attempt(outcome: str) -> None:
    """Count one webhook attempt by outcome (succeeded, retrying, failed)."""
    webhook_attempts.labels(outcome).inc()


class QueueCollector:
    """Read Huey's pending and scheduled counts at scrape time."""

    def collect(self):  # type: ignore[no-untyped-def]
        """Yield the queue depth gauges (absent when the storage does not answer)."""
        from gestiq_app.jobs import huey

        pending = GaugeMetricFamily("gestiq_job_queue_pending", "Tareas Huey en cola esperando a un trabajador")
        scheduled = GaugeMetricFamily("gestiq_job_queue_scheduled", "Tareas Huey programadas para más tarde (reintentos incluidos)")
        try:
            pending.add_metric([], huey.pending_count())
            scheduled.add_metric([], huey.scheduled_count())
        except (OSError, sqlite3.Error, RedisError):  # an unreachable queue must not break the whole scrape
            return
        yield pending
        yield scheduled


def exposition() -> tuple[bytes, str]:
    """Return the metrics page (every process's metrics in multiprocess mode) and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_DefaultRegistryView())
    registry.register(QueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _DefaultRegistryView:
    """Expose the process registry's metrics inside a per-scrape registry."""

    def collect(self):  # type: ignore[no-untyped-def]
        """Yield every metric of the process registry."""
        yield from REGISTRY.collect()
