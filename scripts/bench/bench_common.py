"""Shared set-up of scripts/bench/pdf.py and scripts/bench/api.py: environment, migration, data, gunicorn.

Both benches run against a fresh embedded SQLite database in a temporary instance folder unless
`--database-url` (runtime role) and optionally `--migration-database-url` (owner role) point at PostgreSQL.
The GESTIQ_* environment must be set before `gestiq_app` is imported (the Huey instance is built at import).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password-1"
BENCH_ENV = {
    "GESTIQ_FAB_UPDATE_PERMS": "0",
    "GESTIQ_LOG_LEVEL": "WARNING",
    "GESTIQ_EDGE_MIDDLEWARE": "0",
    "GESTIQ_RATELIMIT_LOGIN_IP": "1000000/minute",
    "GESTIQ_RATELIMIT_LOGIN_ACCOUNT": "1000000/minute",
    "GESTIQ_PDF_RENDER_ON_ISSUE": "0",
    "GESTIQ_SECRET_KEY": "bench-secret-key-0123456789abcdef-0123456789",
}


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --database-url, --migration-database-url and --instance-path."""
    parser.add_argument("--database-url", default="", help="runtime database URL (default: a fresh SQLite file)")
    parser.add_argument("--migration-database-url", default="", help="owner-role URL for migrations (default: --database-url)")
    parser.add_argument("--instance-path", default="", help="instance folder (default: a new temporary folder)")


def prepare_environment(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    """Set and return the GESTIQ_* environment of the bench (call before importing gestiq_app)."""
    instance = args.instance_path or tempfile.mkdtemp(prefix="gestiq-bench-")
    env = {**BENCH_ENV, "GESTIQ_INSTANCE_PATH": instance, **extra}
    if args.database_url:
        env["GESTIQ_DATABASE_URL"] = args.database_url
        env["GESTIQ_MIGRATION_DATABASE_URL"] = args.migration_database_url or args.database_url
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return {**os.environ}


def migrate(env: dict[str, str]) -> None:
    """Bring the database to head and seed platform defaults and tax rates (no-op when already there)."""
    subprocess.run([sys.executable, "-m", "gestiq_app.ops.migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _tax_id_es() -> str:
    import random

    number = random.randint(10_000_000, 99_999_999)
    return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def create_bench_tenant(app: Any) -> tuple[str, uuid.UUID]:
    """Provision a Spanish bench tenant (owner owner@<slug>.test) and return (slug, id)."""
    from gestiq_app.tenancy.services import create_tenant

    slug = f"bench-{uuid.uuid4().hex[:10]}"
    with app.app_context():
        tenant = create_tenant(data={"slug": slug, "legal_name": f"Suministros Bench {slug[-4:]} S.L.", "country": "ES",
                                     "tax_id": _tax_id_es(), "owner_email": f"owner@{slug}.test", "owner_password": PASSWORD,
                                     "sector": "general"}, actor="bench")
        return slug, tenant.id


def create_invoices(app: Any, tenant_id: uuid.UUID, *, count: int, lines: int, customers: int = 10, issue: bool = True) -> list[uuid.UUID]:
    """Create `count` invoices of `lines` lines each (issued unless told otherwise) and return their ids."""
    from gestiq_app.crm.models import Customer
    from gestiq_app.db import unit_of_work
    from gestiq_app.extensions import db
    from gestiq_app.sales import issuing, services
    from gestiq_app.tenancy.context import tenant_context

    ids = []
    with app.app_context(), tenant_context(tenant_id):
        customer_ids = []
        for index in range(customers):
            with unit_of_work() as current:
                customer = Customer(legal_name=f"Cliente Bench {index:02d} S.L.", country="ES", tax_id_type="nif",
                                    tax_id=_tax_id_es(), payment_terms_days=30,
                                    address={"line1": f"Calle Mayor {index + 1}", "postal_code": "46001", "city": "Valencia"})
                current.add(customer)
            customer_ids.append(customer.id)
        for index in range(count):
            document_lines = [{"description": f"Artículo de catálogo número {position + 1:02d}", "quantity": Decimal(1 + position % 4),
                               "unit_price": Decimal("12.50") + position, "tax_category": "reducido" if position % 3 == 0 else "general"}
                              for position in range(lines)]
            document = services.create_document(tenant_id=tenant_id, kind="invoice", actor="bench",
                                                data={"customer_id": customer_ids[index % customers], "lines": document_lines})
            if issue:
                issuing.issue_document(tenant_id=tenant_id, document_id=document.id, actor="bench")
            ids.append(document.id)
            db.session.expunge_all()
        db.session.remove()
    return ids


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], *, workers: int, ready_path: str, worker_class: str = "sync",
             threads: int = 1, keepalive: int = 5) -> Iterator[str]:
    """Run `gunicorn app_spec` with `workers` workers of `worker_class` on a free loopback port; yield its base URL.

    sync workers close the connection after every response (gunicorn's sync worker has no keep-alive);
    gthread workers (deploy/gunicorn.conf.py) keep connections open for `keepalive` seconds.
    """
    import requests

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
               "--threads", str(threads), "--keep-alive", str(keepalive), "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
               "--graceful-timeout", "5", "--log-level", "warning", app_spec]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if requests.get(base_url + ready_path, timeout=2).status_code < 500:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} did not answer in time")
            time.sleep(0.2)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of `values` (fraction in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    """Return the median (0 for no values)."""
    return statistics.median(values) if values else 0.0
