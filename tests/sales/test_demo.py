"""Demo sales data: months of gapless issued invoices per demo tenant, created once."""

from __future__ import annotations

from sqlalchemy import select

from gestiq_app.demo import seed_demo
from gestiq_app.extensions import db
from gestiq_app.sales.demo import SPAN_DAYS, EVERY_DAYS
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.models import Tenant
from tests.sales.helpers import sales_snapshot


def test_demo_tenants_get_months_of_invoices_once(app_context) -> None:  # type: ignore[no-untyped-def]
    list(seed_demo())
    tenants = {slug: db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) for slug in ("demo-es", "demo-ec")}
    before = {slug: sales_snapshot(tenant_id) for slug, tenant_id in tenants.items()}
    assert list(seed_demo())[-2:] == ["Ventas de demo-es: ya tenía facturas", "Ventas de demo-ec: ya tenía facturas"]
    expected_invoices = len(range(SPAN_DAYS, 0, -EVERY_DAYS))
    for slug, tenant_id in tenants.items():
        assert sales_snapshot(tenant_id) == before[slug]
        documents = [row for row in before[slug]["sales_documents"]]
        columns = [column.name for column in SalesDocument.__table__.columns]
        rows = [dict(zip(columns, row)) for row in documents]
        issued = [r for r in rows if r["kind"] == "invoice" and r["state"] != "draft"]
        assert len(issued) == expected_invoices
        for year in {r["year"] for r in issued}:  # a yearly series restarts in January; EC numbers straight on
            numbers = sorted(int(r["number"]) for r in issued if r["year"] == year)
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), slug
        assert sorted(int(r["number"]) for r in issued)[0] == 1
        assert sorted((r["kind"], r["state"]) for r in rows if r["kind"] != "invoice" or r["state"] == "draft") == [
            ("credit_note", "issued"), ("invoice", "draft"), ("quote", "draft")]
        assert len({r["issue_date"] for r in rows if r["kind"] == "invoice"}) >= expected_invoices
