"""Tests of EdgeMiddleware beyond the shared vectors: proxies, stacking, construction, exc_info."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from edge.middleware import REQUEST_ID_ENVIRON_KEY, EdgeMiddleware
from edge.policy import PolicyError, load_policy_document

SEEN: list[dict[str, Any]] = []


def recording_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Record the environ and answer with a login-like response."""
    SEEN.append(dict(environ))
    start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Set-Cookie", "access_token=a1"), ("Server", "Werkzeug"), ("Vary", "Cookie")],
    )
    return [b"ok"]


@pytest.fixture(autouse=True)
def clear_seen() -> None:
    """Start every test with an empty record of environs."""
    SEEN.clear()


def test_untrusted_forwarded_headers_are_ignored_without_proxies() -> None:
    """Leave REMOTE_ADDR and the scheme alone when no proxy is trusted."""
    client = Client(EdgeMiddleware(recording_app, environment="production"))
    client.get("/", headers={"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"},
               environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert SEEN[0]["REMOTE_ADDR"] == "10.0.0.5"
    assert SEEN[0]["wsgi.url_scheme"] == "http"


def test_one_trusted_proxy_sets_client_address_scheme_and_host() -> None:
    """Believe the last hop's X-Forwarded-For/Proto/Host when one proxy (the Worker) is trusted."""
    client = Client(EdgeMiddleware(recording_app, environment="production", trusted_proxies=1))
    client.get(
        "/",
        headers={
            "X-Forwarded-For": "198.51.100.66, 203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "api.gestiqcloud.com",
        },
        environ_base={"REMOTE_ADDR": "10.0.0.5"},
    )
    assert SEEN[0]["REMOTE_ADDR"] == "203.0.113.7"
    assert SEEN[0]["wsgi.url_scheme"] == "https"
    assert SEEN[0]["HTTP_HOST"] == "api.gestiqcloud.com"


def test_negative_trusted_proxies_is_refused() -> None:
    """Refuse a negative number of trusted proxies."""
    with pytest.raises(ValueError, match="trusted_proxies"):
        EdgeMiddleware(recording_app, trusted_proxies=-1)


def test_unknown_environment_is_refused_at_construction() -> None:
    """Fail at start-up, not at the first request, on an unknown environment."""
    with pytest.raises(PolicyError):
        EdgeMiddleware(recording_app, environment="prod")


def test_policy_path_is_honoured(tmp_path: Path) -> None:
    """Read the policy from the given path instead of the shipped one."""
    document = load_policy_document()
    document["environments"]["production"]["allowed_origins"] = ["https://other.example"]
    document["environments"]["production"]["tenant_parent_domain"] = None
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    client = Client(EdgeMiddleware(recording_app, policy_path=path, environment="production"))
    response = client.get("/", headers={"Origin": "https://other.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://other.example"
    response = client.get("/", headers={"Origin": "https://app.gestiqcloud.com"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_app_sees_the_echoed_request_id() -> None:
    """Give the app the same id that the client gets back, in the header and the environ key."""
    client = Client(EdgeMiddleware(recording_app, environment="production"))
    response = client.get("/", headers={"X-Request-ID": "x"})
    echoed = response.headers["X-Request-ID"]
    assert echoed != "x"
    assert SEEN[0]["HTTP_X_REQUEST_ID"] == echoed
    assert SEEN[0][REQUEST_ID_ENVIRON_KEY] == echoed


def test_stacked_edges_give_the_same_response_as_one() -> None:
    """Produce identical headers when the Worker's policy already ran (policy applied twice)."""
    once = Client(EdgeMiddleware(recording_app, environment="production"))
    twice = Client(EdgeMiddleware(EdgeMiddleware(recording_app, environment="production"), environment="production"))
    headers = {"Origin": "https://acme.gestiqcloud.com", "X-Request-ID": "stacked-0001"}
    first = once.get("/", headers=headers)
    second = twice.get("/", headers=headers)
    assert sorted(first.headers.to_wsgi_list()) == sorted(second.headers.to_wsgi_list())
    assert first.headers.getlist("Set-Cookie") == [
        "access_token=a1; Domain=gestiqcloud.com; Path=/; Secure; HttpOnly; SameSite=Lax"
    ]
    assert first.headers["Vary"] == "Cookie, Origin"


def test_exc_info_is_passed_through() -> None:
    """Hand the app's exc_info to the server, with hardened headers."""
    received: dict[str, Any] = {}

    def failing_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response("500 Internal Server Error", [("X-Powered-By", "Flask")], sys.exc_info())
        return [b"error"]

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        received.update(status=status, headers=headers, exc_info=exc_info)
        return lambda data: None

    middleware = EdgeMiddleware(failing_app, environment="production")
    body = b"".join(middleware({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, start_response))
    assert body == b"error"
    assert received["status"] == "500 Internal Server Error"
    assert received["exc_info"][0] is RuntimeError
    assert "x-powered-by" not in {name.lower() for name, _ in received["headers"]}


def test_preflight_is_answered_without_calling_the_app() -> None:
    """Answer an allowed preflight with 204 and an empty body, never reaching the app."""
    client = Client(EdgeMiddleware(recording_app, environment="development"))
    response = client.options(
        "/api/v1/tenant/auth/login",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert SEEN == []
