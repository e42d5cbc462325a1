"""/metrics after some traffic and jobs, its access rule, job failure records, and OpenTelemetry spans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.ops.job_signals import summarize_arguments
from gestiq_app.ops.models import JobFailure
from gestiq_app.ops.tasks import ping_task
from tests.factories import make_tenant

ROOT = Path(__file__).resolve().parents[2]
PING = "gestiq_app.ops.tasks.ping_task"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_metrics_show_requests_by_route_and_jobs_after_traffic(app, client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        assert client.get("/health").status_code == 200
    assert client.get("/api/v1/webhooks/subscriptions").status_code == 401
    assert client.get(f"/no/such/page/{uuid.uuid4().hex}").status_code == 404
    with app.app_context():
        assert ping_task("hola") is not None
        ping_task(f"fallo-{uuid.uuid4().hex}", should_fail=True)
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    samples = _samples(response.get_data(as_text=True))
    assert samples[("gestiq_http_requests_total", (("method", "GET"), ("route", "/health"), ("status", "200")))] >= 3
    assert samples[("gestiq_http_request_duration_seconds_count", (("method", "GET"), ("route", "/health")))] >= 3
    assert samples[("gestiq_http_requests_total", (("method", "GET"), ("route", "/api/v1/webhooks/subscriptions"), ("status", "401")))] >= 1
    assert samples[("gestiq_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] >= 1
    assert not any("/no/such/page" in str(labels) for _, labels in samples)
    assert samples[("gestiq_job_runs_total", (("outcome", "success"), ("task", PING)))] >= 1
    assert samples[("gestiq_job_runs_total", (("outcome", "failure"), ("task", PING)))] >= 1
    assert samples[("gestiq_job_failures_total", (("task", PING),))] >= 1
    assert samples[("gestiq_job_duration_seconds_count", (("task", PING),))] >= 2
    assert ("gestiq_job_queue_pending", ()) in samples and ("gestiq_job_queue_scheduled", ()) in samples


def test_a_real_import_and_a_real_pdf_show_up_in_metrics(app, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The import and PDF series come from the domains themselves (a CLI import, a rendered invoice)."""
    from gestiq_app.pdf import services as pdf_services
    from gestiq_app.tenancy.context import tenant_context
    from tests.sales.helpers import add_customer, issued_invoice, line

    def counts() -> tuple[float, float]:
        samples = _samples(client.get("/metrics").get_data(as_text=True))
        return (samples.get(("gestiq_import_rows_total", (("kind", "products"),)), 0.0),
                samples.get(("gestiq_pdf_render_seconds_count", (("document", "invoice"),)), 0.0))

    rows_before, renders_before = counts()
    with app.app_context():
        tenant = make_tenant(country="ES")
        invoice = issued_invoice(tenant, add_customer(tenant), [line("1", "10")])
        with tenant_context(tenant.id):
            printed = pdf_services.get_document_pdf(tenant_id=tenant.id, document_id=invoice.id)
        assert printed.content.startswith(b"%PDF-")
    source = tmp_path / "articulos.csv"
    source.write_text("sku,name,unit_price\nM-1,Martillo,12.90\nM-2,Clavos,0.05\nM-3,Tenazas,8\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["gestiq", "imports", "run", str(source), "--tenant", tenant.slug, "--kind", "products", "--promote"])
    assert result.exit_code == 0, result.output
    rows_after, renders_after = counts()
    assert (rows_after - rows_before, renders_after - renders_before) == (3, 1)
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert samples[("gestiq_import_rows_per_second_count", (("kind", "products"),))] >= 1


def test_metrics_are_hidden_from_other_networks_unless_the_token_is_sent(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    monkeypatch.setitem(app.config, "GESTIQ_METRICS_TOKEN", "token-de-metricas-0123456789")
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer otro"}).status_code == 404
    allowed = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer token-de-metricas-0123456789"})
    assert allowed.status_code == 200
    monkeypatch.setitem(app.config, "GESTIQ_METRICS_ALLOWED_NETWORKS", "10.0.0.0/8")
    monkeypatch.setitem(app.config, "GESTIQ_METRICS_TOKEN", "")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200


def test_a_failed_job_is_recorded_without_secrets(app) -> None:  # type: ignore[no-untyped-def]
    message = f"registro-{uuid.uuid4().hex}"
    with app.app_context():
        ping_task(message, should_fail=True)
        failure = db.session.scalar(select(JobFailure).where(JobFailure.args_summary.contains(message)))
        assert (failure.task_name, failure.will_retry, failure.retried_at) == (PING, False, None)
        assert failure.error == f"PingFailure: fallo solicitado: {message}"
        assert failure.task_args == {"args": [message], "kwargs": {"should_fail": True}}
        assert failure.is_retryable
        db.session.remove()
    summary, real = summarize_arguments(("t-1", "whsec_abc"), {"password": "secreta", "invoice_id": "f-1"})
    assert "secreta" not in summary and "whsec_abc" not in summary and "f-1" in summary
    assert real is None


def test_requests_sql_and_jobs_are_traced(app, database_urls, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        slug = make_tenant(country="ES").slug
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GESTIQ_", "OTEL_"))}
    env.update({"GESTIQ_ENV": "test", "GESTIQ_INSTANCE_PATH": str(tmp_path), "GESTIQ_HUEY_BACKEND": "immediate",
                "GESTIQ_DATABASE_URL": database_urls["runtime"], "GESTIQ_MIGRATION_DATABASE_URL": database_urls["owner"],
                "GESTIQ_SECRET_KEY": app.config["SECRET_KEY"]})
    result = subprocess.run([sys.executable, "-m", "tests.ops.tracing_probe", slug], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "STATUS 401" in result.stdout
    spans = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("SPANS "))[len("SPANS "):])
    (request_span,) = [span for span in spans if span["kind"] == "SERVER"]
    assert request_span["name"] == "POST /api/v1/tenant/auth/login"
    assert request_span["attributes"]["gestiq.request_id"] == "probe-request-0001"
    sql = [span for span in spans if span["kind"] == "CLIENT" and span["trace_id"] == request_span["trace_id"]]
    assert sql and any("tenants" in span["attributes"]["db.statement"] for span in sql)
    by_id = {span["span_id"]: span for span in spans}

    def root_of(span):  # type: ignore[no-untyped-def]
        while span["parent_id"] in by_id:
            span = by_id[span["parent_id"]]
        return span

    assert all(root_of(span) is request_span for span in sql)
    (job,) = [span for span in spans if span["kind"] == "CONSUMER"]
    assert job["name"] == f"job {PING}" and job["attributes"]["gestiq.task"] == PING
