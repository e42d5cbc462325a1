"""Back office: invoices are visible to support staff and cannot be changed or deleted, not even by an Admin."""

from __future__ import annotations

from datetime import date

from tests.admin.conftest import ADMIN_PASSWORD, admin_login, session_csrf_token
from tests.factories import make_tenant
from tests.sales.helpers import add_customer, issued_invoice, line, sales_snapshot


def _issued(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        customer = add_customer(tenant, legal_name="Cliente Soporte S.L.")
        invoice = issued_invoice(tenant, customer, [line("2", "10")], issue_date=date(2026, 1, 5))
        return tenant.id, tenant.slug, invoice.id, invoice.full_number


def test_support_lists_and_shows_invoices_of_every_tenant(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    tenant_id, slug, invoice_id, number = _issued(app)
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    listing = client.get(f"/admin/invoicesupportview/list/?_flt_0_full_number={number}&_flt_2_customer_name=Soporte")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert number in html and "Cliente Soporte S.L." in html and "24.20" in html
    shown = client.get(f"/admin/invoicesupportview/show/{invoice_id}")
    assert shown.status_code == 200
    assert "Artículo" in shown.get_data(as_text=True)  # the lines, as a related view


def test_admin_cannot_edit_or_delete_an_issued_invoice(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    tenant_id, slug, invoice_id, number = _issued(app)
    with app.app_context():
        before = sales_snapshot(tenant_id)
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    token = session_csrf_token(client)
    assert client.get(f"/admin/invoicesupportview/edit/{invoice_id}").status_code in (302, 403, 404)
    responses = [
        client.post(f"/admin/invoicesupportview/edit/{invoice_id}", data={"csrf_token": token, "total": "0", "state": "draft"}),
        client.post(f"/admin/invoicesupportview/delete/{invoice_id}", data={"csrf_token": token}),
        client.post("/admin/invoicesupportview/add", data={"csrf_token": token, "kind": "invoice"}),
    ]
    assert [response.status_code in (302, 403, 404, 405) for response in responses] == [True, True, True]
    with app.app_context():
        assert sales_snapshot(tenant_id) == before
