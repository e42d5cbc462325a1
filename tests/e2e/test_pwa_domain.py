"""The tenant PWA's domain screens in a real browser: customers, products, an invoice with live totals
that is issued, and the same work done offline reaching the server exactly once.

One browser context (one login) is shared by the tests of this module, which run in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import OWNER_PASSWORD, make_tenant

CUSTOMER = "Ferretería Olmo SL"
CUSTOMER_NIF = "12345678Z"
OFFLINE_CUSTOMER = "Cliente Sin Conexión SA"
OFFLINE_NIF = "00000000T"


@pytest.fixture(scope="module")
def tenant(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_tenant(country="ES")


@pytest.fixture(scope="module")
def shared(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-ES")
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def page(shared, base_url, tenant):  # type: ignore[no-untyped-def]
    """One signed-in page for the module."""
    page = shared.new_page()
    page.goto(base_url + "/app/")
    page.get_by_label("Empresa").fill(tenant.slug)
    page.get_by_label("Correo electrónico").fill(f"owner@{tenant.slug}.test")
    page.get_by_label("Contraseña").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("navigation").wait_for(timeout=20_000)
    return page


def _api(page, base_url: str, path: str) -> dict:  # type: ignore[no-untyped-def]
    """GET through the browser context's cookies (the same session as the app)."""
    response = page.context.request.get(base_url + "/api/v1" + path)
    assert response.status == 200, response.text()
    return response.json()


