"""Make one traced request and one job with an in-memory span exporter; print the spans as JSON.

Run in a subprocess (python -m tests.ops.tracing_probe TENANT_SLUG): a second app in the test process
would re-initialise the Flask-AppBuilder singleton under the session app.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    """Print `SPANS <json>` with name, kind, trace id, span id, parent id and attributes of every span."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from gestiq_app import create_app
    from gestiq_app.ops.tasks import ping_task

    exporter = InMemorySpanExporter()
    app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0", "GESTIQ_EDGE_MIDDLEWARE": "0", "TRACING_SPAN_EXPORTER": exporter})
    response = app.test_client().post("/api/v1/tenant/auth/login", json={"tenant": sys.argv[1], "email": "nadie@x.test", "password": "mala-clave-1"},
                                      headers={"X-Request-ID": "probe-request-0001"})
    with app.app_context():
        ping_task("traza")
    spans = [{"name": span.name, "kind": span.kind.name, "trace_id": span.context.trace_id, "span_id": span.context.span_id,
              "parent_id": span.parent.span_id if span.parent else None, "attributes": dict(span.attributes or {})}
             for span in exporter.get_finished_spans()]
    print("STATUS", response.status_code)
    print("SPANS " + json.dumps(spans, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
