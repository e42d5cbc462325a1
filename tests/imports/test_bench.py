"""Smoke test of scripts/bench/imports.py at a tiny size (PostgreSQL): every stage runs and the report is complete."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "imports.py"


def _bench_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_imports", BENCH)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_csv_is_a_spanish_export(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "p.csv"
    _bench_module().write_csv(path, 3)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "Código;Nombre;P.V.P.;IVA %;Familia", "B-00000000;Producto de prueba 0;0,00;21;Familia 0",
        "B-00000001;Producto de prueba 1;1,01;10;Familia 1", "B-00000002;Producto de prueba 2;2,02;4;Familia 2"]


@pytest.mark.postgres
def test_benchmark_runs_every_stage_on_a_tiny_file(app, tmp_path):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    try:
        rates = _bench_module().run(app, rows=60, processes=2, chunk=25, workdir=tmp_path, out=out)
    finally:
        app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "1000"
    assert set(rates) == {"copy", "ingest", "validate", "promote", "end_to_end", "peak_rss_mb", "child_rss_mb"}
    assert all(rates[name] > 0 for name in ("copy", "ingest", "validate", "promote", "end_to_end", "peak_rss_mb"))
    lines = out.getvalue().splitlines()
    assert lines[0] == "filas: 60  bloque: 25  procesos de validación: 2  archivo: 0.0 MB"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "COPY directo a products", "lectura + esquema + staging", "validación (duplicados)", "promoción (2 hilo(s))",
        "de extremo a extremo", "RSS máximo"]
