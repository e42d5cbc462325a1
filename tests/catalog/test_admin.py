"""Back office: support reads the products and price lists of every tenant and cannot change them."""

from __future__ import annotations

from decimal import Decimal

from gestiq_app.catalog.price_list_services import create_price_list
from gestiq_app.catalog.services import create_product
from tests.admin.conftest import ADMIN_PASSWORD, admin_login  # back_office_user is a root fixture
from tests.factories import make_tenant


def test_support_lists_and_shows_products_and_price_lists_of_every_tenant_read_only(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with app.app_context():
        spain, ecuador = make_tenant(country="ES"), make_tenant(country="EC")
        product = create_product(tenant_id=spain.id, data={"sku": "SOP-ES-1", "name": "Aceite de oliva 1 l", "unit_price": Decimal("8.9")},
                                 actor="test")
        create_product(tenant_id=ecuador.id, data={"sku": "SOP-EC-1", "name": "Café de Loja 500 g", "unit_price": Decimal("6.5")},
                       actor="test")
        price_list = create_price_list(tenant_id=ecuador.id, data={"code": "SOP-MAYOR", "name": "Mayoristas de soporte"}, actor="test")
        spain_name, ecuador_name = str(spain), str(ecuador)
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    html = client.get("/admin/productview/list/?psize_ProductView=100").get_data(as_text=True)
    assert all(text in html for text in ("SOP-ES-1", "SOP-EC-1", spain_name, ecuador_name))
    shown = client.get(f"/admin/productview/show/{product.id}").get_data(as_text=True)
    assert "Aceite de oliva 1 l" in shown and "Categoría de IVA" in shown
    assert client.get("/admin/productview/add").status_code == 403
    assert client.get(f"/admin/productview/edit/{product.id}").status_code == 403
    lists = client.get("/admin/pricelistview/list/?psize_PriceListView=100").get_data(as_text=True)
    assert "SOP-MAYOR" in lists and ecuador_name in lists
    assert client.get(f"/admin/pricelistview/show/{price_list.id}").status_code == 200
    assert client.get(f"/admin/pricelistview/edit/{price_list.id}").status_code == 403
