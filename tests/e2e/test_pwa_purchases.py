"""The tenant PWA's purchases screens in a real browser: a supplier invoice typed with an exact live
estimate of its base, saved and recorded in one step, an attachment uploaded and downloaded, and the list
filtered by status; the server's copy is checked through the API.
"""

from __future__ import annotations


import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import OWNER_PASSWORD, make_tenant

SUPPLIER = "Papelería Norte SL"
SUPPLIER_NIF = "87654321X"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def tenant(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_tenant(country="ES")


@pytest.fixture()
def page(context, base_url, tenant):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(base_url + "/app/")
    page.get_by_label("Empresa").fill(tenant.slug)
    page.get_by_label("Correo electrónico").fill(f"owner@{tenant.slug}.test")
    page.get_by_label("Contraseña").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("navigation").wait_for(timeout=20_000)
    return page


def _nav(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", level=1, name=name).wait_for()


def test_record_a_supplier_invoice_with_an_attachment(page, base_url) -> None:  # type: ignore[no-untyped-def]
    _nav(page, "Proveedores")
    page.get_by_role("link", name="Nuevo proveedor").click()
    page.get_by_label("Razón social").fill(SUPPLIER)
    page.get_by_label("Identificación fiscal").fill(SUPPLIER_NIF)
    page.get_by_role("button", name="Guardar").click()
    page.get_by_role("link", name=SUPPLIER).wait_for()

    _nav(page, "Compras")
    page.get_by_role("link", name="Nueva factura de proveedor").click()
    page.get_by_label("Proveedor", exact=True).select_option(label=SUPPLIER)
    page.get_by_label("Número del proveedor").fill("PN-2026/0042")
    line = page.get_by_role("group", name="Línea 1")
    line.get_by_label("Descripción").fill("Papel A4, caja")
    line.get_by_label("Cantidad").fill("10")
    line.get_by_label("Precio").fill("3,50")
    page.get_by_role("button", name="Añadir línea").click()
    second = page.get_by_role("group", name="Línea 2")
    second.get_by_label("Descripción").fill("Tóner")
    second.get_by_label("Precio").fill("45")
    second.get_by_label("Descuento").fill("10")
    # exact live estimate of the base: 10 x 3,50 + 45 - 10 % = 35,00 + 40,50
    expect(page.locator("[data-total=estimate]")).to_have_text("75,50\u00a0€")
    screenshot(page, "pwa-supplier-invoice-editor")

    page.get_by_role("button", name="Guardar y registrar").click()
    page.get_by_text("Registrada.").wait_for(timeout=15_000)
    page.get_by_role("heading", level=1, name="PN-2026/0042").wait_for()
    expect(page.locator(".badge--status-recorded")).to_have_text("Registrada")

    listing = page.context.request.get(base_url + "/api/v1/purchases/invoices?q=PN-2026")
    assert listing.status == 200
    rows = listing.json()["items"]
    assert [(r["supplier_number"], r["supplier_name"], r["status"], r["subtotal"]) for r in rows] == [
        ("PN-2026/0042", SUPPLIER, "recorded", "75.50")]
    document = page.context.request.get(base_url + f"/api/v1/purchases/invoices/{rows[0]['id']}").json()
    assert [(line["description"], line["base_amount"]) for line in document["lines"]] == [
        ("Papel A4, caja", "35.00"), ("Tóner", "40.50")]
    assert (document["tax_total"], document["total"], document["amount_due"]) == ("15.86", "91.36", "91.36")
    # the detail shows the server's figures (21 % of 75,50 = 15,855 -> 15,86)
    expect(page.locator("[data-total=total]")).to_have_text("91,36\u00a0€")
    expect(page.locator("[data-total=due]")).to_have_text("91,36\u00a0€")

    page.set_input_files("#attachment-file", files=[{"name": "factura-pn-42.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    link = page.get_by_role("link", name="factura-pn-42.pdf")
    link.wait_for(timeout=15_000)
    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as handle:
        assert handle.read() == PDF
    screenshot(page, "pwa-supplier-invoice-detail")

    # pay it: what is due is proposed
    expect(page.get_by_label("Importe pagado")).to_have_value("91,36")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.locator(".badge--status-paid")).to_have_text("Pagada", timeout=15_000)
    expect(page.locator("[data-total=due]")).to_have_text("0,00\u00a0€")
    paid = page.context.request.get(base_url + f"/api/v1/purchases/invoices/{rows[0]['id']}").json()
    assert (paid["status"], paid["amount_paid"], paid["amount_due"]) == ("paid", "91.36", "0.00")

    _nav(page, "Compras")
    page.get_by_label("Estado").select_option(label="Borrador")
    expect(page.get_by_text("No hay resultados.")).to_be_visible()
    page.get_by_label("Estado").select_option(label="Pagada")
    expect(page.get_by_role("row").filter(has_text="PN-2026/0042")).to_have_count(1)
    screenshot(page, "pwa-purchases-list")


def _post(page, base_url: str, path: str, body: dict) -> dict:  # type: ignore[no-untyped-def]
    """POST through the browser context's session, with the CSRF header the app would send."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    response = page.context.request.post(base_url + "/api/v1" + path, data=body, headers={"X-CSRF-TOKEN": csrf})
    assert response.status in (200, 201), response.text()
    return response.json()


def test_register_a_payment_on_an_issued_invoice(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("heading", level=1, name="Inicio").wait_for()
    customer = _post(page, base_url, "/customers", {"legal_name": "Cliente Cobros SL", "tax_id": "12345678Z", "country": "ES"})
    draft = _post(page, base_url, "/invoices", {"customer_id": customer["id"], "lines": [
        {"description": "Servicio", "quantity": "1", "unit_price": "100", "tax_category": "general"}]})
    invoice = _post(page, base_url, f"/invoices/{draft['id']}/issue", {})
    assert (invoice["status"], invoice["total"]) == ("issued", "121.00")

    page.goto(f"{base_url}/app/invoices/{invoice['id']}")
    page.get_by_role("heading", name="Cobros").wait_for(timeout=15_000)
    page.get_by_text("Sin cobros registrados.").wait_for()
    page.get_by_role("button", name="Registrar un cobro").click()
    expect(page.get_by_label("Importe")).to_have_value("121,00")  # what is due
    page.get_by_label("Importe").fill("50,25")
    page.get_by_label("Forma de pago").select_option(label="Efectivo")
    page.get_by_label("Referencia").fill("Caja 1")
    page.get_by_role("button", name="Guardar cobro").click()
    expect(page.locator("[data-payment-amount]")).to_have_text(["50,25\u00a0€"], timeout=15_000)
    expect(page.locator(".badge--status-partially_paid")).to_have_text("Cobrada en parte")
    # e-invoicing panel: Spain without VERI*FACTU submission keeps the chained record (huella) unsent
    expect(page.locator("[data-einvoice-state]")).to_have_text("Registrada (sin enviar a la AEAT)")
    einvoice = page.context.request.get(base_url + f"/api/v1/invoices/{invoice['id']}/einvoice").json()
    assert einvoice["state"] == "recorded"
    expect(page.get_by_text(einvoice["huella"])).to_be_visible()
    screenshot(page, "pwa-invoice-payment")

    payments = page.context.request.get(base_url + f"/api/v1/invoices/{invoice['id']}/payments").json()["items"]
    assert [(p["amount"], p["method"], p["reference"]) for p in payments] == [("50.25", "cash", "Caja 1")]
    again = page.context.request.get(base_url + f"/api/v1/invoices/{invoice['id']}").json()
    assert (again["status"], again["amount_due"]) == ("partially_paid", "70.75")
