#!/usr/bin/env python3
"""Import benchmark on PostgreSQL: N product rows, CSV file → promoted, against a plain COPY of the same rows.

Prints rows/s for each stage, end-to-end rows/s, peak RSS of this process (and of the validation workers) and the
rate of a plain COPY of the same rows into a products-shaped table measured in the same run, with the ratios to it.
With --processes > 1 (the default: one per core) the stages are those of the CLI: ingest parses the rows, validates
them with the real ProductCreateSchema and tax catalog on the process pool and stages them with one COPY; validation
applies the duplicate policy; promotion runs one thread per process, each claiming chunks (INSERT … SELECT from the
staged items … ON CONFLICT, lineage, item status). With --processes 1: stage, then validate row by row, then promote.

    GESTIQ_DATABASE_URL=… GESTIQ_MIGRATION_DATABASE_URL=… scripts/_python scripts/bench/imports.py --rows 100000
    scripts/_python scripts/bench/imports.py --admin-url postgresql://postgres@127.0.0.1:5432/postgres --rows 100000

With --admin-url a throwaway database is created (roles, migrations) and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def write_csv(path: Path, rows: int) -> None:
    """Write a Spanish-style product export: `;`, decimal commas, an IVA % column."""
    rates = ("21", "10", "4")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Código;Nombre;P.V.P.;IVA %;Familia\r\n")
        for number in range(rows):
            out.write(f"B-{number:08d};Producto de prueba {number};{number % 1000},{number % 100:02d};{rates[number % 3]};Familia {number % 50}\r\n")


def plain_copy(app: Any, tenant_id: uuid.UUID, rows: int) -> float:
    """COPY the same rows into a products-shaped table (no parsing, no validation) and return the seconds it took.

    PostgreSQL refuses COPY FROM into a table with row-level security (products has it, FORCEd), so the
    baseline is a temporary copy of products with the same columns, keys and indexes (LIKE … INCLUDING ALL).
    """
    from gestiq_app.db import session, unit_of_work, utcnow
    from gestiq_app.tenancy.context import tenant_context

    columns = ("tenant_id", "id", "sku", "name", "kind", "unit", "unit_price", "tax_category", "category", "is_active", "version",
               "created_at", "updated_at")
    now = utcnow()
    with app.app_context(), tenant_context(tenant_id):
        started = time.perf_counter()
        with unit_of_work():
            driver = session().connection().connection.driver_connection
            with driver.cursor() as cursor:
                cursor.execute("CREATE TEMP TABLE bench_products (LIKE products INCLUDING ALL) ON COMMIT DROP")
            started = time.perf_counter()
            with driver.cursor() as cursor, cursor.copy(f"COPY bench_products ({', '.join(columns)}) FROM STDIN") as copy:
                for number in range(rows):
                    copy.write_row((tenant_id, uuid.uuid4(), f"C-{number:08d}", f"Producto de prueba {number}", "product", "unidad",
                                    Decimal(f"{number % 1000}.{number % 100:02d}"), "general", f"Familia {number % 50}", True, 1, now, now))
            elapsed = time.perf_counter() - started
        return elapsed


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB (Linux reports KB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def run(app: Any, *, rows: int, processes: int, chunk: int, workdir: Path, out: Any = sys.stdout) -> dict[str, float]:
    """Run the benchmark in `app` (PostgreSQL) and print the report; return the measured rates."""
    from gestiq_app.imports.inline import import_file
    from gestiq_app.imports.pool import ValidationPool
    from gestiq_app.tenancy.services import create_tenant
    from tests.factories import random_nif

    if not app.config["GESTIQ_DATABASE_URL"].startswith("postgresql"):
        raise SystemExit("Error: el benchmark necesita PostgreSQL (GESTIQ_DATABASE_URL o --admin-url)")
    app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = str(chunk)
    source = workdir / "productos.csv"
    write_csv(source, rows)
    # A million rows is a 57 MB file: the bench raises the upload limit (default 50 MB) to the file's size.
    limit_mb = float(app.config.get("GESTIQ_IMPORTS_MAX_UPLOAD_MB") or 50)
    app.config["GESTIQ_IMPORTS_MAX_UPLOAD_MB"] = str(max(limit_mb, source.stat().st_size / 1024 / 1024 + 1))
    with app.app_context():
        tenants = [create_tenant(data={"slug": f"bench-{uuid.uuid4().hex[:10]}", "legal_name": "Bench", "country": "ES",
                                       "tax_id": random_nif(), "owner_email": f"o-{uuid.uuid4().hex[:6]}@bench.test",
                                       "owner_password": "bench-password-1"}, actor="bench").id for _ in range(2)]
    copy_seconds = plain_copy(app, tenants[1], rows)
    started = time.perf_counter()
    with app.app_context():
        if processes > 1:
            with ValidationPool(processes) as pool:
                summary = import_file(tenant_id=tenants[0], path=source, kind="products", promote=True, actor="bench", pool=pool)
        else:
            summary = import_file(tenant_id=tenants[0], path=source, kind="products", promote=True, actor="bench")
    total = time.perf_counter() - started
    if summary.counts["promoted"] != rows:
        raise SystemExit(f"Error: se esperaban {rows} filas importadas y hay {summary.counts}")
    copy_rate = rows / copy_seconds
    rates = {"copy": copy_rate, **{stage: rows / seconds for stage, seconds in summary.timings.items()}, "end_to_end": rows / total}
    self_mb, child_mb = peak_rss_mb()
    print(f"filas: {rows}  bloque: {chunk}  procesos de validación: {processes}  archivo: {source.stat().st_size / 1e6:.1f} MB", file=out)
    print(f"{'COPY directo a products:':32}{copy_rate:10.0f} filas/s  (1.00)", file=out)
    # With a pool the schema runs while the rows are staged, and the validation stage applies the duplicate policy.
    labels = ((("ingest", "lectura + esquema + staging"), ("validate", "validación (duplicados)")) if processes > 1 else
              (("ingest", "lectura + staging"), ("validate", "validación (esquema real)")))
    for stage, label in (*labels, ("promote", f"promoción ({max(processes, 1)} hilo(s))")):
        print(f"{label + ':':32}{rates[stage]:10.0f} filas/s  ({rates[stage] / copy_rate:.2f})", file=out)
    print(f"{'de extremo a extremo:':32}{rates['end_to_end']:10.0f} filas/s  ({rates['end_to_end'] / copy_rate:.2f})  en {total:.1f} s",
          file=out)
    print(f"RSS máximo: proceso {self_mb:.0f} MB, trabajadores de validación {child_mb:.0f} MB", file=out)
    rates.update({"peak_rss_mb": self_mb, "child_rss_mb": child_mb})
    return rates


def _throwaway_app(admin_url: str, instance: str):  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from gestiq_app import create_app
    from gestiq_app.ops.pg_bootstrap import bootstrap
    from gestiq_app.taxes.seed import ensure_tax_rates
    from gestiq_app.tenancy.seed import ensure_platform_defaults

    database = f"gestiq_bench_{uuid.uuid4().hex[:8]}"
    result = bootstrap(admin_url=admin_url, database=database)
    overrides = {"GESTIQ_DATABASE_URL": result.runtime_url, "GESTIQ_MIGRATION_DATABASE_URL": result.owner_url,
                 "GESTIQ_HUEY_BACKEND": "immediate", "GESTIQ_INSTANCE_PATH": instance, "GESTIQ_FAB_UPDATE_PERMS": "0",
                 "GESTIQ_LOG_LEVEL": "WARNING"}
    migrating = create_app(overrides)
    with migrating.app_context():
        upgrade(directory=migrating.extensions["migrate"].directory)
    app = create_app(overrides)
    with app.app_context():
        ensure_platform_defaults()
        ensure_tax_rates()
    return app, database


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(prog="scripts/bench/imports.py", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="procesos de validación (1 = en este proceso)")
    parser.add_argument("--chunk", type=int, default=1000, help="filas por transacción")
    parser.add_argument("--admin-url", default=None, help="URL de superusuario: crea una base de datos desechable")
    args = parser.parse_args(argv)
    os.environ.setdefault("GESTIQ_HUEY_BACKEND", "immediate")
    os.environ.setdefault("GESTIQ_LOG_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="gestiq-bench-imports-") as workdir:
        database = None
        if args.admin_url:
            app, database = _throwaway_app(args.admin_url, workdir)
        else:
            from gestiq_app import create_app

            app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0", "GESTIQ_INSTANCE_PATH": workdir})
        try:
            run(app, rows=args.rows, processes=args.processes, chunk=args.chunk, workdir=Path(workdir))
        finally:
            if database:
                from gestiq_app.extensions import db
                from gestiq_app.ops.pg_bootstrap import drop_database

                with app.app_context():
                    db.engine.dispose()
                drop_database(admin_url=args.admin_url, database=database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
