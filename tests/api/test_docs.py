"""OpenAPI document, Swagger UI and ReDoc: valid, served from local assets, rendered in Chromium."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from openapi_spec_validator import validate

from tests.browser import chromium, live_server


def test_openapi_json_is_a_valid_openapi_3_document(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "GestiQCloud API"
    assert "/api/v1/tenant/auth/login" in spec["paths"]


def test_every_api_route_is_documented(app, client) -> None:  # type: ignore[no-untyped-def]
    documented = set(client.get("/openapi.json").get_json()["paths"])
    routes = {rule.rule.replace("<uuid:", "{").replace("<", "{").replace(">", "}") for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/")}
    routes = {r if ":" not in r else r.split("{")[0] + "{" + r.split(":")[-1] for r in routes}
    assert sorted(routes - documented) == []


def _money_fields(spec: dict) -> list[tuple[str, str, dict]]:
    found = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        for field, prop in schema.get("properties", {}).items():
            if prop.get("format") == "decimal" or prop.get("type") == "number":
                found.append((name, field, prop))
    return found


def test_money_fields_are_documented_as_strings(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").get_json()
    numbers = [(schema, field) for schema, field, prop in _money_fields(spec) if prop.get("type") != "string"]
    assert numbers == []


def test_every_api_view_declares_its_access_rule(app) -> None:  # type: ignore[no-untyped-def]
    undeclared = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            if getattr(handler, "_gestiq_permission", None) is None:
                undeclared.append(f"{method} {rule.rule}")
    assert undeclared == []


@pytest.mark.parametrize(("path", "selector"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_docs_render_in_chromium_without_leaving_the_machine(app, path: str, selector: str) -> None:  # type: ignore[no-untyped-def]
    docs_assets = Path(__file__).resolve().parents[2] / "api" / "docs" / "node_modules"
    assert docs_assets.is_dir(), "run `make install-node` (api/docs npm ci) first"
    requests: list[str] = []
    failed: dict[str, str] = {}
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("requestfailed", lambda request: failed.__setitem__(request.url, request.failure or ""))
        response = page.goto(base + path)
        assert response is not None and response.status == 200
        page.wait_for_selector(selector, timeout=20_000)
        assert "GestiQCloud API" in page.locator(selector).first.inner_text()
        page.close()
    local = urlparse(base).netloc
    foreign = [url for url in requests if urlparse(url).scheme in {"http", "https"} and urlparse(url).netloc != local]
    # A foreign URL may only appear as blocked by the page's CSP (refused in the browser, never sent).
    assert {url: failed.get(url) for url in foreign} == {url: "csp" for url in foreign}
    assert any("/api-docs-assets/" in url for url in requests)
