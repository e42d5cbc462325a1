"""Back office: admins add and edit tax rates through the services (no overlaps, audited); support only reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from gestiq_app.audit.models import AuditEvent
from gestiq_app.extensions import db
from gestiq_app.taxes.models import TaxRate
from gestiq_app.tenancy.context import platform_scope
from tests.admin.conftest import ADMIN_PASSWORD, admin_login, csrf_token, session_csrf_token


def _form(category: str, **values: str) -> dict[str, str]:
    return {"country": "EC", "tax_type": "iva", "category": category, "name": "IVA de prueba", "rate": "8",
            "authority_code": "", "valid_from": "1990-01-01", "valid_to": "1994-12-31", **values}


def _rates(app, category: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.scalars(select(TaxRate).where(TaxRate.category == category).order_by(TaxRate.valid_from))
        return [(row.name, row.rate, row.authority_code, row.valid_from, row.valid_to) for row in rows]


def test_admin_adds_and_edits_rates_and_overlaps_are_refused(app, client, back_office_user, test_category) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    username = back_office_user("Admin")
    admin_login(client, username, ADMIN_PASSWORD)
    page = client.get("/admin/taxrateview/add")
    assert page.status_code == 200 and "Vigente desde" in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    added = client.post("/admin/taxrateview/add", data={**_form(test_category), "csrf_token": token}, follow_redirects=True)
    assert "Tipo impositivo añadido" in added.get_data(as_text=True)
    overlapping = client.post("/admin/taxrateview/add", follow_redirects=True,
                              data={**_form(test_category, name="Otro", valid_from="1994-06-01", valid_to=""), "csrf_token": token})
    assert "El periodo se solapa con «IVA de prueba» (del 01/01/1990 al 31/12/1994)." in overlapping.get_data(as_text=True)
    assert _rates(app, test_category) == [("IVA de prueba", Decimal("8"), None, date(1990, 1, 1), date(1994, 12, 31))]

    with app.app_context():
        rate_id = db.session.scalar(select(TaxRate.id).where(TaxRate.category == test_category))
    edit_page = client.get(f"/admin/taxrateview/edit/{rate_id}")
    edited = client.post(f"/admin/taxrateview/edit/{rate_id}", follow_redirects=True,
                         data={**_form(test_category, rate="8.5", authority_code="9", valid_to="1993-12-31"),
                               "csrf_token": csrf_token(edit_page.get_data(as_text=True))})
    assert "Tipo impositivo guardado" in edited.get_data(as_text=True)
    assert _rates(app, test_category) == [("IVA de prueba", Decimal("8.5"), "9", date(1990, 1, 1), date(1993, 12, 31))]
    backwards = client.post(f"/admin/taxrateview/edit/{rate_id}", follow_redirects=True,
                            data={**_form(test_category, valid_to="1989-12-31"), "csrf_token": csrf_token(edit_page.get_data(as_text=True))})
    assert "Vigente hasta: La fecha de fin no puede ser anterior a la de inicio." in backwards.get_data(as_text=True)
    assert _rates(app, test_category)[0][4] == date(1993, 12, 31)
    with app.app_context(), platform_scope(actor="test", reason="oracle"):
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(rate_id)).order_by(AuditEvent.created_at)).all()
        actors = set(db.session.scalars(select(AuditEvent.actor).where(AuditEvent.entity_id == str(rate_id))))
    assert (actions, actors) == (["tax_rate.created", "tax_rate.updated"], {f"admin:{username}"})


def test_support_reads_the_catalog_but_cannot_change_it(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with app.app_context():
        rate = db.session.scalar(select(TaxRate).where(TaxRate.country == "EC", TaxRate.category == "general",
                                                       TaxRate.valid_from == date(2024, 4, 1)))
        rate_id, before = rate.id, (rate.rate, rate.valid_to)
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    assert "IVA 15 %" in client.get("/admin/taxrateview/list/?psize_TaxRateView=100").get_data(as_text=True)
    assert client.get(f"/admin/taxrateview/show/{rate_id}").status_code == 200
    token = session_csrf_token(client)
    assert client.get("/admin/taxrateview/add").status_code == 403
    assert client.post(f"/admin/taxrateview/edit/{rate_id}", data={**_form("general", rate="99"), "csrf_token": token}).status_code == 403
    assert client.post(f"/admin/taxrateview/delete/{rate_id}", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        rate = db.session.get(TaxRate, rate_id)
        assert (rate.rate, rate.valid_to) == before
