"""Back office: purchases and withholdings are visible to support staff and cannot be changed, not even by an Admin."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.purchases.models import PurchaseWithholding
from gestiq_app.tenancy.context import tenant_context
from tests.admin.conftest import ADMIN_PASSWORD, admin_login, session_csrf_token
from tests.factories import make_tenant
from tests.purchases.helpers import add_supplier, create_invoice, line, purchases_snapshot, record


def _recorded(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
        supplier = add_supplier(tenant, legal_name="Proveedor Soporte Cía. Ltda.")
        document = record(tenant, create_invoice(tenant, supplier, [line("2", "10", description="Cartuchos de tinta",
                                                                         renta_withholding_category="otras")],
                                                 supplier_number="001-001-000777").id, withholding_date=date(2026, 3, 11))
        with tenant_context(tenant.id):
            withholding_id = db.session.scalar(select(PurchaseWithholding.id).where(PurchaseWithholding.document_id == document.id))
        return tenant.id, document.id, withholding_id


def test_support_lists_and_shows_purchases_and_withholdings(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    tenant_id, document_id, withholding_id = _recorded(app)
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    listing = client.get("/admin/purchasesupportview/list/?_flt_0_supplier_number=001-001-000777")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Proveedor Soporte Cía. Ltda." in html and "23.00" in html
    shown = client.get(f"/admin/purchasesupportview/show/{document_id}")
    assert shown.status_code == 200 and "Cartuchos de tinta" in shown.get_data(as_text=True)
    withholding = client.get(f"/admin/withholdingsupportview/show/{withholding_id}")
    assert withholding.status_code == 200 and "0.55" in withholding.get_data(as_text=True)


def test_admin_cannot_edit_or_delete_a_recorded_purchase(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    tenant_id, document_id, _ = _recorded(app)
    with app.app_context():
        before = purchases_snapshot(tenant_id)
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    token = session_csrf_token(client)
    responses = [
        client.post(f"/admin/purchasesupportview/edit/{document_id}", data={"csrf_token": token, "total": "0"}),
        client.post(f"/admin/purchasesupportview/delete/{document_id}", data={"csrf_token": token}),
        client.post("/admin/purchasesupportview/add", data={"csrf_token": token, "kind": "expense"}),
    ]
    assert [response.status_code in (302, 403, 404, 405) for response in responses] == [True, True, True]
    with app.app_context():
        assert purchases_snapshot(tenant_id) == before
