"""OpenTelemetry traces of requests, SQL statements and jobs, on when OTEL_EXPORTER_OTLP_ENDPOINT is set.

The OTLP/HTTP exporter reads the usual OTEL_* variables (endpoint, headers, OTEL_SERVICE_NAME). SQL
spans come from SQLAlchemy's cursor events here rather than opentelemetry-instrumentation-sqlalchemy,
whose releases declare SQLAlchemy < 2.1. Tests pass an in-memory exporter as TRACING_SPAN_EXPORTER.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from flask import Flask, g
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine

MAX_STATEMENT = 2000
_job_tracer: trace.Tracer | None = None
_job_spans: dict[str, tuple[trace.Span, object]] = {}
_instrumented_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def init_tracing(app: Flask) -> bool:
    """Trace the app's requests, SQL and jobs when an OTLP endpoint (or a test exporter) is configured."""
    global _job_tracer
    exporter = app.config.get("TRACING_SPAN_EXPORTER")
    if exporter is None and not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "gestiqcloud")}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    FlaskInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/metrics,/health,/ready,/admin/static,/app/assets")

    @app.before_request
    def _tag_request_span() -> None:
        trace.get_current_span().set_attribute("gestiq.request_id", getattr(g, "request_id", "") or "")

    from gestiq_app.extensions import db

    with app.app_context():
        instrument_engine(db.engine, provider.get_tracer("gestiq.sql"))
    _job_tracer = provider.get_tracer("gestiq.jobs")
    app.extensions["gestiq_tracer_provider"] = provider
    return True


def _operation(statement: str) -> str:
    words = statement.lstrip().split(None, 1)
    return words[0].upper() if words else "SQL"


def instrument_engine(engine: Engine, tracer: trace.Tracer) -> None:
    """Open a client span around every SQL statement the engine runs."""
    if engine in _instrumented_engines:
        return
    _instrumented_engines.add(engine)
    system = engine.dialect.name

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        span = tracer.start_span(f"{_operation(statement)} {system}", kind=SpanKind.CLIENT,
                                 attributes={"db.system": system, "db.statement": statement[:MAX_STATEMENT]})
        if context is not None:
            context._gestiq_span = span
        else:
            span.end()

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        span = getattr(context, "_gestiq_span", None)
        if span is not None:
            span.end()

    @event.listens_for(engine, "handle_error")
    def _fail(exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, "_gestiq_span", None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(exception_context.original_exception).__name__))
            span.end()


def start_job_span(task_id: str, name: str) -> None:
    """Open the span of a job run (no-op when tracing is off)."""
    if _job_tracer is None:
        return
    span = _job_tracer.start_span(f"job {name}", kind=SpanKind.CONSUMER, attributes={"gestiq.task": name, "gestiq.task_id": task_id})
    _job_spans[task_id] = (span, otel_context.attach(trace.set_span_in_context(span)))


def end_job_span(task_id: str, *, error: BaseException | None) -> None:
    """Close the span of a job run, marking it failed when the job raised."""
    entry = _job_spans.pop(task_id, None)
    if entry is None:
        return
    span, token = entry
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()
    otel_context.detach(token)  # type: ignore[arg-type]
