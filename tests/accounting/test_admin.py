"""Back office: support staff see every tenant's chart and journal; nobody can change an entry there."""

from __future__ import annotations

from datetime import date

from tests.accounting.helpers import journal_snapshot
from tests.admin.conftest import ADMIN_PASSWORD, admin_login, session_csrf_token
from tests.factories import make_tenant
from tests.sales.helpers import add_customer, issued_invoice, line


def _posted(app):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gestiq_app.accounting.models import JournalEntry
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context

    with app.app_context():
        tenant = make_tenant(country="ES")
        customer = add_customer(tenant, legal_name="Cliente Contable S.L.")
        invoice = issued_invoice(tenant, customer, [line("2", "10")], issue_date=date(2026, 1, 5))
        with tenant_context(tenant.id):
            number = invoice.full_number
            entry_id = db.session.scalar(select(JournalEntry.id).where(JournalEntry.source_id == invoice.id))
        db.session.rollback()
        return tenant.id, number, entry_id


def test_support_lists_entries_with_lines_and_accounts(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    tenant_id, number, entry_id = _posted(app)
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    listing = client.get(f"/admin/journalentrysupportview/list/?_flt_0_reference={number}")
    assert listing.status_code == 200
    assert f"Factura {number}" in listing.get_data(as_text=True)
    shown = client.get(f"/admin/journalentrysupportview/show/{entry_id}")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "430 Clientes" in html and "477 Hacienda Pública, IVA repercutido" in html and "24.20" in html
    accounts = client.get("/admin/accountsupportview/list/?_flt_0_code=4751")
    assert accounts.status_code == 200 and "acreedora por retenciones" in accounts.get_data(as_text=True)


def test_admin_cannot_edit_or_delete_an_entry(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    tenant_id, number, entry_id = _posted(app)
    with app.app_context():
        before = journal_snapshot(tenant_id)
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    token = session_csrf_token(client)
    responses = [
        client.get(f"/admin/journalentrysupportview/edit/{entry_id}"),
        client.post(f"/admin/journalentrysupportview/edit/{entry_id}", data={"csrf_token": token, "description": "x"}),
        client.post(f"/admin/journalentrysupportview/delete/{entry_id}", data={"csrf_token": token}),
        client.post("/admin/accountsupportview/add", data={"csrf_token": token, "code": "999"}),
    ]
    assert [response.status_code in (302, 403, 404, 405) for response in responses] == [True, True, True, True]
    with app.app_context():
        assert journal_snapshot(tenant_id) == before
