"""PostgreSQL: concurrent recordings number their comprobantes de retención 1..N in one series, created once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.purchases import services
from gestiq_app.purchases.models import PurchaseDocument, PurchaseWithholding, WithholdingSeries
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant
from tests.purchases.helpers import add_supplier, create_invoice, line
from tests.sales.test_concurrency import _run_concurrently

pytestmark = pytest.mark.postgres
THREADS = 12


def test_concurrent_recordings_get_sequentials_1_to_n_from_one_series(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
        supplier = add_supplier(tenant)
        tenant_id = tenant.id
        draft_ids = [create_invoice(tenant, supplier, [line("1", "100", renta_withholding_category="otras")],
                                    issue_date=date(2026, 6, 1)).id for _ in range(THREADS)]
        db.session.remove()

    def record(document_id: uuid.UUID) -> Callable[[], str]:
        return lambda: services.record_invoice(tenant_id=tenant_id, document_id=document_id, actor="test",
                                               withholding_date=date(2026, 6, 2)).state

    states, errors = _run_concurrently(app, tenant_id, [record(document_id) for document_id in draft_ids])
    assert (errors, states) == ([], ["recorded"] * THREADS)
    with app.app_context(), tenant_context(tenant_id):
        sequentials = sorted(db.session.scalars(select(PurchaseWithholding.sequential)))
        series = [(s.establishment, s.emission_point, s.next_sequential) for s in db.session.scalars(select(WithholdingSeries))]
        recorded = db.session.scalars(select(PurchaseDocument.withholding_total)).all()
    assert sequentials == list(range(1, THREADS + 1))
    assert series == [("001", "001", THREADS + 1)]
    assert recorded == [recorded[0]] * THREADS and str(recorded[0]) == "2.75"
