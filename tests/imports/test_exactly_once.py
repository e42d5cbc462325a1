"""Exactly-once promotion: twice, concurrently (threads on PostgreSQL), and across a killed Huey consumer (PostgreSQL + Redis)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gestiq_app.catalog.models import Product
from gestiq_app.db import unit_of_work
from gestiq_app.extensions import db
from gestiq_app.imports import pipeline, services
from gestiq_app.imports.models import ImportBatch, ImportLineage
from gestiq_app.tenancy.context import tenant_context
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_tenant

ROOT = Path(__file__).resolve().parents[2]


def _validated_batch(app, tenant, rows: int) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with app.app_context():
        batch = services.create_batch(tenant_id=tenant.id, data={"kind": "products", "source_name": "x"}, actor="test")
        services.ingest_rows(tenant_id=tenant.id, batch_id=batch.id,
                             rows=[{"sku": f"EO-{n:05d}", "name": f"Producto {n}", "unit_price": "1,50"} for n in range(rows)])
        services.request_validation(tenant_id=tenant.id, batch_id=batch.id)
        assert services.get_batch(tenant_id=tenant.id, batch_id=batch.id).state == "validated"
        return batch.id


def _claim(app, tenant, batch_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
    """Move the batch to `promoting` without enqueuing (the test starts the workers itself)."""
    with app.app_context(), tenant_context(tenant.id), unit_of_work():
        assert services.move_state(batch_id, ("validated",), "promoting")


def _counts(app, tenant, batch_id: uuid.UUID) -> tuple[int, int, int, str, int]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        products = db.session.scalar(select(func.count()).select_from(Product)) or 0
        distinct = db.session.scalar(select(func.count(func.distinct(Product.sku)))) or 0
        lineage = db.session.scalar(select(func.count()).select_from(ImportLineage).where(ImportLineage.batch_id == batch_id)) or 0
        batch = db.session.get(ImportBatch, batch_id)
        return products, distinct, lineage, batch.state, batch.promoted_items  # type: ignore[union-attr]


def test_promoting_twice_creates_nothing_twice(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    batch_id = _validated_batch(app, tenant, 12)
    with app.app_context():
        services.request_promotion(tenant_id=tenant.id, batch_id=batch_id)
        services.request_promotion(tenant_id=tenant.id, batch_id=batch_id)
        assert pipeline.run_promotion(tenant_id=tenant.id, batch_id=batch_id) == "promoted"
    assert _counts(app, tenant, batch_id) == (12, 12, 12, "promoted", 12)


@pytest.mark.postgres
def test_concurrent_promotions_create_each_entity_once(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    batch_id = _validated_batch(app, tenant, 60)
    _claim(app, tenant, batch_id)
    app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "7"
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                results.append(pipeline.run_promotion(tenant_id=tenant.id, batch_id=batch_id))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "1000"
    assert errors == []
    assert sorted(results) == ["promoted"] * 4
    assert _counts(app, tenant, batch_id) == (60, 60, 60, "promoted", 60)


@pytest.mark.postgres
def test_a_promotion_on_three_threads_promotes_every_item_once_with_exact_counters(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    batch_id = _validated_batch(app, tenant, 100)
    _claim(app, tenant, batch_id)
    app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "7"
    chunks: list[int] = []
    try:
        with app.app_context():
            assert pipeline.run_promotion(tenant_id=tenant.id, batch_id=batch_id, workers=3, progress=chunks.append) == "promoted"
    finally:
        app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "1000"
    assert _counts(app, tenant, batch_id) == (100, 100, 100, "promoted", 100)
    assert sorted(chunks) == [2] + [7] * 14  # every chunk reported once, whichever thread promoted it
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.get(ImportBatch, batch_id).chunks_done == 15  # type: ignore[union-attr]


def _consumer_env(database_urls: dict[str, str], instance: str) -> dict[str, str]:
    return {**os.environ, "GESTIQ_ENV": "test", "GESTIQ_HUEY_BACKEND": "redis", "GESTIQ_REDIS_URL": TEST_REDIS_URL,
            "GESTIQ_DATABASE_URL": database_urls["runtime"], "GESTIQ_MIGRATION_DATABASE_URL": database_urls["owner"],
            "GESTIQ_INSTANCE_PATH": instance, "GESTIQ_SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
            "GESTIQ_IMPORTS_CHUNK_SIZE": "10", "GESTIQ_FAB_UPDATE_PERMS": "0", "GESTIQ_LOG_LEVEL": "WARNING"}


#: A real consumer whose promotion pauses after each committed chunk, so the test can kill it mid-way.
SLOW_CONSUMER = (
    "import sys, time\n"
    "import gestiq_app.imports.pipeline as pipeline\n"
    "pipeline._after_chunk_hook = lambda batch_id: time.sleep(0.4)\n"
    "from huey.bin.huey_consumer import consumer_main\n"
    "sys.argv = ['huey_consumer', 'gestiq_app.jobs.huey', '-w', '1', '-k', 'thread']\n"
    "consumer_main()\n"
)
ENQUEUE = "import sys\nfrom gestiq_app.imports.tasks import promote_batch\npromote_batch(sys.argv[1], sys.argv[2])\n"


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.postgres
def test_killing_the_consumer_mid_promotion_and_restarting_promotes_every_row_once(app, database_urls, tmp_path):  # type: ignore[no-untyped-def]
    import redis

    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    with app.app_context():
        tenant = make_tenant(country="ES")
    batch_id = _validated_batch(app, tenant, 95)
    _claim(app, tenant, batch_id)
    env = _consumer_env(database_urls, str(tmp_path))
    python = sys.executable
    subprocess.run([python, "-c", ENQUEUE, str(tenant.id), str(batch_id)], cwd=ROOT, env=env, check=True, timeout=60)
    consumer = subprocess.Popen([python, "-c", SLOW_CONSUMER], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        assert _wait(lambda: _counts(app, tenant, batch_id)[4] >= 30, 60), "the consumer never promoted a chunk"
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait(10)
    finally:
        if consumer.poll() is None:
            os.killpg(consumer.pid, signal.SIGKILL)
    products, distinct, lineage, state, promoted = _counts(app, tenant, batch_id)
    # Killed between chunks or in the middle of one: only whole chunks are committed, each with its lineage.
    assert state == "promoting"
    assert 30 <= promoted < 95
    assert promoted % 10 == 0
    assert products == distinct == lineage == promoted

    subprocess.run([python, "-c", ENQUEUE, str(tenant.id), str(batch_id)], cwd=ROOT, env=env, check=True, timeout=60)
    restarted = subprocess.Popen([python, "-m", "huey.bin.huey_consumer", "gestiq_app.jobs.huey", "-w", "1", "-k", "thread"], cwd=ROOT,
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert _wait(lambda: _counts(app, tenant, batch_id)[3] == "promoted", 60), _counts(app, tenant, batch_id)
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(20)
    assert _counts(app, tenant, batch_id) == (95, 95, 95, "promoted", 95)


def test_a_stalled_promotion_is_found_and_resumed_by_the_periodic_task(app):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import update

    from gestiq_app.db import utcnow
    from gestiq_app.imports.tasks import resume_stalled_promotions

    with app.app_context():
        tenant = make_tenant(country="ES")
    batch_id = _validated_batch(app, tenant, 5)
    _claim(app, tenant, batch_id)
    with app.app_context():
        assert (tenant.id, batch_id) not in services.list_stalled_promotions()
        with tenant_context(tenant.id), unit_of_work() as current:
            current.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(updated_at=utcnow() - timedelta(minutes=11)))
        assert (tenant.id, batch_id) in services.list_stalled_promotions()
        resume_stalled_promotions.call_local()
    assert _counts(app, tenant, batch_id) == (5, 5, 5, "promoted", 5)
