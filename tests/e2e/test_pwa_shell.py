"""The tenant PWA in a real browser: login through the UI, installability, the shell offline."""

from __future__ import annotations

from tests.e2e.conftest import screenshot
from tests.factories import OWNER_PASSWORD, make_tenant


def _login(page, base_url: str, tenant) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/app/")
    page.get_by_label("Empresa").fill(tenant.slug)
    page.get_by_label("Correo electrónico").fill(f"owner@{tenant.slug}.test")
    page.get_by_label("Contraseña").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("navigation").wait_for(timeout=20_000)


def test_login_through_the_ui_shows_the_enabled_modules(app, base_url, context) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES", sector="minimal")
    page = context.new_page()
    _login(page, base_url, tenant)
    nav = page.get_by_role("navigation").get_by_role("link").all_inner_texts()
    # the "minimal" sector template enables crm, sales and einvoicing only
    assert nav == ["Inicio", "Clientes", "Proveedores", "Productos", "Facturas", "Presupuestos", "Ajustes"]
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["access_token"]["httpOnly"] is True
    assert cookies["csrf_access_token"]["httpOnly"] is False
    screenshot(page, "pwa-home")


def test_a_wrong_password_is_shown_in_spanish(app, base_url, context) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
    page = context.new_page()
    page.goto(base_url + "/app/")
    page.get_by_label("Empresa").fill(tenant.slug)
    page.get_by_label("Correo electrónico").fill(f"owner@{tenant.slug}.test")
    page.get_by_label("Contraseña").fill("wrong-password-1")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_text("Empresa, correo o contraseña incorrectos.").wait_for(timeout=10_000)
    screenshot(page, "pwa-login-error")


def test_the_app_is_installable(base_url, context) -> None:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(base_url + "/app/")
    manifest_href = page.get_attribute("link[rel=manifest]", "href")
    manifest = page.evaluate("href => fetch(href).then(r => r.json())", manifest_href)
    assert (manifest["name"], manifest["start_url"], manifest["scope"], manifest["display"]) == ("GestiQCloud", "/app/", "/app/", "standalone")
    assert manifest["theme_color"] == "#0f4c81"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == base_url + "/app/"
    screenshot(page, "pwa-login")


def test_the_shell_opens_offline(base_url, context) -> None:  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(base_url + "/app/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # the service worker now controls the page and has precached the shell
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20_000)
    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="Entrar").wait_for(timeout=20_000)
    assert page.evaluate("navigator.onLine") is False
    screenshot(page, "pwa-offline")
    context.set_offline(False)
