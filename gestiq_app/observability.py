"""Request IDs and JSON logs keyed by request, tenant and user."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from gestiq_app.tenancy.context import current_tenant_id

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
access_log = logging.getLogger("gestiq.access")


def valid_request_id(value: str | None) -> str:
    """Return the client's request id when it is well-formed, otherwise a fresh UUID."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return str(uuid.uuid4())


class ContextFilter(logging.Filter):
    """Add request_id, tenant_id and user_id to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the request context to the record."""
        if has_request_context():
            record.request_id = getattr(record, "request_id", None) or getattr(g, "request_id", None)
            record.user_id = getattr(record, "user_id", None) or getattr(g, "user_id", None)
        else:
            record.request_id = getattr(record, "request_id", None)
            record.user_id = getattr(record, "user_id", None)
        tenant = current_tenant_id()
        record.tenant_id = getattr(record, "tenant_id", None) or (str(tenant) if tenant else None)
        return True


def configure_logging(level: str) -> None:
    """Send every log line to stderr as one JSON object."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_gestiq", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._gestiq = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level", "asctime": "time"})
    )
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)
    # FAB cannot build filters or form fields for UUID columns; it says so for every view at start.
    logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.CRITICAL)
    logging.getLogger("flask_appbuilder.forms").setLevel(logging.CRITICAL)


def init_request_ids(app: Flask) -> None:
    """Give every request an id (kept from a valid X-Request-ID), echo it and log the request."""

    @app.before_request
    def _assign_request_id() -> None:
        g.request_id = valid_request_id(request.headers.get("X-Request-ID"))
        g.request_started = time.perf_counter()

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        request_id = getattr(g, "request_id", None) or valid_request_id(None)
        response.headers["X-Request-ID"] = request_id
        pagination = getattr(g, "pagination_header", None)
        if pagination and "X-Pagination" not in response.headers:
            response.headers["X-Pagination"] = pagination
        started = getattr(g, "request_started", None)
        duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        if not request.path.startswith(("/admin/static", "/app/assets")):
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        return response
