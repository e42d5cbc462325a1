"""Run every case of edge/vectors.json against EdgeMiddleware wrapped around a scripted WSGI backend."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from edge.middleware import EdgeMiddleware

VECTORS_PATH = Path(__file__).resolve().parents[2] / "edge" / "vectors.json"
DOCUMENT: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
VECTORS: list[dict[str, Any]] = DOCUMENT["vectors"]
VECTOR_NAMES = [vector["name"] for vector in VECTORS]
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
VECTOR_KEYS = {"name", "description", "environment", "request", "backend", "expect"}
REQUEST_KEYS = {"method", "url", "headers", "body", "client_ip"}
BACKEND_KEYS = {"status", "headers", "set_cookie", "body"}
EXPECT_KEYS = {
    "status", "headers", "absent_headers", "set_cookie", "request_id", "body", "body_json",
    "backend_called", "backend_received", "proxied_request",
}
RECEIVED_KEYS = {"headers", "absent_headers", "body"}
PROXIED_KEYS = {"url", "method", "headers", "absent_headers"}

RAN_VECTORS: set[str] = set()


class ScriptedBackend:
    """Play one vector's backend response and record the environ it was called with."""

    def __init__(self, backend: dict[str, Any] | None) -> None:
        """Keep the scripted response (None: the backend must not be called)."""
        self.backend = backend
        self.calls: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Record the request and answer with the scripted status, headers, cookies and body."""
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.calls.append({"environ": dict(environ), "body": body.decode("utf-8")})
        if self.backend is None:
            raise AssertionError("the backend must not be called for this vector")
        status = self.backend["status"]
        headers = [(name, value) for name, value in self.backend["headers"]]
        headers += [("Set-Cookie", line) for line in self.backend["set_cookie"]]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [self.backend["body"].encode("utf-8")]


def environ_key(name: str) -> str:
    """Return the WSGI environ key of a request header."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def build_environ(request: dict[str, Any]) -> dict[str, Any]:
    """Build a WSGI environ by hand, so raw values (CR/LF) reach the middleware untouched."""
    url = urlsplit(request["url"])
    body = (request["body"] or "").encode("utf-8")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": url.path,
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname,
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": request["client_ip"],
        "HTTP_HOST": url.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in request["headers"]:
        key = environ_key(name)
        # Servers join a repeated header with a comma, as werkzeug's dev server does.
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """Return a response header's values joined with ', ' (as Fetch does), or None when absent."""
    values = [value for header, value in headers if header.lower() == name.lower()]
    return ", ".join(values) if values else None


def fill(value: Any, request_id: str) -> Any:
    """Replace the {request_id} placeholder in strings nested anywhere in value."""
    if isinstance(value, str):
        return value.replace("{request_id}", request_id)
    if isinstance(value, list):
        return [fill(item, request_id) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, request_id) for key, item in value.items()}
    return value


def validate_vector(vector: dict[str, Any]) -> None:
    """Fail on unknown keys, so a typo cannot silently skip a check."""
    assert set(vector) <= VECTOR_KEYS, set(vector) - VECTOR_KEYS
    assert set(vector["request"]) <= REQUEST_KEYS
    assert vector["backend"] is None or set(vector["backend"]) <= BACKEND_KEYS
    expect = vector["expect"]
    assert set(expect) <= EXPECT_KEYS, set(expect) - EXPECT_KEYS
    assert set(expect.get("backend_received", {})) <= RECEIVED_KEYS
    assert set(expect.get("proxied_request", {})) <= PROXIED_KEYS
    assert expect["request_id"] in ("kept", "regenerated")
    assert expect["backend_called"] is (vector["backend"] is not None)


def client_request_id(request: dict[str, Any]) -> str | None:
    """Return the X-Request-ID value the client sent, repeated headers joined."""
    values = [value for name, value in request["headers"] if name.lower() == "x-request-id"]
    return ",".join(values) if values else None


def run_vector(vector: dict[str, Any]) -> None:
    """Run one vector through the middleware and assert every expectation."""
    validate_vector(vector)
    backend = ScriptedBackend(vector["backend"])
    middleware = EdgeMiddleware(backend, environment=vector["environment"])
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    chunks = middleware(build_environ(vector["request"]), start_response)
    body = b"".join(chunks).decode("utf-8")
    getattr(chunks, "close", lambda: None)()
    expect = vector["expect"]
    headers: list[tuple[str, str]] = captured["headers"]
    request_id = header_value(headers, "X-Request-ID")
    assert request_id is not None
    sent = client_request_id(vector["request"])
    if expect["request_id"] == "kept":
        assert sent is not None and request_id == sent.strip(" \t\r\n")
    else:
        assert UUID4.fullmatch(request_id) and request_id != sent
    assert int(captured["status"].split(" ", 1)[0]) == expect["status"]
    for name, value in fill(expect["headers"], request_id).items():
        assert header_value(headers, name) == value, name
    for name in expect["absent_headers"]:
        assert header_value(headers, name) is None, name
    assert [value for name, value in headers if name.lower() == "set-cookie"] == expect["set_cookie"]
    if "body" in expect:
        assert body == expect["body"]
    if "body_json" in expect:
        assert json.loads(body) == fill(expect["body_json"], request_id)
    assert len(backend.calls) == (1 if expect["backend_called"] else 0)
    if not expect["backend_called"]:
        return
    environ = backend.calls[0]["environ"]
    assert environ["HTTP_X_REQUEST_ID"] == request_id
    received = expect.get("backend_received", {})
    for name, value in fill(received.get("headers", {}), request_id).items():
        assert environ.get(environ_key(name)) == value, name
    for name in received.get("absent_headers", []):
        assert environ_key(name) not in environ, name
    if "body" in received:
        assert backend.calls[0]["body"] == received["body"]


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_NAMES)
def test_vector(vector: dict[str, Any]) -> None:
    """Check one conformance vector against the WSGI middleware."""
    run_vector(vector)
    RAN_VECTORS.add(vector["name"])


def test_vector_names_are_unique() -> None:
    """Refuse duplicate names, which would hide a case behind another."""
    assert len(VECTOR_NAMES) == len(set(VECTOR_NAMES))


def test_every_vector_ran_and_passed(request: pytest.FixtureRequest) -> None:
    """Fail unless every vector of vectors.json was collected, ran and passed in this session."""
    collected = {
        item.callspec.params["vector"]["name"]
        for item in request.session.items
        if item.originalname == "test_vector"
    }
    assert collected == set(VECTOR_NAMES)
    assert RAN_VECTORS == set(VECTOR_NAMES)
