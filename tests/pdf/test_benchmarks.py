"""Smoke runs of scripts/bench/pdf.py and scripts/bench/api.py with tiny sizes, so the benchmarks never rot.

On PostgreSQL they run against the session's test database (--database-url), else on their own SQLite file.
They assert the shape of the report, never a speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import IS_POSTGRES

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str, database_urls: dict[str, str], tmp_path: Path) -> dict:  # type: ignore[type-arg]
    report = tmp_path / "report.json"
    database = ["--database-url", database_urls["runtime"], "--migration-database-url", database_urls["owner"]] if IS_POSTGRES else []
    env = {key: value for key, value in os.environ.items() if not key.startswith("GESTIQ_")}
    completed = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench" / script), *args, *database,
                                "--instance-path", str(tmp_path / "instance"), "--json", str(report)],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return {"stdout": completed.stdout, **json.loads(report.read_text())}


def test_pdf_benchmark_runs_with_three_invoices(database_urls, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run("pdf.py", "--count", "3", "--on-demand", "2", "--lines", "5", database_urls=database_urls, tmp_path=tmp_path)
    assert (result["count"], result["workers"], result["on_demand_gets"]) == (3, 2, 1)
    assert result["database"] == ("postgresql" if IS_POSTGRES else "sqlite")
    assert result["bare_pdfs_per_second"] > 0 and result["huey_pdfs_per_second"] > 0 and result["on_demand_get_median_ms"] > 0
    # the ratio is printed from unrounded rates: equal to the rounded ones' within rounding
    assert abs(result["ratio"] - result["huey_pdfs_per_second"] / result["bare_pdfs_per_second"]) < 0.01
    assert "Ratio Huey / directo:" in result["stdout"] and "bajo demanda, mediana de 1:" in result["stdout"]
    stored = list((tmp_path / "instance" / "files").rglob("*.pdf"))
    assert len(stored) == 3 + 4 + 2  # measured, warm-up (2 per worker), the on-demand warm-up GET and the measured one


def test_api_benchmark_runs_for_a_second(database_urls, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run("api.py", "--seconds", "1", "--threads", "1", "--workers", "1", "--invoices", "3",
                  database_urls=database_urls, tmp_path=tmp_path)
    assert result["list"]["errors"] == 0 and result["hello"]["errors"] == 0
    assert result["list"]["requests"] > 0 and result["hello"]["requests"] > 0
    assert result["list"]["p99_ms"] >= result["list"]["p50_ms"] > 0
    assert "Ratio lista / hello:" in result["stdout"]


def test_api_benchmark_runs_under_gthread_workers_like_deploy(database_urls, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run("api.py", "--seconds", "1", "--threads", "2", "--workers", "1", "--invoices", "3",
                  "--worker-class", "gthread", "--worker-threads", "2", database_urls=database_urls, tmp_path=tmp_path)
    assert (result["worker_class"], result["worker_threads"], result["workers"]) == ("gthread", 2, 1)
    assert result["list"]["errors"] == 0 and result["hello"]["errors"] == 0
    assert result["list"]["requests"] > 0 and result["hello"]["requests"] > 0


def test_benchmarks_have_help() -> None:
    for script in ("pdf.py", "api.py"):
        completed = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench" / script), "--help"], cwd=ROOT,
                                   capture_output=True, text=True, timeout=60)
        assert completed.returncode == 0 and "--database-url" in completed.stdout, completed.stderr