def _nav(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", level=1, name=name).wait_for()


def test_create_a_customer_and_a_product(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("heading", level=1, name="Inicio").wait_for()
    page.get_by_text("Facturado este mes").wait_for()
    screenshot(page, "pwa-dashboard")

    _nav(page, "Clientes")
    page.get_by_role("link", name="Nuevo cliente").click()
    page.get_by_label("Razón social").fill(CUSTOMER)
    page.get_by_label("Identificación fiscal").fill("12345678A")  # wrong control letter
    page.get_by_role("button", name="Guardar").click()
    # the server's Spanish message is shown on the field, from the problem+json field errors
    error = page.locator("#tax_id-error")
    error.wait_for()
    assert page.get_by_label("Identificación fiscal").get_attribute("aria-invalid") == "true"
    assert "NIF" in error.inner_text()
    screenshot(page, "pwa-customer-form-error")
    page.get_by_label("Identificación fiscal").fill(CUSTOMER_NIF)
    page.get_by_role("button", name="Guardar").click()
    page.get_by_role("heading", level=1, name="Clientes").wait_for()
    page.get_by_text("Guardado.").wait_for()
    page.get_by_role("link", name=CUSTOMER).wait_for()

    _nav(page, "Productos")
    page.get_by_role("link", name="Nuevo producto").click()
    page.get_by_label("Referencia").fill("MART-01")
    page.get_by_label("Nombre").fill("Martillo de carpintero")
    page.get_by_label("Precio unitario").fill("12,50")
    page.get_by_role("button", name="Guardar").click()
    page.get_by_role("link", name="Martillo de carpintero").wait_for()
    assert page.get_by_role("row", name=re.compile("MART-01")).inner_text().count("12,50\u00a0€") == 1
    screenshot(page, "pwa-products")

    customers = _api(page, base_url, "/customers?q=Olmo")
    products = _api(page, base_url, "/products?q=MART-01")
    assert [(c["legal_name"], c["tax_id"]) for c in customers["items"]] == [(CUSTOMER, CUSTOMER_NIF)]
    assert [(p["sku"], p["unit_price"]) for p in products["items"]] == [("MART-01", "12.5000")]


def test_create_preview_and_issue_an_invoice(page, base_url) -> None:  # type: ignore[no-untyped-def]
    _nav(page, "Facturas")
    page.get_by_role("link", name="Nueva factura").click()
    page.get_by_label("Cliente").select_option(label=CUSTOMER)
    line = page.get_by_role("group", name="Línea 1")
    line.get_by_label("Producto").select_option(label="MART-01 · Martillo de carpintero")
    line.get_by_label("Cantidad").fill("4")
    page.get_by_role("button", name="Añadir línea").click()
    second = page.get_by_role("group", name="Línea 2")
    second.get_by_label("Descripción").fill("Montaje")
    second.get_by_label("Precio").fill("30")
    second.get_by_label("Tipo de IVA").select_option(label="Reducido")
    # live totals from POST /invoices/preview: 4 x 12,50 + 30 = 80 base; 21 % of 50 + 10 % of 30 = 13,50
    total = page.locator("[data-total=total]")
    expect(total).to_have_text("93,50\u00a0€", timeout=15_000)
    assert page.locator("[data-total=subtotal]").inner_text() == "80,00\u00a0€"
    assert total.inner_text() == "93,50\u00a0€"
    screenshot(page, "pwa-invoice-editor")

    page.get_by_role("button", name="Guardar y emitir").click()
    page.get_by_text("Factura emitida.").wait_for(timeout=15_000)
    assert page.locator(".badge--status-issued").inner_text() == "Emitida"
    invoice_id = page.url.rsplit("/", 1)[1]
    invoice = _api(page, base_url, f"/invoices/{invoice_id}")
    assert (invoice["status"], invoice["subtotal"], invoice["total"]) == ("issued", "80.00", "93.50")
    assert page.get_by_role("heading", level=1).inner_text() == invoice["full_number"]
    pdf = page.get_by_role("link", name="Descargar PDF")
    assert pdf.get_attribute("href") == f"/api/v1/invoices/{invoice_id}/pdf"
    # GET /api/v1/invoices/{id}/pdf comes from another branch: once merged (it is then in the OpenAPI),
    # the download itself is checked here.
    paths = page.context.request.get(base_url + "/openapi.json").json()["paths"]
    if "/api/v1/invoices/{invoice_id}/pdf" in paths:
        with page.expect_download() as download:
            pdf.click()
        assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    screenshot(page, "pwa-invoice-issued")

    page.set_viewport_size({"width": 390, "height": 844})
    try:
        _nav_mobile(page, "Facturas")
        page.get_by_role("link", name=invoice["full_number"]).wait_for()
        screenshot(page, "pwa-invoices-phone")
        page.get_by_role("link", name="Nueva factura").click()
        page.get_by_label("Cliente").select_option(label=CUSTOMER)
        page.get_by_role("group", name="Línea 1").get_by_label("Producto").select_option(label="MART-01 · Martillo de carpintero")
        expect(page.locator("[data-total=total]")).to_have_text("15,13\u00a0€", timeout=15_000)
        screenshot(page, "pwa-invoice-editor-phone")
        page.get_by_role("link", name="Cancelar").click()
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def _nav_mobile(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Abrir menú").click()
    _nav(page, name)


def test_offline_customer_and_draft_invoice_reach_the_server_once(page, base_url) -> None:  # type: ignore[no-untyped-def]
    # a draft made online, to be edited offline
    _nav(page, "Facturas")
    page.get_by_role("link", name="Nueva factura").click()
    page.get_by_label("Cliente").select_option(label=CUSTOMER)
    line = page.get_by_role("group", name="Línea 1")
    line.get_by_label("Descripción").fill("Pintura")
    line.get_by_label("Precio").fill("10")
    expect(page.locator("[data-total=total]")).to_have_text("12,10\u00a0€", timeout=15_000)
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_role("link", name="Editar").wait_for()
    draft_id = page.url.rsplit("/", 1)[1]

    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    context = page.context
    context.set_offline(True)
    try:
        page.reload()  # the app opens offline: shell from the service worker, session remembered
        page.get_by_role("navigation").wait_for(timeout=20_000)
        page.get_by_text("Sin conexión.").first.wait_for()

        # the draft opens from the device and its edit is queued
        _nav(page, "Facturas")
        page.get_by_role("link", name="Borrador", exact=True).click()
        page.get_by_role("link", name="Editar").click()
        line = page.get_by_role("group", name="Línea 1")
        expect(line.get_by_label("Descripción")).to_have_value("Pintura")
        line.get_by_label("Precio").fill("15")
        page.get_by_role("button", name="Guardar borrador").click()
        page.get_by_text("Guardado en este dispositivo").wait_for()
        page.get_by_role("link", name="1 pendiente").wait_for()
        draft_row = page.get_by_role("row", name=re.compile("Borrador")).filter(has_text=CUSTOMER)
        expect(draft_row).to_contain_text("Pendiente")  # its new total comes with the sync

        _nav(page, "Clientes")
        page.get_by_text("Sin conexión: datos guardados en este dispositivo").wait_for()
        page.get_by_role("link", name=CUSTOMER).wait_for()  # read from the IndexedDB cache
        page.get_by_role("link", name="Nuevo cliente").click()
        page.get_by_label("Razón social").fill(OFFLINE_CUSTOMER)
        page.get_by_label("Identificación fiscal").fill(OFFLINE_NIF)
        page.get_by_role("button", name="Guardar").click()
        page.get_by_text("Guardado en este dispositivo").wait_for()
        page.get_by_role("row", name=re.compile(OFFLINE_CUSTOMER)).get_by_text("Pendiente").wait_for()

        _nav(page, "Facturas")
        page.get_by_role("link", name="Nueva factura").click()
        page.get_by_label("Cliente").select_option(label=f"{OFFLINE_CUSTOMER} (Pendiente)")
        line = page.get_by_role("group", name="Línea 1")
        line.get_by_label("Descripción").fill("Revisión sin conexión")
        line.get_by_label("Precio").fill("50")
        page.get_by_text("Sin conexión: los totales se calcularán al enviar.").wait_for()
        page.get_by_role("button", name="Guardar borrador").click()
        page.get_by_text("Guardado en este dispositivo").wait_for()
        page.get_by_role("link", name="3 pendientes").wait_for()
        # the invoice issued online before is in the device's cache, with its number and status
        issued_row = page.get_by_role("row", name=re.compile(CUSTOMER)).filter(has_text="Emitida")
        assert "Emitida" in issued_row.inner_text()
        assert re.search(r"F\d{4}-\d{5}", issued_row.inner_text())

        # issuing needs the server's number: it is queued too and happens on sync
        page.get_by_role("link", name="Nueva factura").click()
        page.get_by_label("Cliente").select_option(label=f"{OFFLINE_CUSTOMER} (Pendiente)")
        line = page.get_by_role("group", name="Línea 1")
        line.get_by_label("Descripción").fill("Urgencia")
        line.get_by_label("Precio").fill("20")
        page.get_by_role("button", name="Guardar y emitir").click()
        page.get_by_text("se emitirá al volver la conexión").wait_for()
        page.get_by_role("link", name="5 pendientes").wait_for()
        page.get_by_text("Factura sin enviar (se emitirá)").wait_for()
        assert page.get_by_text("Borrador sin enviar").count() == 1
        screenshot(page, "pwa-offline-pending")
    finally:
        context.set_offline(False)

    # back online: the outbox replays in order and empties
    page.locator(".topbar__outbox").wait_for(state="detached", timeout=30_000)
    customers = _api(page, base_url, "/customers?q=Sin%20Conexi%C3%B3n")
    assert [(c["legal_name"], c["tax_id"]) for c in customers["items"]] == [(OFFLINE_CUSTOMER, OFFLINE_NIF)]
    invoices = _api(page, base_url, f"/invoices?customer_id={customers['items'][0]['id']}&sort=total")
    assert [(i["status"], i["subtotal"], i["total"], i["full_number"] is None) for i in invoices["items"]] == [
        ("issued", "20.00", "24.20", False),
        ("draft", "50.00", "60.50", True),
    ]

    draft = _api(page, base_url, f"/invoices/{draft_id}")
    assert (draft["status"], draft["subtotal"], [line["description"] for line in draft["lines"]]) == ("draft", "15.00", ["Pintura"])

    # a later replay (reconnect, next start) sends nothing again
    page.reload()
    page.get_by_role("navigation").wait_for(timeout=20_000)
    page.evaluate("new Promise(r => setTimeout(r, 500))")
    assert _api(page, base_url, "/customers?q=Sin%20Conexi%C3%B3n")["total"] == 1
    assert _api(page, base_url, f"/invoices?customer_id={customers['items'][0]['id']}")["total"] == 2


def test_credit_note_and_quote_conversion(page, base_url) -> None:  # type: ignore[no-untyped-def]
    issued = _api(page, base_url, "/invoices?status=issued&q=Olmo")["items"]  # the draft (Pintura) stays a draft
    assert len(issued) == 1
    page.goto(f"{base_url}/app/invoices/{issued[0]['id']}")
    page.get_by_role("button", name="Rectificar").click()
    page.get_by_label("Motivo").fill("Devolución de un martillo")
    page.get_by_label("Tipo de rectificación").select_option("R4")
    page.get_by_role("button", name="Crear rectificativa").click()
    page.get_by_text("Rectificativa creada como borrador.").wait_for(timeout=15_000)
    credit_id = page.url.rsplit("/", 1)[1]
    credit = _api(page, base_url, f"/invoices/{credit_id}")
    assert (credit["kind"], credit["status"], credit["rectified_document_id"], credit["rectification_type"]) == (
        "credit_note", "draft", issued[0]["id"], "R4",
    )
    assert credit["total"] == "93.50"  # the whole invoice is credited (amounts kept positive)

    _nav(page, "Presupuestos")
    page.get_by_role("link", name="Nuevo presupuesto").click()
    page.get_by_label("Cliente").select_option(label=CUSTOMER)
    line = page.get_by_role("group", name="Línea 1")
    line.get_by_label("Descripción").fill("Reforma de tienda")
    line.get_by_label("Precio").fill("1000")
    expect(page.locator("[data-total=total]")).to_have_text("1.210,00\u00a0€", timeout=15_000)
    assert page.get_by_role("button", name="Guardar y emitir").count() == 0  # quotes are not issued
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_role("button", name="Convertir en factura").click()
    page.get_by_text("Presupuesto convertido en factura.").wait_for(timeout=15_000)
    invoice = _api(page, base_url, f"/invoices/{page.url.rsplit('/', 1)[1]}")
    assert (invoice["kind"], invoice["status"], invoice["total"], invoice["source_quote_id"] is not None) == ("invoice", "draft", "1210.00", True)


def test_settings_and_english(page, base_url) -> None:  # type: ignore[no-untyped-def]
    _nav(page, "Ajustes")
    page.get_by_role("heading", name="Series de numeración").wait_for()
    page.get_by_label("Documento").select_option("quote")
    page.get_by_label("Prefijo").fill("PRE")
    page.get_by_label("Nombre", exact=True).first.fill("Presupuestos web")
    page.get_by_role("button", name="Añadir serie").click()
    page.get_by_role("cell", name="Presupuestos web").wait_for()

    page.get_by_label("Nombre", exact=True).last.fill("Tienda online")
    page.get_by_role("button", name="Crear token").click()
    page.get_by_text("Copia el token ahora").wait_for()
    tokens = _api(page, base_url, "/tenant/api-tokens")
    assert [(t["name"], sorted(t["permissions"])) for t in tokens] == [
        ("Tienda online", ["customers:read", "invoices:read", "products:read", "quotes:read"]),
    ]
    screenshot(page, "pwa-settings")

    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("heading", level=1, name="Settings").wait_for()
    assert page.get_by_role("navigation").get_by_role("link").all_inner_texts()[:3] == ["Home", "Customers", "Suppliers"]
    _nav(page, "Invoices")
    assert page.get_by_role("row", name=re.compile("Ferretería Olmo SL")).first.inner_text().count("€") == 1
    page.get_by_label("Language").select_option("es")
    page.get_by_role("heading", level=1, name="Facturas").wait_for()


def test_a_rejection_during_sync_is_kept_and_shown(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.context.set_offline(True)
    try:
        _nav(page, "Clientes")
        page.get_by_role("link", name="Nuevo cliente").click()
        page.get_by_label("Razón social").fill("Cliente Con Error SL")
        page.get_by_label("Identificación fiscal").fill("12345678A")  # wrong control letter: the server refuses it
        page.get_by_role("button", name="Guardar").click()
        page.get_by_text("Guardado en este dispositivo").wait_for()
    finally:
        page.context.set_offline(False)
    # after the replay the entry is not dropped: it is marked rejected in the list and in the outbox panel
    page.get_by_role("row", name=re.compile("Cliente Con Error SL")).get_by_text("Rechazada").wait_for(timeout=30_000)
    page.get_by_role("link", name="1 pendiente").click()
    page.get_by_role("heading", level=1, name="Pendientes de enviar").wait_for()
    entry = page.locator(".outbox-entry--failed")
    expect(entry).to_contain_text("Cliente: Cliente Con Error SL")
    expect(entry).to_contain_text("NIF")
    screenshot(page, "pwa-outbox-rejected")
    assert _api(page, base_url, "/customers?q=Con%20Error")["total"] == 0
