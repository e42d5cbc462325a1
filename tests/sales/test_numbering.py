"""Numbering series: defaults, gapless correlative numbers, yearly reset, chronology and frozen series."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gestiq_app.db import unit_of_work
from gestiq_app.extensions import db
from gestiq_app.sales import series as series_services
from gestiq_app.sales.exceptions import DocumentInvalidError, SeriesConflictError, SeriesInvalidError
from gestiq_app.sales.models import DocumentSeries, SalesDocument
from gestiq_app.sales.numbering import ensure_default_series, format_number, take_next_number
from gestiq_app.tenancy.context import tenant_context
from tests.sales.helpers import ACTOR, create_invoice, credit, issue, issued_invoice, line


def _series(tenant, kind: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return [(s.prefix, s.next_number, s.current_year) for s in db.session.scalars(select(DocumentSeries).where(DocumentSeries.kind == kind))]


def test_format_number() -> None:
    assert format_number(prefix="F", is_yearly_reset=True, number_width=5, year=2026, number=7) == "F2026-00007"
    assert format_number(prefix="001-001-", is_yearly_reset=False, number_width=9, year=2026, number=12) == "001-001-000000012"
    assert format_number(prefix="A", is_yearly_reset=False, number_width=2, year=2026, number=123) == "A123"


def test_spanish_defaults_are_created_once_per_kind(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    first = issued_invoice(es_tenant, es_customer, [line("1", "10")], issue_date=date(2026, 1, 5))
    second = issued_invoice(es_tenant, es_customer, [line("1", "10")], issue_date=date(2026, 1, 5))
    note = issue(es_tenant, credit(es_tenant, first.id).id)
    assert (first.full_number, second.full_number, note.full_number) == ("F2026-00001", "F2026-00002", "R2026-00001")
    assert _series(es_tenant, "invoice") == [("F", 3, 2026)]
    assert _series(es_tenant, "credit_note") == [("R", 2, 2026)]


def test_ecuador_numbers_invoices_and_credit_notes_per_document_type(ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(ec_tenant, ec_customer, [line("1", "10")], issue_date=date(2025, 12, 30))
    next_year = issued_invoice(ec_tenant, ec_customer, [line("1", "10")], issue_date=date(2026, 1, 2))
    note = issue(ec_tenant, credit(ec_tenant, invoice.id).id)
    assert (invoice.full_number, next_year.full_number, note.full_number) == ("001-001-000000001", "001-001-000000002", "001-001-000000001")


def test_yearly_series_restart_at_one(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    numbers = [issued_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=day).full_number
               for day in (date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 1))]
    assert numbers == ["F2025-00001", "F2025-00002", "F2026-00001", "F2026-00002"]


def test_dates_may_not_go_backwards_and_a_refused_issue_consumes_no_number(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    issued_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=date(2026, 3, 10))
    late_id = create_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=date(2026, 3, 9)).id
    with pytest.raises(DocumentInvalidError) as error:
        issue(es_tenant, late_id)
    assert list(error.value.errors) == ["issue_date"]
    assert issue(es_tenant, late_id, issue_date=date(2026, 3, 10)).full_number == "F2026-00002"


def test_a_rolled_back_transaction_gives_its_number_back(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    issued_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=date(2026, 4, 1))
    with tenant_context(es_tenant.id):
        series_id = db.session.scalar(select(DocumentSeries.id).where(DocumentSeries.prefix == "F"))
        with pytest.raises(RuntimeError), unit_of_work():
            assert take_next_number(series_id=series_id, issue_date=date(2026, 4, 1)).number == 2
            raise RuntimeError("something later in the transaction failed")
    assert issued_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=date(2026, 4, 1)).full_number == "F2026-00002"


def test_the_database_refuses_a_duplicate_number(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    first = issued_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=date(2026, 4, 1))
    draft = create_invoice(es_tenant, es_customer, [line("1", "1")], issue_date=date(2026, 4, 1))
    with tenant_context(es_tenant.id), pytest.raises(IntegrityError):
        db.session.execute(SalesDocument.__table__.update().where(SalesDocument.id == draft.id).values(
            state="issued", year=2026, number=first.number, full_number="F2026-00001X"))
    db.session.rollback()


def test_a_chosen_series_must_be_active_and_of_the_kind(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(es_tenant.id):
        quotes = series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR, data={"kind": "quote", "prefix": "Q", "name": "Q"})
        inactive = series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR,
                                                 data={"kind": "invoice", "prefix": "X", "name": "X", "is_active": False})
    for series_id in (quotes.id, inactive.id):
        with pytest.raises(DocumentInvalidError) as error:
            create_invoice(es_tenant, es_customer, [line("1", "1")], series_id=series_id)
        assert list(error.value.errors) == ["series_id"]


def test_a_second_series_numbers_on_its_own_and_the_oldest_stays_the_default(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    assert issued_invoice(es_tenant, es_customer, [line("1", "1")]).full_number.endswith("-00001")
    with tenant_context(es_tenant.id):
        shop = series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR, data={
            "kind": "invoice", "prefix": "T/", "name": "Tienda", "is_yearly_reset": False, "number_width": 4, "next_number": 120})
    assert issued_invoice(es_tenant, es_customer, [line("1", "1")], series_id=shop.id).full_number == "T/0120"
    assert issued_invoice(es_tenant, es_customer, [line("1", "1")]).full_number.endswith("-00002")


def test_numbering_fields_freeze_once_a_number_is_taken(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(es_tenant.id):
        series = series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR, data={"kind": "invoice", "prefix": "B", "name": "B"})
        series_services.update_series(tenant_id=es_tenant.id, series_id=series.id, actor=ACTOR, data={"next_number": 50, "prefix": "C"})
    issued_invoice(es_tenant, es_customer, [line("1", "1")], series_id=series.id)
    with tenant_context(es_tenant.id):
        with pytest.raises(SeriesConflictError) as error:
            series_services.update_series(tenant_id=es_tenant.id, series_id=series.id, actor=ACTOR, data={"next_number": 1, "name": "Nuevo"})
        assert list(error.value.errors) == ["next_number"]
        renamed = series_services.update_series(tenant_id=es_tenant.id, series_id=series.id, actor=ACTOR,
                                                data={"name": "Nuevo", "is_active": False})
    assert (renamed.prefix, renamed.next_number, renamed.name, renamed.is_active) == ("C", 51, "Nuevo", False)


def test_prefix_is_unique_per_tenant_and_kind(es_tenant, ec_tenant) -> None:  # type: ignore[no-untyped-def]
    data = {"kind": "invoice", "prefix": "Z", "name": "Z"}
    with tenant_context(es_tenant.id):
        series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR, data=data)
        series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR, data={**data, "kind": "quote"})
        with pytest.raises(SeriesConflictError):
            series_services.create_series(tenant_id=es_tenant.id, actor=ACTOR, data=data)
    with tenant_context(ec_tenant.id):
        assert series_services.create_series(tenant_id=ec_tenant.id, actor=ACTOR, data=data).prefix == "Z"


def test_default_series_is_created_when_missing_and_refused_when_only_inactive_ones_exist(es_tenant) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(es_tenant.id):
        with unit_of_work():
            first = ensure_default_series(kind="quote", country="ES")
            assert ensure_default_series(kind="quote", country="ES").id == first.id
        series_services.update_series(tenant_id=es_tenant.id, series_id=first.id, actor=ACTOR, data={"is_active": False})
        with pytest.raises(SeriesInvalidError), unit_of_work():
            ensure_default_series(kind="quote", country="ES")


def test_take_next_number_of_an_unknown_series_is_refused(es_tenant) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.sales.exceptions import SeriesNotFoundError

    with tenant_context(es_tenant.id), pytest.raises(SeriesNotFoundError), unit_of_work():
        take_next_number(series_id=uuid.uuid4(), issue_date=date(2026, 1, 1))
