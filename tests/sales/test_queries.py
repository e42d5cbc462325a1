"""Document lists: computed overdue status, filters, text search, and the lean row serialization."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gestiq_app.extensions import db
from gestiq_app.sales.queries import dump_list_row, list_documents_query
from gestiq_app.sales.schemas import DocumentListItemSchema
from gestiq_app.sales.settings import tenant_today
from gestiq_app.tenancy.context import tenant_context
from tests.sales.helpers import add_customer, create_invoice, credit, issue, issued_invoice, line

TODAY = date(2026, 6, 15)


def _list(tenant, today: date = TODAY, kinds=("invoice", "credit_note"), **filters: Any) -> list[Any]:  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        statement = list_documents_query(tenant_id=tenant.id, kinds=kinds, filters=filters, today=today)
        return db.session.execute(statement).all()


def _numbers(rows) -> list:  # type: ignore[no-untyped-def]
    return sorted((row.full_number or "draft", row.status) for row in rows)


def test_overdue_is_computed_from_the_due_date_and_what_is_due(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant, payment_terms_days=30)
    late = issued_invoice(es_tenant, customer, [line("1", "10")], issue_date=date(2026, 5, 1))  # due 2026-05-31
    issued_invoice(es_tenant, customer, [line("1", "10")], issue_date=date(2026, 6, 1))  # due 2026-07-01
    credited = issued_invoice(es_tenant, customer, [line("1", "10")], issue_date=date(2026, 6, 1))
    issue(es_tenant, credit(es_tenant, credited.id, issue_date=date(2026, 6, 1)).id)
    create_invoice(es_tenant, customer, [line("1", "10")], issue_date=date(2026, 1, 1))
    assert _numbers(_list(es_tenant)) == [
        ("F2026-00001", "overdue"), ("F2026-00002", "issued"), ("F2026-00003", "rectified"), ("R2026-00001", "issued"), ("draft", "draft")]
    assert _numbers(_list(es_tenant, status=["overdue"])) == [("F2026-00001", "overdue")]
    assert _numbers(_list(es_tenant, status=["issued"], kinds=("invoice",))) == [("F2026-00002", "issued")]
    assert _numbers(_list(es_tenant, today=date(2026, 5, 31), status=["issued"], kinds=("invoice",))) == [
        ("F2026-00001", "issued"), ("F2026-00002", "issued")]
    assert _numbers(_list(es_tenant, status=["draft", "rectified"])) == [("F2026-00003", "rectified"), ("draft", "draft")]
    with tenant_context(es_tenant.id):
        from gestiq_app.sales.services import get_document

        assert get_document(tenant_id=es_tenant.id, document_id=late.id).status_on(TODAY) == "overdue"


def test_filters_by_customer_dates_and_text(es_tenant) -> None:  # type: ignore[no-untyped-def]
    acme = add_customer(es_tenant, legal_name="Acme 100% Ibérica S.A.")
    other = add_customer(es_tenant, legal_name="Otra Empresa S.L.")
    issued_invoice(es_tenant, acme, [line("1", "10")], issue_date=date(2026, 3, 1))
    issued_invoice(es_tenant, other, [line("1", "10")], issue_date=date(2026, 3, 20), notes="Pedido urgente")
    create_invoice(es_tenant, acme, [line("1", "10")], issue_date=date(2026, 4, 2))
    assert len(_list(es_tenant, customer_id=acme.id)) == 2
    assert _numbers(_list(es_tenant, issue_date_from=date(2026, 3, 2), issue_date_to=date(2026, 4, 1))) == [("F2026-00002", "overdue")]
    assert [row.customer_name for row in _list(es_tenant, q="100%")] == ["Acme 100% Ibérica S.A.", "Acme 100% Ibérica S.A."]
    assert _list(es_tenant, q="10_%") == []
    assert [row.full_number for row in _list(es_tenant, q="urgente")] == ["F2026-00002"]
    assert [row.full_number for row in _list(es_tenant, q="f2026-00001")] == ["F2026-00001"]


def test_lean_rows_serialize_exactly_like_the_documented_schema(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant)
    invoice = issued_invoice(es_tenant, customer, [line("3", "33.333", discount_percent="10")], issue_date=date(2026, 2, 1))
    issue(es_tenant, credit(es_tenant, invoice.id, issue_date=date(2026, 2, 1)).id)
    create_invoice(es_tenant, customer, [], due_date=None)
    today = tenant_today(tenant_id=es_tenant.id)
    rows = _list(es_tenant, today=today + timedelta(days=1))
    assert len(rows) == 3
    assert [dump_list_row(row) for row in rows] == DocumentListItemSchema(many=True).dump(rows)
