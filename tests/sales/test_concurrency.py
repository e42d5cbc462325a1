"""PostgreSQL: concurrent issues of one series get gapless, unique numbers; concurrent first drafts share one series."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from gestiq_app.extensions import db
from gestiq_app.sales import issuing, services
from gestiq_app.sales.models import DocumentSeries, SalesDocument
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant
from tests.sales.helpers import add_customer, create_invoice, line

pytestmark = pytest.mark.postgres
THREADS = 20


def _run_concurrently(app, tenant_id: uuid.UUID, jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:  # type: ignore[no-untyped-def]
    """Run each job in its own thread, app context, session and tenant context, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(job: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                with tenant_context(tenant_id):
                    results.append(job())
            except BaseException as error:  # noqa: BLE001 - collected and asserted empty below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_twenty_concurrent_issues_of_one_series_get_numbers_1_to_20(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        customer = add_customer(tenant)
        tenant_id = tenant.id
        draft_ids = [create_invoice(tenant, customer, [line("1", "10")], issue_date=date(2026, 6, 1)).id for _ in range(THREADS)]
        db.session.remove()

    def issue(document_id: uuid.UUID) -> Callable[[], int]:
        return lambda: issuing.issue_document(tenant_id=tenant_id, document_id=document_id, actor="test").number  # type: ignore[return-value]

    numbers, errors = _run_concurrently(app, tenant_id, [issue(document_id) for document_id in draft_ids])
    assert errors == []
    assert sorted(numbers) == list(range(1, THREADS + 1))
    with app.app_context(), tenant_context(tenant_id):
        stored = db.session.execute(select(SalesDocument.number, SalesDocument.full_number, SalesDocument.state)).all()
        series = db.session.scalars(select(DocumentSeries)).all()
    assert sorted(row.number for row in stored) == list(range(1, THREADS + 1))
    assert {row.full_number for row in stored} == {f"F2026-{n:05d}" for n in range(1, THREADS + 1)}
    assert {row.state for row in stored} == {"issued"}
    assert [(s.prefix, s.next_number) for s in series] == [("F", THREADS + 1)]


def test_concurrent_first_drafts_create_one_default_series(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
        customer_id = add_customer(tenant).id
        tenant_id = tenant.id
        db.session.remove()

    def create() -> uuid.UUID:
        return services.create_document(tenant_id=tenant_id, kind="invoice", actor="test",
                                        data={"customer_id": customer_id, "lines": [line("1", "5")]}).series_id

    series_ids, errors = _run_concurrently(app, tenant_id, [create for _ in range(10)])
    assert errors == []
    with app.app_context(), tenant_context(tenant_id):
        assert db.session.scalar(select(func.count()).select_from(DocumentSeries)) == 1
    assert len(set(series_ids)) == 1
