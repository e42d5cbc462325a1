"""Back office: support reads customers and suppliers of every tenant and cannot change them."""

from __future__ import annotations

from gestiq_app.crm.services import create_customer, create_supplier
from tests.admin.conftest import ADMIN_PASSWORD, admin_login, session_csrf_token
from tests.factories import make_tenant


def test_support_lists_and_shows_parties_of_every_tenant_read_only(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with app.app_context():
        spain, ecuador = make_tenant(country="ES"), make_tenant(country="EC")
        customer = create_customer(tenant_id=spain.id, data={"legal_name": "Ferretería Soporte S.L.", "tax_id": "B65410011"}, actor="test")
        create_customer(tenant_id=ecuador.id, data={"legal_name": "Bodega Soporte Cía. Ltda.", "tax_id": "1790011674001"}, actor="test")
        supplier = create_supplier(tenant_id=ecuador.id, data={"legal_name": "Importadora Soporte S.A.", "tax_id": "1760001550001"},
                                   actor="test")
        spain_name, ecuador_name = str(spain), str(ecuador)
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    customers = client.get("/admin/customerview/list/?psize_CustomerView=100").get_data(as_text=True)
    assert "Ferretería Soporte S.L." in customers and "Bodega Soporte Cía. Ltda." in customers
    assert spain_name in customers and ecuador_name in customers
    shown = client.get(f"/admin/customerview/show/{customer.id}")
    assert shown.status_code == 200
    assert "B65410011" in shown.get_data(as_text=True) and "Razón social" in shown.get_data(as_text=True)
    suppliers = client.get("/admin/supplierview/list/?psize_SupplierView=100").get_data(as_text=True)
    assert "Importadora Soporte S.A." in suppliers and ecuador_name in suppliers
    token = session_csrf_token(client)
    assert client.get("/admin/customerview/add").status_code == 403
    assert client.post(f"/admin/customerview/delete/{customer.id}", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/admin/supplierview/edit/{supplier.id}").status_code == 403
    assert client.get("/admin/customerview/show/not-a-uuid").status_code == 404
