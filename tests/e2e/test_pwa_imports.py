"""The import wizard in a real browser (acceptance of #9): a CSV of customers with an invalid row is
uploaded, its columns mapped, validated with progress, the invalid row fixed in place and everything
promoted; each customer then exists exactly once (checked through the API), and the import is undone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import OWNER_PASSWORD, make_tenant

CSV = (
    "Razón social;NIF;Correo\n"
    "Ferretería Olmo SL;12345678Z;olmo@example.es\n"
    "Talleres Ruiz SA;87654321A;ruiz@example.es\n"  # wrong control letter: 87654321X
    "Bodegas Sur SL;00000000T;sur@example.es\n"
).encode()
NAMES = ["Bodegas Sur SL", "Ferretería Olmo SL", "Talleres Ruiz SA"]


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


def _customers(page, base_url: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    response = page.context.request.get(base_url + "/api/v1/customers?page_size=50&sort=legal_name")
    assert response.status == 200, response.text()
    return [(c["legal_name"], c["tax_id"]) for c in response.json()["items"]]


def test_import_a_csv_fix_the_invalid_row_in_place_and_promote(page, base_url) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("navigation").get_by_role("link", name="Importaciones", exact=True).click()
    page.get_by_label("Qué importas").select_option(label="Clientes")
    page.set_input_files("#import-file", files=[{"name": "clientes.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.get_by_role("button", name="Subir y continuar").click()

    # column mapping, proposed by the server from the Spanish headers
    page.get_by_role("heading", name="Columnas del archivo").wait_for(timeout=15_000)
    expect(page.get_by_label("Razón social")).to_have_value("legal_name")
    expect(page.get_by_label("NIF")).to_have_value("tax_id")
    expect(page.get_by_label("Correo")).to_have_value("email")
    screenshot(page, "pwa-import-mapping")
    page.get_by_role("button", name="Validar").click()

    counts = page.locator("p[data-counts]")
    expect(counts).to_have_text("2 válidas, 1 con errores, 0 omitidas.", timeout=20_000)
    row = page.locator(".import-row")
    expect(row).to_have_count(1)
    tax_id = row.get_by_label("Identificación fiscal")
    expect(tax_id).to_have_value("87654321A")
    assert tax_id.get_attribute("aria-invalid") == "true"
    assert "NIF" in row.locator(".field__error").inner_text()
    screenshot(page, "pwa-import-invalid-row")

    tax_id.fill("87654321X")
    row.get_by_role("button", name="Guardar corrección").click()
    expect(page.locator(".import-row")).to_have_count(0, timeout=15_000)
    expect(counts).to_have_text("3 válidas, 0 con errores, 0 omitidas.", timeout=15_000)
    assert _customers(page, base_url) == []  # nothing is created before promoting

    page.get_by_role("button", name="Importar 3 filas válidas").click()
    page.get_by_role("heading", name="Importación terminada").wait_for(timeout=20_000)
    expect(page.locator("p[data-counts]")).to_have_text("3 importadas, 0 con errores, 0 omitidas.")
    expect(page.get_by_text("Registros creados o actualizados (3)")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Cliente [0-9a-f]{8}$"))).to_have_count(3)
    screenshot(page, "pwa-import-result")
    assert _customers(page, base_url) == [
        ("Bodegas Sur SL", "00000000T"), ("Ferretería Olmo SL", "12345678Z"), ("Talleres Ruiz SA", "87654321X")]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deshacer la importación").click()
    page.get_by_role("heading", name="Importación deshecha").wait_for(timeout=15_000)
    assert _customers(page, base_url) == []
