"""The real Worker (wrangler dev --local) in front of the real Flask app: hardened login cookies, request id in the log."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.edge.test_wrangler_smoke import RecordingBackend, call, edge, values  # noqa: F401 - `edge` fixture reused
from tests.browser import live_server

pytestmark = pytest.mark.usefixtures("edge")


@pytest.fixture(scope="module")
def backend(app: Any):  # type: ignore[no-untyped-def]
    """Serve the real GestiQCloud app on loopback behind the edge (the app's own log records what arrived)."""
    with live_server(app) as url:
        yield RecordingBackend(url=url)


@pytest.fixture(scope="module")
def real_tenant(app: Any) -> Any:
    """A provisioned tenant whose owner logs in through the edge."""
    from tests.factories import make_tenant

    with app.app_context():
        return make_tenant(country="ES")


EXPECTED = {
    "development": {
        "access_token": "Max-Age=900; Path=/; HttpOnly; SameSite=Lax",
        "refresh_token": "Max-Age=2592000; Path=/api/v1/tenant/auth; HttpOnly; SameSite=Lax",
        "csrf_access_token": "Max-Age=900; Path=/; SameSite=Lax",
        "csrf_refresh_token": "Max-Age=2592000; Path=/; SameSite=Lax",
    },
    "production": {
        "access_token": "Max-Age=900; Domain=gestiqcloud.com; Path=/; Secure; HttpOnly; SameSite=Lax",
        "refresh_token": "Max-Age=2592000; Domain=gestiqcloud.com; Path=/api/v1/tenant/auth; Secure; HttpOnly; SameSite=None; Partitioned",
        "csrf_access_token": "Max-Age=900; Domain=gestiqcloud.com; Path=/; Secure; SameSite=Lax",
        "csrf_refresh_token": "Max-Age=2592000; Domain=gestiqcloud.com; Path=/; Secure; SameSite=Lax",
    },
}


def test_login_through_the_edge_hardens_cookies_and_logs_the_request_id(edge, real_tenant, json_log) -> None:  # type: ignore[no-untyped-def]
    environment, port = edge
    request_id = f"edge-real-{environment}-0001"
    body = json.dumps({"tenant": real_tenant.slug, "email": f"owner@{real_tenant.slug}.test", "password": "owner-password-1"})
    status, headers, raw = call(port, "POST", "/api/v1/tenant/auth/login",
                                {"Content-Type": "application/json", "X-Request-ID": request_id}, body.encode())
    assert status == 200, raw
    assert json.loads(raw)["user"]["email"] == f"owner@{real_tenant.slug}.test"
    cookies = {
        line.split("=", 1)[0]: "; ".join(part for part in line.split("; ")[1:] if not part.startswith("Expires="))
        for line in values(headers, "Set-Cookie")
    }
    for name, attributes in EXPECTED[environment].items():
        assert cookies[name] == attributes, name
    assert values(headers, "X-Request-ID") == [request_id]
    logged = [line for line in json_log() if line.get("name") == "gestiq.access" and line.get("request_id") == request_id]
    assert [(line["method"], line["path"], line["status"]) for line in logged] == [("POST", "/api/v1/tenant/auth/login", 200)]
