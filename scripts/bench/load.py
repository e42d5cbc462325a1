#!/usr/bin/env python3
"""Bounded mixed tenant workload against gunicorn on 127.0.0.1; prints req/s, latency percentiles, errors, worker RSS.

It starts gunicorn itself (free loopback port, --workers, default 2) with the environment it is given
(GESTIQ_DATABASE_URL, GESTIQ_REDIS_URL, …; nothing set = the embedded SQLite default), provisions
--tenants bench tenants, and runs --threads clients for --seconds (default 60; --soak: 600). The mix is
discovered from /openapi.json: logins, /auth/me, every tenant GET without path parameters, and every
creating POST (201 with an id) whose input schema allows a simple generated body. Every BUSINESS_EVERY-th call of a
client of a Spanish tenant is instead a business step, in turn: create and issue an invoice, download the PDF of an
issued one, import a small CSV of products (create batch, upload, validate). With GESTIQ_HUEY_BACKEND=redis it also
runs a Huey consumer (--consumer-workers threads) and reports the queue length at the end and how long the queue
took to drain (worker lag). Exit 1 on any error.

    scripts/_python scripts/bench/load.py --seconds 60            # load
    scripts/_python scripts/bench/load.py --soak                  # 10 minutes, watch the RSS growth
    scripts/_python scripts/bench/load.py --read-only             # reads only: capacity without password hashing
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password-1"
#: The bench logs in far more often than a person; the real limits would turn most logins into 429s.
BENCH_ENV_DEFAULTS = {
    "GESTIQ_FAB_UPDATE_PERMS": "0",
    "GESTIQ_RATELIMIT_LOGIN_IP": "1000000/minute",
    "GESTIQ_RATELIMIT_LOGIN_ACCOUNT": "1000000/minute",
    "GESTIQ_RATELIMIT_TELEMETRY": "1000000/minute",
}
LOGIN_EVERY = 25
BUSINESS_EVERY = 4
BUSINESS_STEPS = ("invoice", "pdf", "import")
DRAIN_TIMEOUT_SECONDS = 120
MAX_ERROR_SAMPLES = 10
TIMEOUT_SECONDS = 30


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn_server(env: dict[str, str], *, workers: int = 2, log_path: Path | None = None) -> Iterator[tuple[str, int]]:
    """Run `gunicorn wsgi:app` on a free loopback port until the block ends; yield (base URL, master pid)."""
    port = free_port()
    log_file = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--chdir", str(ROOT), "--graceful-timeout", "5", "wsgi:app"]
    process = subprocess.Popen(command, env={**env, **{k: v for k, v in BENCH_ENV_DEFAULTS.items() if k not in env}},
                               stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process)
        yield base_url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log_file.close()


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before serving")
        try:
            if requests.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /health in time")


def worker_rss(master_pid: int) -> dict[int, int]:
    """Return the resident memory (bytes) of each gunicorn worker."""
    import psutil

    return {child.pid: child.memory_info().rss for child in psutil.Process(master_pid).children()}


def provision_tenants(count: int) -> list[str]:
    """Create `count` bench tenants (owner owner@<slug>.test) in the configured database; return their slugs."""
    sys.path.insert(0, str(ROOT))
    from gestiq_app import create_app
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.services import create_tenant

    app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0"})
    slugs = []
    with app.app_context():
        for index in range(count):
            slug = f"bench-{uuid.uuid4().hex[:10]}"
            country = "ES" if index % 2 == 0 else "EC"
            create_tenant(data={"slug": slug, "legal_name": f"Bench {slug}", "country": country,
                                "tax_id": _tax_id(country), "owner_email": f"owner@{slug}.test",
                                "owner_password": PASSWORD, "sector": "general"}, actor="bench")
            slugs.append(slug)
        db.session.remove()
        db.engine.dispose()
    return slugs


def prepare_business(base_url: str, slugs: list[str]) -> dict[str, str]:
    """Create one customer in each Spanish bench tenant (through the API); return {slug: customer id}."""
    customers = {}
    for index, slug in enumerate(slugs):
        if index % 2:  # Ecuador: issuing needs an SRI establishment and certificate the bench does not set up
            continue
        session = _login(base_url, slug, Stats())
        response = session.post(f"{base_url}/api/v1/customers", timeout=TIMEOUT_SECONDS,
                                headers={"X-CSRF-TOKEN": session.cookies.get("csrf_access_token", default="")},
                                json={"legal_name": f"Cliente bench {slug}", "country": "ES", "tax_id_type": "nif", "tax_id": _tax_id("ES")})
        if response.status_code != 201:
            raise RuntimeError(f"bench customer not created: {response.status_code} {response.text[:300]}")
        customers[slug] = response.json()["id"]
    return customers


IMPORT_CSV = "sku;nombre;precio;iva\n" + "".join(f"B-{{n}}-{index};Artículo {index};{index},50;general\n" for index in range(1, 6))


def _timed(session: requests.Session, stats: Stats, operation: str, method: str, url: str, expected: set[int],
           **kwargs: Any) -> requests.Response | None:
    if method != "GET":
        kwargs.setdefault("headers", {})["X-CSRF-TOKEN"] = session.cookies.get("csrf_access_token", default="")
    started = time.perf_counter()
    try:
        response = session.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        stats.record(operation, time.perf_counter() - started, None, expected, repr(error))
        return None
    stats.record(operation, time.perf_counter() - started, response, expected)
    return response if response.status_code in expected else None


def business_step(base_url: str, session: requests.Session, customer_id: str, step: str, issued: list[str], stats: Stats,
                  counter: int) -> None:
    """Run one business step (invoice create + issue, PDF download, or a small CSV import) and record its calls."""
    if step == "pdf" and issued:
        response = _timed(session, stats, "GET /api/v1/invoices/{id}/pdf", "GET", f"{base_url}/api/v1/invoices/{issued[counter % len(issued)]}/pdf", {200})
        if response is not None and not response.content.startswith(b"%PDF-"):
            stats.record("GET /api/v1/invoices/{id}/pdf (content)", 0.0, None, {200}, "not a PDF")
        return
    if step in ("invoice", "pdf"):
        created = _timed(session, stats, "POST /api/v1/invoices", "POST", f"{base_url}/api/v1/invoices", {201}, json={
            "customer_id": customer_id, "lines": [{"description": f"Servicio bench {counter}", "quantity": "2", "unit_price": "12.50",
                                                   "tax_category": "general"}]})
        if created is None:
            return
        invoice_id = created.json()["id"]
        if _timed(session, stats, "POST /api/v1/invoices/{id}/issue", "POST", f"{base_url}/api/v1/invoices/{invoice_id}/issue", {200}, json={}):
            issued.append(invoice_id)
        return
    batch = _timed(session, stats, "POST /api/v1/imports/batches", "POST", f"{base_url}/api/v1/imports/batches", {201},
                   json={"kind": "products", "source_name": f"bench {counter}", "options": {}})
    if batch is None:
        return
    batch_id = batch.json()["id"]
    content = IMPORT_CSV.replace("{n}", f"{uuid.uuid4().hex[:8]}").encode()
    if _timed(session, stats, "POST /api/v1/imports/batches/{id}/upload", "POST", f"{base_url}/api/v1/imports/batches/{batch_id}/upload",
              {200}, files={"file": ("productos.csv", content, "text/csv")}):
        _timed(session, stats, "POST /api/v1/imports/batches/{id}/validate", "POST",
               f"{base_url}/api/v1/imports/batches/{batch_id}/validate", {202})


def _tax_id(country: str) -> str:
    import random

    if country == "ES":
        number = random.randint(10_000_000, 99_999_999)
        return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"
    digits = [random.randint(0, 1), random.randint(1, 9), random.randint(0, 5)] + [random.randint(0, 9) for _ in range(6)]
    total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10) + "001"


# --- the workload ------------------------------------------------------------------------------------------


def _simple_body(schema: dict[str, Any], components: dict[str, Any], counter: int) -> dict[str, Any] | None:
    """Build a body from the required (and enum) properties of an input schema, or None when it is not simple."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    body: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        required = name in schema.get("required", [])
        kind = prop.get("type")
        if "enum" in prop:
            body[name] = prop["enum"][-1]
        elif kind == "array" and "enum" in prop.get("items", {}):
            body[name] = [prop["items"]["enum"][0]]
        elif kind == "string" and prop.get("format") == "email":
            body[name] = f"bench-{counter}-{uuid.uuid4().hex[:8]}@bench.test"
        elif kind == "string" and not prop.get("format") and not prop.get("pattern"):
            body[name] = f"Bench {counter}"[: prop.get("maxLength", 60)]
        elif kind == "boolean":
            body[name] = False
        elif required:
            return None
    return body


