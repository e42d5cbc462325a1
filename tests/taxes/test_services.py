"""Tax catalog use cases: rates by date, adding and editing rates without overlapping periods, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from gestiq_app.audit.models import AuditEvent
from gestiq_app.extensions import db
from gestiq_app.taxes import services
from gestiq_app.taxes.exceptions import TaxRateConflictError, TaxRateInvalidError, TaxRateNotFoundError
from gestiq_app.taxes.models import TaxRate
from gestiq_app.tenancy.context import platform_scope
from gestiq_app.tenancy.models import PLATFORM_TENANT_ID


def _entry(test_category: str, **values) -> dict:  # type: ignore[no-untyped-def]
    return {"country": "ES", "tax_type": "iva", "category": test_category, "name": "IVA de prueba", "rate": Decimal("7"),
            "valid_from": date(1990, 1, 1), "valid_to": date(1994, 12, 31), **values}


def _periods(category: str) -> list[tuple]:
    rows = db.session.scalars(select(TaxRate).where(TaxRate.category == category).order_by(TaxRate.valid_from))
    return [(row.rate, row.valid_from, row.valid_to) for row in rows]


@pytest.mark.parametrize(("on_date", "rate", "code"), [
    (date(2024, 3, 31), Decimal("12"), "2"),
    (date(2024, 4, 1), Decimal("15"), "4"),
])
def test_the_ecuadorian_general_rate_switches_on_2024_04_01(app_context, on_date, rate, code) -> None:  # type: ignore[no-untyped-def]
    found = services.get_rate(country="EC", tax_type="iva", category="general", on_date=on_date)
    assert (found.rate, found.authority_code) == (rate, code)


def test_no_rate_in_force_is_a_422_for_the_document(app_context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxRateNotFoundError) as caught:
        services.get_rate(country="EC", tax_type="iva", category="reducido", on_date=date(2024, 3, 31))
    assert caught.value.errors == {"tax_category": ["Sin tipo impositivo vigente el 31/03/2024."]}


def test_adjacent_periods_are_accepted_and_audited_as_platform_events(app_context, test_category) -> None:  # type: ignore[no-untyped-def]
    first = services.create_tax_rate(data=_entry(test_category), actor="admin:ana@gestiq.test")
    services.create_tax_rate(data=_entry(test_category, rate="8.5", valid_from=date(1995, 1, 1), valid_to=None), actor="admin:ana@gestiq.test")
    assert _periods(test_category) == [(Decimal("7"), date(1990, 1, 1), date(1994, 12, 31)), (Decimal("8.5"), date(1995, 1, 1), None)]
    with platform_scope(actor="test", reason="oracle"):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == str(first.id)))
        assert (event.tenant_id, event.actor, event.action) == (PLATFORM_TENANT_ID, "admin:ana@gestiq.test", "tax_rate.created")
        assert event.changes["valid_to"] == "1994-12-31"


@pytest.mark.parametrize(("valid_from", "valid_to"), [
    (date(1994, 12, 31), None),
    (date(1989, 1, 1), date(1990, 1, 1)),
    (date(1991, 6, 1), date(1991, 6, 30)),
    (date(1985, 1, 1), None),
])
def test_overlapping_periods_are_refused(app_context, test_category, valid_from, valid_to) -> None:  # type: ignore[no-untyped-def]
    services.create_tax_rate(data=_entry(test_category), actor="admin:test")
    with pytest.raises(TaxRateConflictError) as caught:
        services.create_tax_rate(data=_entry(test_category, valid_from=valid_from, valid_to=valid_to), actor="admin:test")
    assert caught.value.message == "El periodo se solapa con «IVA de prueba» (del 01/01/1990 al 31/12/1994)."
    assert caught.value.errors == {"valid_from": ["Se solapa con «IVA de prueba» (del 01/01/1990 al 31/12/1994): cierre antes ese periodo."]}
    assert len(_periods(test_category)) == 1


def test_an_open_ended_rate_must_be_closed_before_the_next_one(app_context, test_category) -> None:  # type: ignore[no-untyped-def]
    current = services.create_tax_rate(data=_entry(test_category, valid_to=None), actor="admin:test")
    with pytest.raises(TaxRateConflictError) as caught:
        services.create_tax_rate(data=_entry(test_category, rate="9", valid_from=date(2000, 1, 1), valid_to=None), actor="admin:test")
    assert caught.value.message == "El periodo se solapa con «IVA de prueba» (desde el 01/01/1990, sin fin)."
    services.update_tax_rate(tax_rate_id=current.id, data=_entry(test_category, valid_to=date(1999, 12, 31)), actor="admin:test")
    services.create_tax_rate(data=_entry(test_category, rate="9", valid_from=date(2000, 1, 1), valid_to=None), actor="admin:test")
    assert _periods(test_category) == [(Decimal("7"), date(1990, 1, 1), date(1999, 12, 31)), (Decimal("9"), date(2000, 1, 1), None)]


def test_an_edit_may_not_overlap_another_period_but_may_keep_its_own(app_context, test_category) -> None:  # type: ignore[no-untyped-def]
    services.create_tax_rate(data=_entry(test_category), actor="admin:test")
    later = services.create_tax_rate(data=_entry(test_category, valid_from=date(1995, 1, 1), valid_to=date(1995, 12, 31)), actor="admin:test")
    services.update_tax_rate(tax_rate_id=later.id, data=_entry(test_category, rate="7.5", valid_from=date(1995, 1, 1), valid_to=date(1995, 12, 31)),
                             actor="admin:test")
    with pytest.raises(TaxRateConflictError):
        services.update_tax_rate(tax_rate_id=later.id, data=_entry(test_category, valid_from=date(1994, 6, 1), valid_to=date(1995, 12, 31)),
                                 actor="admin:test")
    assert _periods(test_category) == [(Decimal("7"), date(1990, 1, 1), date(1994, 12, 31)),
                                       (Decimal("7.5"), date(1995, 1, 1), date(1995, 12, 31))]


@pytest.mark.parametrize(("values", "errors"), [
    ({"valid_to": date(1989, 12, 31)}, {"valid_to": ["La fecha de fin no puede ser anterior a la de inicio."]}),
    ({"rate": Decimal("100.5")}, {"rate": ["El tipo debe estar entre 0 y 100."]}),
    ({"rate": 7.5}, {"rate": ["Debe ser un número."]}),
    ({"country": "FR"}, {"country": ["País no admitido: use ES o EC."]}),
    ({"tax_type": "vat"}, {"tax_type": ["Valor no admitido. Use uno de: iva, recargo, irpf, ret_iva, ret_renta."]}),
    ({"category": "Muy General"}, {"category": ["Use minúsculas, números y guion bajo (máximo 30 caracteres)."]}),
    ({"valid_from": None}, {"valid_from": ["Este campo no puede estar vacío."]}),
])
def test_invalid_entries_are_refused_per_field(app_context, test_category, values, errors) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxRateInvalidError) as caught:
        services.create_tax_rate(data=_entry(test_category, **values), actor="admin:test")
    assert caught.value.errors == errors
    assert _periods(test_category) == []


def test_categories_for_products_are_those_still_in_force(app_context, test_category) -> None:  # type: ignore[no-untyped-def]
    services.create_tax_rate(data=_entry(test_category, country="EC"), actor="admin:test")
    assert services.list_categories(country="EC", tax_type="iva", in_force_from=date(1994, 12, 31)) == [
        "cero", "exento", "general", "no_objeto", "reducido", test_category]
    assert services.list_categories(country="EC", tax_type="iva", in_force_from=date(2026, 1, 1)) == [
        "cero", "exento", "general", "no_objeto", "reducido"]
