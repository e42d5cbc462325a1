#!/usr/bin/env python3
"""Hot list throughput: `GET /api/v1/invoices?page_size=50` vs a bare Flask hello, both under gunicorn, same run.

Creates a bench tenant with --invoices issued invoices (default 60, so the page is full), starts
`gunicorn wsgi:app` and then `gunicorn scripts.bench.hello_app:app` with the same server settings (--workers, default 2;
--worker-class sync, or gthread with --worker-threads and keep-alive as deploy/gunicorn.conf.py),
and drives each for --seconds with --threads client threads (keep-alive sessions; the list clients are logged in
as the tenant owner). Prints req/s, p50 and p99 latency of both and the ratio list/hello (goal ≥ 0.35).

    scripts/_python scripts/bench/api.py                      # embedded SQLite
    scripts/_python scripts/bench/api.py --database-url postgresql+psycopg://app:pw@127.0.0.1/gestiq_bench \\
        --migration-database-url postgresql+psycopg://owner:pw@127.0.0.1/gestiq_bench
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

# Run as a file, Python puts scripts/bench first on sys.path, where this api.py would shadow the project's `api`.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parents[1])] + [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

from scripts.bench.bench_common import (  # noqa: E402
    PASSWORD,
    add_database_arguments,
    create_bench_tenant,
    create_invoices,
    gunicorn,
    median,
    migrate,
    percentile,
    prepare_environment,
)

LIST_PATH = "/api/v1/invoices?page_size=50"
TIMEOUT_SECONDS = 30


def drive(base_url: str, path: str, *, threads: int, seconds: float, login: dict[str, str] | None, expected_items: int | None) -> dict[str, float]:
    """Send GET `path` from `threads` keep-alive clients for `seconds`; return req/s, p50 and p99 (ms) and errors."""
    import requests

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(threads + 1)
    deadline = [0.0]

    def client() -> None:
        session = requests.Session()
        if login is not None:
            response = session.post(base_url + "/api/v1/tenant/auth/login", json=login, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
        for _ in range(3):  # warm the connection and the worker
            session.get(base_url + path, timeout=TIMEOUT_SECONDS)
        own: list[float] = []
        own_errors = 0
        start_gate.wait()
        while time.perf_counter() < deadline[0]:
            started = time.perf_counter()
            response = session.get(base_url + path, timeout=TIMEOUT_SECONDS)
            own.append(time.perf_counter() - started)
            if response.status_code != 200 or (expected_items is not None and len(response.json()["items"]) != expected_items):
                own_errors += 1
        with lock:
            latencies.extend(own)
            errors[0] += own_errors

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    deadline[0] = time.perf_counter() + 3600
    start_gate.wait()
    began = time.perf_counter()
    deadline[0] = began + seconds
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    return {"requests": len(latencies), "seconds": round(elapsed, 2), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(median(latencies) * 1000, 1), "p99_ms": round(percentile(latencies, 0.99) * 1000, 1), "errors": errors[0]}


def main(argv: list[str] | None = None) -> int:
    """Run both loads and print the comparison; exit 1 on any error."""
    parser = argparse.ArgumentParser(prog="scripts/bench/api.py", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per target (default 20)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class of both servers (default sync; deploy/gunicorn.conf.py uses gthread)")
    parser.add_argument("--worker-threads", type=int, default=1,
                        help="threads per gthread worker (default 1; deploy/gunicorn.conf.py uses 4)")
    parser.add_argument("--invoices", type=int, default=60, help="issued invoices of the bench tenant (default 60)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    env = prepare_environment(args, GESTIQ_HUEY_BACKEND="immediate")
    migrate(env)

    from gestiq_app import create_app

    app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0"})
    slug, tenant_id = create_bench_tenant(app)
    print(f"Preparando {args.invoices} facturas…", flush=True)
    create_invoices(app, tenant_id, count=args.invoices, lines=3)
    login = {"tenant": slug, "email": f"owner@{slug}.test", "password": PASSWORD}
    expected = min(50, args.invoices)
    server = {"workers": args.workers, "worker_class": args.worker_class, "threads": args.worker_threads}
    with gunicorn("wsgi:app", env, ready_path="/health", **server) as base_url:
        listing = drive(base_url, LIST_PATH, threads=args.threads, seconds=args.seconds, login=login, expected_items=expected)
    with gunicorn("scripts.bench.hello_app:app", env, ready_path="/hello", **server) as base_url:
        hello = drive(base_url, "/hello", threads=args.threads, seconds=args.seconds, login=None, expected_items=None)
    ratio = listing["rps"] / hello["rps"] if hello["rps"] else 0.0
    result = {"workers": args.workers, "worker_class": args.worker_class, "worker_threads": args.worker_threads, "threads": args.threads, "invoices": args.invoices,
              "database": "postgresql" if args.database_url.startswith("postgresql") else "sqlite",
              "list": listing, "hello": hello, "ratio": round(ratio, 3)}
    for name, row in (("GET " + LIST_PATH, listing), ("GET /hello (Flask)", hello)):
        print(f"{name}: {row['rps']} req/s ({row['requests']} en {row['seconds']} s), p50 {row['p50_ms']} ms, "
              f"p99 {row['p99_ms']} ms, errores {row['errors']}")
    print(f"Ratio lista / hello: {ratio:.3f} (objetivo ≥ 0,35)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 1 if listing["errors"] or hello["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
