"""A short run of scripts/bench/load.py (gunicorn, 2 workers, the test database) with zero errors; gunicorn's limits."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.conftest import _TMP, TEST_REDIS_URL
from tests.security import hostile

ROOT = Path(__file__).resolve().parents[2]
LOAD_SCRIPT = ROOT / "scripts" / "bench" / "load.py"
BENCH_SECONDS = 8


def _bench_env(database_urls: dict[str, str]) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("GESTIQ_")},
        "GESTIQ_ENV": "test",
        "GESTIQ_DATABASE_URL": database_urls["runtime"],
        "GESTIQ_MIGRATION_DATABASE_URL": database_urls["owner"],
        "GESTIQ_REDIS_URL": TEST_REDIS_URL,
        "GESTIQ_HUEY_BACKEND": "immediate",
        "GESTIQ_INSTANCE_PATH": _TMP,
        "GESTIQ_SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
        "GESTIQ_LOG_LEVEL": "WARNING",
    }


def _load_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gestiq_bench_load", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_a_short_mixed_load_on_gunicorn_has_no_errors(app, database_urls, tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "load.json"
    completed = subprocess.run(
        [sys.executable, str(LOAD_SCRIPT), "--seconds", str(BENCH_SECONDS), "--threads", "4", "--tenants", "1", "--json", str(report)],
        env=_bench_env(database_urls), cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads(report.read_text())
    assert result["errors"] == 0 and result["requests"] > 20
    operations = set(result["operations"])
    assert {"POST /api/v1/tenant/auth/login", "GET /api/v1/tenant/auth/me"} <= operations
    assert "POST /api/v1/tenant/users/invitations" in result["mix"]  # the generic mix is long: a short run may not reach it
    assert result["business_tenants"] == 1
    # The business steps of the mix: invoice create + issue, PDF download, a small CSV import.
    assert {"POST /api/v1/invoices", "POST /api/v1/invoices/{id}/issue", "GET /api/v1/invoices/{id}/pdf", "POST /api/v1/imports/batches",
            "POST /api/v1/imports/batches/{id}/upload", "POST /api/v1/imports/batches/{id}/validate"} <= operations
    assert result["operations"]["POST /api/v1/invoices/{id}/issue"]["count"] >= 1
    assert result["queue"] == {"consumer": False}  # immediate Huey here: tasks run inside the request
    assert all(row["p95_ms"] >= row["p50_ms"] > 0 for row in result["operations"].values())
    assert len(result["worker_rss_mib"]["start"]) == 2 and len(result["worker_rss_mib"]["end"]) == 2
    assert result["server_headers"] == ["gunicorn"]  # no version banner
    assert "requests in" in completed.stdout and "p95 ms" in completed.stdout


def test_gunicorn_refuses_a_16_kb_cookie_and_replaces_a_huge_request_id(app, database_urls) -> None:  # type: ignore[no-untyped-def]
    load = _load_module()
    with load.gunicorn_server(_bench_env(database_urls), workers=1) as (base_url, _pid):
        cookie = requests.get(f"{base_url}/api/v1/tenant/auth/me", headers={"Cookie": hostile.oversized_cookie()}, timeout=30)
        request_id = requests.get(f"{base_url}/api/v1/tenant/auth/me", headers={"X-Request-ID": "r" * 4000}, timeout=30)
    assert cookie.status_code == 431  # gunicorn: Request Header Fields Too Large (limit_request_field_size 8190)
    assert request_id.status_code == 401 and request_id.headers["X-Request-ID"] != "r" * 4000
    assert request_id.headers["Content-Type"] == "application/problem+json"
