"""Security headers on the PWA shell, the back office and the API; the PWA and the admin work under their CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gestiq_app.security_headers import ADMIN_CSP, API_CSP, HSTS, PWA_CSP
from tests.admin.conftest import ADMIN_PASSWORD, admin_login
from tests.browser import chromium, live_server
from tests.factories import OWNER_PASSWORD

PWA_DIST = Path(__file__).resolve().parents[2] / "tenant-pwa" / "dist"
SURFACES = [
    ("/app/", PWA_CSP),
    ("/app/clientes", PWA_CSP),
    ("/admin/", ADMIN_CSP),
    ("/admin/login/", ADMIN_CSP),
    ("/admin/tenantview/list/", ADMIN_CSP),
    ("/api/v1/tenant/auth/me", API_CSP),
    ("/api/v1/does-not-exist", API_CSP),
    ("/openapi.json", API_CSP),
]
#: Reports every CSP violation of the page into window.__cspViolations (in addition to the console).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.mark.parametrize(("path", "policy"), SURFACES)
def test_each_surface_has_its_csp_nosniff_and_no_banner(client, path: str, policy: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in response.headers and "X-Powered-By" not in response.headers
    assert "Strict-Transport-Security" not in response.headers  # only in production


@pytest.mark.parametrize(("path", "policy"), SURFACES)
def test_production_adds_hsts(app, client, monkeypatch, path: str, policy: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_ENV", "production")
    response = client.get(path)
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert response.headers["Content-Security-Policy"] == policy


def test_the_api_docs_keep_their_own_csp(client) -> None:  # type: ignore[no-untyped-def]
    from api import DOCS_CSP

    assert client.get("/docs").headers["Content-Security-Policy"] == DOCS_CSP


def _watch(page: Any) -> list[str]:
    console: list[str] = []
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None)
    return console


def _violations(page: Any, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__cspViolations || []")


def _log_in_to_the_pwa(page: Any, base: str, tenant: Any) -> Any:
    response = page.goto(f"{base}/app/")
    page.fill("#login-tenant", tenant.slug)
    page.fill("#login-email", f"owner@{tenant.slug}.test")
    page.fill("#login-password", OWNER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#main-nav", state="attached", timeout=20_000)
    return response


def test_the_pwa_logs_in_under_its_csp_without_violations(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    assert (PWA_DIST / "index.html").is_file(), "build the PWA first (make build-pwa)"
    tenant, _other = tenant_pair
    with live_server(app) as base, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        console = _watch(page)
        response = _log_in_to_the_pwa(page, base, tenant)
        assert response is not None and response.headers["content-security-policy"] == PWA_CSP
        # The service worker (worker-src) and the manifest (manifest-src) load under the policy too.
        worker = page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.active.scriptURL)")
        manifest = page.evaluate("fetch('/app/manifest.webmanifest').then((response) => response.status)")
        violations = _violations(page, console)
        context.close()
    assert worker == f"{base}/app/sw.js"
    assert manifest == 200
    assert violations == []


def test_the_back_office_works_under_its_csp_without_violations(app, back_office_user) -> None:  # type: ignore[no-untyped-def]
    username = back_office_user("Admin")
    client = app.test_client()
    admin_login(client, username, ADMIN_PASSWORD)
    session_cookie = client.get_cookie("session")
    assert session_cookie is not None
    pages = ["/admin/login/", "/admin/", "/admin/tenantview/list/", "/admin/tenantview/add", "/admin/users/list/",
             "/admin/auditeventview/list/"]
    visited = {}
    with live_server(app) as base, chromium() as browser:
        context = browser.new_context()
        context.add_cookies([{"name": "session", "value": session_cookie.value, "url": base}])
        page = context.new_page()
        console = _watch(page)
        for path in pages:
            response = page.goto(f"{base}{path}")
            assert response is not None
            visited[path] = (response.status, response.headers.get("content-security-policy"))
            page.wait_for_load_state("load")
            console += page.evaluate("window.__cspViolations || []")
        violations = console
        context.close()
    assert visited == {path: (200, ADMIN_CSP) for path in pages}
    assert violations == []
