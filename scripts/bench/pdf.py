#!/usr/bin/env python3
"""PDF throughput: invoices rendered through the Huey path vs bare xhtml2pdf renders of the same HTML, same run.

1. Creates a bench tenant and --count issued invoices of --lines lines (one page each), plus a few more for
   warming up and for the on-demand GETs.
2. Bare: the HTML of every invoice is rendered first (Jinja, outside the timing), then --workers processes run
   `pisa.CreatePDF` on it (fonts registered once per process, as the app does).
3. Huey: `huey_consumer gestiq_app.jobs.huey -k process -w WORKERS` is started and warmed up, then one
   `render_document_pdf_task` per invoice is enqueued; the clock stops when every PDF is in the tenant's storage.
   That path includes the queue, loading each invoice from the database, Babel formatting, the QR, Jinja,
   xhtml2pdf and the atomic write.
4. The median latency of `GET /api/v1/invoices/{id}/pdf` for issued invoices whose PDF is not stored yet (the
   on-demand path: render + store), through the app's test client as the tenant owner.

Prints both rates (PDFs/s), their ratio (goal ≥ 0.8) and the median latency; --json writes them too.

    scripts/_python scripts/bench/pdf.py                       # 100 invoices, 2 processes, SQLite + SQLite Huey
    scripts/_python scripts/bench/pdf.py --database-url postgresql+psycopg://app:pw@127.0.0.1/gestiq_bench \\
        --migration-database-url postgresql+psycopg://owner:pw@127.0.0.1/gestiq_bench --huey redis --redis-url redis://127.0.0.1:6379/1
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

# Run as a file, Python puts scripts/bench first on sys.path, where this api.py would shadow the project's `api`.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parents[1])] + [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

from scripts.bench.bench_common import ROOT, PASSWORD, add_database_arguments, create_bench_tenant, create_invoices, median, migrate, prepare_environment  # noqa: E402

WAIT_TIMEOUT_SECONDS = 600


def _bare_worker_init() -> None:
    from gestiq_app.pdf.rendering import register_fonts

    register_fonts()


def _bare_render(html: str) -> int:
    from gestiq_app.pdf.rendering import html_to_pdf

    return len(html_to_pdf(html))


def invoice_htmls(app, tenant_id, ids) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the HTML the pipeline renders for each invoice."""
    from gestiq_app.extensions import db
    from gestiq_app.pdf.branding import get_branding
    from gestiq_app.pdf.context import build_context, tenant_row
    from gestiq_app.pdf.rendering import render_html
    from gestiq_app.sales.services import get_document
    from gestiq_app.tenancy.context import tenant_context

    with app.app_context(), tenant_context(tenant_id):
        tenant, branding = tenant_row(tenant_id), get_branding(tenant_id=tenant_id)
        htmls = [render_html("invoice", build_context(get_document(tenant_id=tenant_id, document_id=document_id),
                                                      tenant=tenant, branding=branding)) for document_id in ids]
        db.session.remove()
    return htmls


def bare_rate(htmls: list[str], workers: int) -> tuple[float, float]:
    """Render every HTML with xhtml2pdf on `workers` processes; return (PDFs/s, seconds)."""
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_bare_worker_init) as pool:
        pool.map(_bare_render, htmls[:workers * 2], chunksize=1)  # warm: imports and first layout in every process
        started = time.perf_counter()
        sizes = pool.map(_bare_render, htmls, chunksize=1)
        elapsed = time.perf_counter() - started
    assert all(size > 1000 for size in sizes)
    return len(htmls) / elapsed, elapsed


def _stored(instance: Path, tenant_id, ids) -> int:  # type: ignore[no-untyped-def]
    folder = instance / "files" / str(tenant_id) / "pdf" / "invoice"
    return sum(1 for document_id in ids if (folder / f"{document_id}.pdf").is_file())


def _wait_stored(instance: Path, tenant_id, ids, consumer: subprocess.Popen) -> None:  # type: ignore[no-untyped-def,type-arg]
    deadline = time.monotonic() + WAIT_TIMEOUT_SECONDS
    while _stored(instance, tenant_id, ids) < len(ids):
        if consumer.poll() is not None:
            raise RuntimeError(f"huey_consumer exited with {consumer.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {_stored(instance, tenant_id, ids)} of {len(ids)} PDFs after {WAIT_TIMEOUT_SECONDS} s")
        time.sleep(0.01)