def discover_mix(base_url: str) -> tuple[list[tuple[str, set[int]]], list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    """Return the tenant GETs without parameters (path, expected statuses) and the creating POSTs (path, input schema, components).

    A GET may answer 200 or a 4xx its operation documents (e.g. 404 "no certificate uploaded yet").
    """
    spec = requests.get(f"{base_url}/openapi.json", timeout=TIMEOUT_SECONDS).json()
    components = spec.get("components", {}).get("schemas", {})
    gets, creates = [], []
    for path, item in sorted(spec["paths"].items()):
        if "{" in path or path.startswith("/api/v1/admin/"):
            continue
        get = item.get("get")
        if get and not any(p.get("required") for p in get.get("parameters", [])):
            documented = {int(code) for code in get.get("responses", {}) if code.isdigit() and 400 <= int(code) < 500}
            gets.append((path, {200} | documented))
        post = item.get("post")
        created = (post or {}).get("responses", {}).get("201", {}).get("content", {}).get("application/json", {}).get("schema", {})
        output = components.get(created.get("$ref", "").rsplit("/", 1)[-1], {})
        body_schema = (post or {}).get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if "id" in output.get("properties", {}) and body_schema:
            creates.append((path, body_schema, components))
    return gets, creates


class Stats:
    """Latencies and errors per operation, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.server_headers: set[str] = set()

    def record(self, operation: str, seconds: float, response: requests.Response | None, expected: set[int], detail: str = "") -> None:
        """Record one call; an exception, a 5xx or an unexpected status is an error."""
        with self.lock:
            self.latencies[operation].append(seconds)
            if response is not None:
                self.server_headers.add(response.headers.get("Server", ""))
            if response is None or response.status_code not in expected:
                self.errors[operation] += 1
                if len(self.samples) < MAX_ERROR_SAMPLES:
                    status = response.status_code if response is not None else "exception"
                    self.samples.append(f"{operation} -> {status} {detail or (response.text[:200] if response is not None else '')}")


def _login(base_url: str, slug: str, stats: Stats) -> requests.Session:
    session = requests.Session()
    started = time.perf_counter()
    try:
        response = session.post(f"{base_url}/api/v1/tenant/auth/login", timeout=TIMEOUT_SECONDS,
                                json={"tenant": slug, "email": f"owner@{slug}.test", "password": PASSWORD})
    except requests.RequestException as error:
        stats.record("POST /api/v1/tenant/auth/login", time.perf_counter() - started, None, {200}, repr(error))
        return session
    stats.record("POST /api/v1/tenant/auth/login", time.perf_counter() - started, response, {200})
    return session


def _client(base_url: str, slug: str, deadline: float, mix: list[tuple[str, str, Any]], stats: Stats, offset: int,
            login_every: int, customer_id: str | None = None) -> None:
    session = _login(base_url, slug, stats)
    issued: list[str] = []
    for iteration in itertools.count(offset):
        if time.monotonic() >= deadline:
            return
        if login_every and iteration % login_every == 0 and iteration != offset:
            session = _login(base_url, slug, stats)
            continue
        if customer_id and iteration % BUSINESS_EVERY == 0:
            step = BUSINESS_STEPS[(iteration // BUSINESS_EVERY) % len(BUSINESS_STEPS)]
            business_step(base_url, session, customer_id, step, issued, stats, iteration)
            continue
        method, path, detail = mix[iteration % len(mix)]
        headers = {"X-CSRF-TOKEN": session.cookies.get("csrf_access_token", default="")} if method == "POST" else {}
        body = _simple_body(*detail, iteration) if method == "POST" else None
        started = time.perf_counter()
        try:
            response = session.request(method, f"{base_url}{path}", json=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            stats.record(f"{method} {path}", time.perf_counter() - started, None, set(), repr(error))
            continue
        stats.record(f"{method} {path}", time.perf_counter() - started, response, {201} if method == "POST" else detail)


def usable_creates(base_url: str, slug: str, creates: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> tuple[list[Any], list[str]]:
    """Keep the creating POSTs whose generated body is accepted (201) once; say why the others are left out."""
    session = _login(base_url, slug, Stats())
    kept, left_out = [], []
    for path, schema, components in creates:
        body = _simple_body(schema, components, 0)
        if body is None:
            left_out.append(f"POST {path}: input schema needs values the bench cannot generate")
            continue
        response = session.post(f"{base_url}{path}", json=body, timeout=TIMEOUT_SECONDS,
                                headers={"X-CSRF-TOKEN": session.cookies.get("csrf_access_token", default="")})
        if response.status_code == 201:
            kept.append(("POST", path, (schema, components)))
        else:
            left_out.append(f"POST {path}: generated body answered {response.status_code}")
    return kept, left_out


@contextmanager
def huey_consumer(env: dict[str, str], *, workers: int, log_path: Path) -> Iterator[Any]:
    """With GESTIQ_HUEY_BACKEND=redis, run a Huey consumer until the block ends and yield its queue; else yield None."""
    if env.get("GESTIQ_HUEY_BACKEND") != "redis" or workers <= 0:
        yield None
        return
    sys.path.insert(0, str(ROOT))
    from gestiq_app.jobs import build_huey

    queue = build_huey("redis", instance_path="", redis_url=env["GESTIQ_REDIS_URL"])
    log_file = open(log_path, "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "gestiq_app.jobs.huey", "-w", str(workers), "-k", "thread"],
                               env={**env, **{k: v for k, v in BENCH_ENV_DEFAULTS.items() if k not in env}}, cwd=ROOT,
                               stdout=log_file, stderr=subprocess.STDOUT)
    try:
        yield queue
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log_file.close()


def queue_lag(queue: Any) -> dict[str, Any]:
    """Return the queue length when the load stops and the seconds the consumer needed to empty it (None: no consumer)."""
    if queue is None:
        return {"consumer": False}
    pending = queue.pending_count()
    started = time.monotonic()
    while queue.pending_count() and time.monotonic() - started < DRAIN_TIMEOUT_SECONDS:
        time.sleep(0.2)
    return {"consumer": True, "pending_at_end": pending, "drain_seconds": round(time.monotonic() - started, 1),
            "pending_after_drain": queue.pending_count()}


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Provision, start gunicorn, run the workload and return the results."""
    env = dict(os.environ)
    if args.migrate:
        subprocess.run([sys.executable, "-m", "gestiq_app.ops.migrate"], cwd=ROOT, env=env, check=True)
    slugs = provision_tenants(args.tenants)
    log_path = Path(args.log) if args.log else Path(tempfile.mkdtemp(prefix="gestiq-bench-")) / "gunicorn.log"
    with gunicorn_server(env, workers=args.workers, log_path=log_path) as (base_url, master_pid):
        gets, creates = discover_mix(base_url)
        kept_creates, left_out = ([], ["every write: --read-only"]) if args.read_only else usable_creates(base_url, slugs[0], creates)
        mix = [("GET", path, expected) for path, expected in gets] + kept_creates
        mix.insert(0, next(item for item in mix if item[1] == "/api/v1/tenant/auth/me"))  # the PWA's most frequent call
        customers = {} if args.read_only or args.no_business else prepare_business(base_url, slugs)
        with huey_consumer(env, workers=args.consumer_workers, log_path=log_path.with_name("huey.log")) as queue:
            rss_start = worker_rss(master_pid)
            stats = Stats()
            started = time.monotonic()
            deadline = started + args.seconds
            login_every = 0 if args.read_only else LOGIN_EVERY
            threads = [threading.Thread(target=_client, args=(base_url, slugs[index % len(slugs)], deadline, mix, stats, index * 7, login_every,
                                                              customers.get(slugs[index % len(slugs)])))
                       for index in range(args.threads)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            rss_end = worker_rss(master_pid)
            lag = queue_lag(queue)
    total = sum(len(values) for values in stats.latencies.values())
    return {
        "seconds": round(elapsed, 1), "read_only": args.read_only, "threads": args.threads, "workers": args.workers, "tenants": len(slugs),
        "database": (os.environ.get("GESTIQ_DATABASE_URL") or "sqlite (embedded default)").split("://")[0],
        "requests": total, "requests_per_second": round(total / elapsed, 1), "errors": sum(stats.errors.values()),
        "operations": {
            operation: {"count": len(values), "errors": stats.errors.get(operation, 0),
                        "p50_ms": round(percentile(values, 0.50) * 1000, 1), "p95_ms": round(percentile(values, 0.95) * 1000, 1),
                        "p99_ms": round(percentile(values, 0.99) * 1000, 1)}
            for operation, values in sorted(stats.latencies.items())
        },
        "worker_rss_mib": {"start": {str(pid): round(rss / 2**20, 1) for pid, rss in rss_start.items()},
                           "end": {str(pid): round(rss / 2**20, 1) for pid, rss in rss_end.items()}},
        "server_headers": sorted(stats.server_headers), "left_out": left_out, "error_samples": stats.samples,
        "queue": lag, "mix": [f"{method} {path}" for method, path, _detail in mix[1:]],
        "business_tenants": len(customers),
        "gunicorn_log": str(log_path),
    }


def print_report(result: dict[str, Any]) -> None:
    """Print the results as a table."""
    print(f"{result['requests']} requests in {result['seconds']} s from {result['threads']} clients, {result['workers']} gunicorn "
          f"workers, {result['tenants']} tenants, database {result['database']}: {result['requests_per_second']} req/s, "
          f"{result['errors']} errors")
    print(f"{'operation':<48} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for operation, row in result["operations"].items():
        print(f"{operation:<48} {row['count']:>7} {row['errors']:>6} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}")
    for moment in ("start", "end"):
        print(f"worker RSS at {moment} (MiB): " + ", ".join(f"pid {pid}: {rss}" for pid, rss in result["worker_rss_mib"][moment].items()))
    if result["queue"].get("consumer"):
        print(f"Huey queue: {result['queue']['pending_at_end']} tasks pending when the load stopped, drained in "
              f"{result['queue']['drain_seconds']} s ({result['queue']['pending_after_drain']} left)")
    for line in result["left_out"]:
        print(f"left out of the mix: {line}")
    for line in result["error_samples"]:
        print(f"error: {line}")
    print(f"gunicorn log: {result['gunicorn_log']}")


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the bench, print the report; 1 when any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=None, help="duration (default 60, or 600 with --soak)")
    parser.add_argument("--soak", action="store_true", help="run for 600 s unless --seconds is given")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--tenants", type=int, default=2, help="bench tenants to create (default 2)")
    parser.add_argument("--migrate", action="store_true", help="run scripts/migrate first (fresh database)")
    parser.add_argument("--read-only", action="store_true", help="one login per client, then reads only (no password hashing in the mix)")
    parser.add_argument("--no-business", action="store_true", help="leave invoice issue, PDF downloads and imports out of the mix")
    parser.add_argument("--consumer-workers", type=int, default=2, help="Huey consumer threads when GESTIQ_HUEY_BACKEND=redis (0: none)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--log", help="gunicorn log file (default: a temporary file)")
    args = parser.parse_args(argv)
    args.seconds = args.seconds if args.seconds is not None else (600.0 if args.soak else 60.0)
    result = run(args)
    print_report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    stuck = bool(result["queue"].get("pending_after_drain"))
    return 1 if result["errors"] or not result["requests"] or stuck else 0


if __name__ == "__main__":
    sys.exit(main())
