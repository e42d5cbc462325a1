"""Demo purchases: months of recorded supplier invoices and expenses per demo tenant (demo-ec with retenciones), once."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from gestiq_app.demo import seed_demo
from gestiq_app.extensions import db
from gestiq_app.purchases.demo import EVERY_DAYS, EXPENSE_EVERY_DAYS, SPAN_DAYS
from gestiq_app.purchases.models import PurchaseDocument, PurchaseWithholding
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant
from tests.purchases.helpers import purchases_snapshot


def test_demo_tenants_get_months_of_purchases_once(app_context) -> None:  # type: ignore[no-untyped-def]
    list(seed_demo())
    tenants = {slug: db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) for slug in ("demo-es", "demo-ec")}
    before = {slug: purchases_snapshot(tenant_id) for slug, tenant_id in tenants.items()}
    assert not [message for message in seed_demo() if message.startswith("Compras")]
    invoices, expenses = len(range(SPAN_DAYS, 0, -EVERY_DAYS)), len(range(SPAN_DAYS - 3, 0, -EXPENSE_EVERY_DAYS))
    for slug, tenant_id in tenants.items():
        assert purchases_snapshot(tenant_id) == before[slug]
        with tenant_context(tenant_id):
            documents = db.session.scalars(select(PurchaseDocument)).all()
            withholdings = db.session.scalars(select(PurchaseWithholding).order_by(PurchaseWithholding.sequential)).all()
            kinds = sorted((d.kind, d.state) for d in documents)
            assert kinds.count(("supplier_invoice", "draft")) == 1
            assert len([d for d in documents if d.kind == "supplier_invoice" and d.state != "draft"]) == invoices
            assert kinds.count(("expense", "paid")) == expenses
            assert {d.state for d in documents if d.kind == "supplier_invoice"} == {"draft", "paid", "recorded"}
            for document in documents:  # every stored total adds up to the cent
                assert document.total == document.subtotal + sum((t.amount for t in document.taxes), Decimal("0"))
                assert document.withholding_total == sum((w.amount for w in document.withholdings), Decimal("0"))
            if slug == "demo-ec":
                assert [w.sequential for w in withholdings] == list(range(1, invoices + 1))
                assert {w.kind for d in documents for w in d.withholdings} == {"renta", "iva"}
            else:
                assert withholdings == []
                assert {(w.kind, w.code) for d in documents for w in d.withholdings} == {("renta", "irpf")}
                assert any(not t.is_deductible for d in documents for t in d.taxes)
        db.session.rollback()