def huey_rate(env: dict[str, str], tenant_id, warm_ids, ids, workers: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Render through Huey tasks on `workers` consumer processes; return (PDFs/s, seconds)."""
    from gestiq_app.jobs import huey
    from gestiq_app.pdf.tasks import render_document_pdf_task

    instance = Path(env["GESTIQ_INSTANCE_PATH"])
    huey.flush()
    log = open(instance / "huey-bench.log", "ab")  # noqa: SIM115 - closed below
    consumer = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "gestiq_app.jobs.huey", "-k", "process",
                                 "-w", str(workers), "-d", "0.005", "-m", "0.05", "-b", "1.1"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for document_id in warm_ids:  # every worker process builds its app and registers fonts once
            render_document_pdf_task(str(tenant_id), str(document_id))
        _wait_stored(instance, tenant_id, warm_ids, consumer)
        started = time.perf_counter()
        for document_id in ids:
            render_document_pdf_task(str(tenant_id), str(document_id))
        _wait_stored(instance, tenant_id, ids, consumer)
        elapsed = time.perf_counter() - started
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=20)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait(timeout=5)
        log.close()
    return len(ids) / elapsed, elapsed


def on_demand_latencies(app, slug: str, ids) -> list[float]:  # type: ignore[no-untyped-def]
    """GET each invoice's PDF once (not stored yet: rendered and stored by the request); return the latencies (s)."""
    client = app.test_client()
    login = client.post("/api/v1/tenant/auth/login", json={"tenant": slug, "email": f"owner@{slug}.test", "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    client.get(f"/api/v1/invoices/{ids[0]}/pdf")  # warm the request path
    latencies = []
    for document_id in ids[1:]:
        started = time.perf_counter()
        response = client.get(f"/api/v1/invoices/{document_id}/pdf")
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.data.startswith(b"%PDF-"), response.status_code
    return latencies


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the rates, the ratio and the on-demand latency."""
    parser = argparse.ArgumentParser(prog="scripts/bench/pdf.py", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--count", type=int, default=100, help="invoices rendered by each path (default 100)")
    parser.add_argument("--lines", type=int, default=20, help="lines per invoice (default 20: one page)")
    parser.add_argument("--workers", type=int, default=2, help="processes of each path (default 2)")
    parser.add_argument("--on-demand", type=int, default=11, help="on-demand GETs measured (default 11)")
    parser.add_argument("--huey", choices=("sqlite", "redis"), default="sqlite", help="Huey storage (default sqlite)")
    parser.add_argument("--redis-url", default="", help="Redis URL for --huey redis")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.huey == "redis" and not args.redis_url:
        parser.error("--huey redis needs --redis-url")
    env = prepare_environment(args, GESTIQ_HUEY_BACKEND=args.huey, GESTIQ_REDIS_URL=args.redis_url)
    migrate(env)

    from gestiq_app import create_app

    app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0"})
    slug, tenant_id = create_bench_tenant(app)
    warm_count = args.workers * 2
    print(f"Preparando {args.count + warm_count + args.on_demand} facturas de {args.lines} líneas…", flush=True)
    all_ids = create_invoices(app, tenant_id, count=args.count + warm_count + args.on_demand, lines=args.lines)
    warm_ids, ids, demand_ids = all_ids[:warm_count], all_ids[warm_count:warm_count + args.count], all_ids[warm_count + args.count:]

    htmls = invoice_htmls(app, tenant_id, ids)
    bare, bare_seconds = bare_rate(htmls, args.workers)
    piped, piped_seconds = huey_rate(env, tenant_id, warm_ids, ids, args.workers)
    latencies = on_demand_latencies(app, slug, demand_ids) if len(demand_ids) >= 2 else []
    ratio = piped / bare
    result = {
        "count": args.count, "lines": args.lines, "workers": args.workers, "huey": args.huey,
        "database": "postgresql" if args.database_url.startswith("postgresql") else "sqlite",
        "bare_pdfs_per_second": round(bare, 2), "bare_seconds": round(bare_seconds, 3),
        "huey_pdfs_per_second": round(piped, 2), "huey_seconds": round(piped_seconds, 3),
        "ratio": round(ratio, 3), "on_demand_get_median_ms": round(median(latencies) * 1000, 1),
        "on_demand_gets": len(latencies),
    }
    print(f"xhtml2pdf directo ({args.workers} procesos): {bare:.2f} PDF/s ({args.count} en {bare_seconds:.2f} s)")
    print(f"Huey ({args.workers} procesos consumidores, {args.huey}): {piped:.2f} PDF/s ({args.count} en {piped_seconds:.2f} s)")
    print(f"Ratio Huey / directo: {ratio:.3f} (objetivo ≥ 0,8)")
    print(f"GET /api/v1/invoices/{{id}}/pdf bajo demanda, mediana de {len(latencies)}: {result['on_demand_get_median_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
