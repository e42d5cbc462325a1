"""/api/v1/taxes: the rates of the caller's country in force on a date."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gestiq_app.taxes.services import list_rates
from gestiq_app.tenancy.models import MODULES
from gestiq_app.tenancy.services import set_module
from tests.api_helpers import login_as, login_with_token
from tests.factories import make_tenant
from tests.permissions import check_access


def _tenant(app, country: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_tenant(country=country)


@pytest.fixture(scope="module")
def viewers(app):  # type: ignore[no-untyped-def]
    """A viewer session per country, shared by the read-only tests of this module."""
    return {country: login_as(app, _tenant(app, country), "viewer") for country in ("ES", "EC")}


def _catalog_snapshot(app):  # type: ignore[no-untyped-def]
    def snapshot() -> list[tuple]:
        with app.app_context():
            return [(rate.id, rate.rate, rate.valid_from, rate.valid_to) for rate in list_rates()]

    return snapshot


def _rows(body: dict) -> list[tuple]:
    return [(item["tax_type"], item["category"], item["rate"], item["authority_code"], item["valid_from"], item["valid_to"])
            for item in body["items"]]


def test_access(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    allowed = check_access(app, method="GET", url="/api/v1/taxes?date=2025-01-01&tax_type=irpf", owner_tenant=tenant_a,
                           other_tenant=tenant_b, allowed_role="viewer", expected_status=200, snapshot=_catalog_snapshot(app),
                           denied_session=lambda: login_with_token(app, tenant_a, ["customers:read"]), other_tenant_status=(200,))
    assert _rows(allowed.get_json()) == [("irpf", "profesional", "15.00", None, "2000-01-01", None),
                                         ("irpf", "profesional_inicio", "7.00", None, "2000-01-01", None)]
    foreign = login_as(app, tenant_b, "viewer").get("/api/v1/taxes?date=2025-01-01&tax_type=irpf").get_json()
    assert (foreign["country"], foreign["items"]) == ("EC", [])


@pytest.mark.parametrize(("day", "expected"), [
    ("2024-03-31", [
        ("iva", "cero", "0.00", "0", "2000-01-01", None),
        ("iva", "exento", "0.00", "7", "2000-01-01", None),
        ("iva", "general", "12.00", "2", "2000-01-01", "2024-03-31"),
        ("iva", "no_objeto", "0.00", "6", "2000-01-01", None),
    ]),
    ("2024-04-01", [
        ("iva", "cero", "0.00", "0", "2000-01-01", None),
        ("iva", "exento", "0.00", "7", "2000-01-01", None),
        ("iva", "general", "15.00", "4", "2024-04-01", None),
        ("iva", "no_objeto", "0.00", "6", "2000-01-01", None),
        ("iva", "reducido", "5.00", "5", "2024-04-01", None),
    ]),
])
def test_the_ecuadorian_catalog_switches_the_general_rate_on_2024_04_01(viewers, day, expected) -> None:  # type: ignore[no-untyped-def]
    body = viewers["EC"].get(f"/api/v1/taxes?date={day}&tax_type=iva").get_json()
    assert (body["country"], body["date"], _rows(body)) == ("EC", day, expected)


def test_the_ecuadorian_catalog_holds_the_buyers_withholding_codes(viewers) -> None:  # type: ignore[no-untyped-def]
    iva = viewers["EC"].get("/api/v1/taxes?date=2026-01-15&tax_type=ret_iva").get_json()
    assert [(item["category"], item["rate"], item["authority_code"]) for item in iva["items"]] == [
        ("iva_10", "10.00", "9"), ("iva_100", "100.00", "3"), ("iva_20", "20.00", "10"), ("iva_30", "30.00", "1"),
        ("iva_50", "50.00", "11"), ("iva_70", "70.00", "2"),
    ]
    renta = viewers["EC"].get("/api/v1/taxes?date=2026-01-15&tax_type=ret_renta").get_json()
    assert [(item["category"], item["rate"], item["authority_code"]) for item in renta["items"]] == [
        ("bienes_muebles", "1.75", "312"), ("honorarios", "10.00", "303"), ("no_sujeto", "0.00", "332"), ("otras", "2.75", "3440"),
    ]


def test_spanish_rates_include_recargo_and_irpf_and_default_to_today(viewers) -> None:  # type: ignore[no-untyped-def]
    body = viewers["ES"].get("/api/v1/taxes").get_json()
    assert body["date"] == datetime.now(ZoneInfo("Europe/Madrid")).date().isoformat()
    assert [(item["tax_type"], item["category"], item["rate"]) for item in body["items"]] == [
        ("irpf", "profesional", "15.00"), ("irpf", "profesional_inicio", "7.00"),
        ("iva", "cero", "0.00"), ("iva", "exento", "0.00"), ("iva", "general", "21.00"), ("iva", "reducido", "10.00"),
        ("iva", "superreducido", "4.00"),
        ("recargo", "cero", "0.00"), ("recargo", "exento", "0.00"), ("recargo", "general", "5.20"), ("recargo", "reducido", "1.40"),
        ("recargo", "superreducido", "0.50"),
    ]


def test_the_catalog_needs_no_module(app) -> None:  # type: ignore[no-untyped-def]
    tenant = _tenant(app, "ES")
    with app.app_context():
        for module in MODULES:
            set_module(tenant_id=tenant.id, module=module, is_enabled=False, actor="test")
    response = login_as(app, tenant, "viewer").get("/api/v1/taxes?date=2025-01-01&tax_type=iva")
    assert (response.status_code, len(response.get_json()["items"])) == (200, 5)


@pytest.mark.parametrize(("query", "errors"), [
    ("date=2024-02-30", {"date": ["Fecha no válida (use AAAA-MM-DD)."]}),
    ("date=31/03/2024", {"date": ["Fecha no válida (use AAAA-MM-DD)."]}),
    ("tax_type=vat", {"tax_type": ["Valor no admitido. Use uno de: iva, recargo, irpf, ret_iva, ret_renta."]}),
])
def test_bad_parameters_are_422(viewers, query, errors) -> None:  # type: ignore[no-untyped-def]
    response = viewers["EC"].get(f"/api/v1/taxes?{query}")
    assert (response.status_code, response.get_json()["errors"]) == (422, errors)
