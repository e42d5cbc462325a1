"""Hostile input on every API operation that takes a JSON body: a clear 4xx problem, bounded memory, nothing written.

Operations come from the OpenAPI document (those with a requestBody), so new domains are covered when merged.
"""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
import uuid
from typing import Any

import psutil
import pytest
from sqlalchemy import create_engine, func, select, text

from gestiq_app.db import Base
from tests.api_helpers import login_as
from tests.security import hostile
from tests.security.live import raise_rate_limits

MIB = 1024 * 1024
#: Allowed peak of Python allocations while answering one request, given the body size.
BASE_ALLOWANCE = 32 * MIB
PER_BODY_BYTE = 8
RSS_GROWTH_LIMIT = 256 * MIB


def _body_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Return (method, url, request schema) of every operation with a JSON body (path ids filled with a random uuid)."""
    operations = []
    for path, item in sorted(spec["paths"].items()):
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for method, operation in sorted(item.items()):
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                operations.append((method.upper(), url, _resolve(spec, content["application/json"]["schema"])))
    return operations


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _a_string_field(schema: dict[str, Any]) -> str:
    strings = sorted(name for name, prop in schema.get("properties", {}).items() if prop.get("type") == "string")
    return strings[0] if strings else "name"


def _payloads(schema: dict[str, Any]) -> dict[str, bytes]:
    field = _a_string_field(schema)
    return {
        "nested arrays x10000": hostile.deeply_nested_json(10_000),
        "nested objects x10000": hostile.deeply_nested_json(10_000, kind="object"),
        "float 1e400": hostile.number_json(field, hostile.huge_float_literal()),
        "integer of 5000 digits": hostile.number_json(field, hostile.huge_integer_literal()),
        "invalid UTF-8": hostile.invalid_utf8_json(field),
        "5 MB string": hostile.long_string_json(field),
        "not JSON": b"{'tenant': 1,",
    }


def _row_counts(owner_url: str) -> dict[str, int]:
    engine = create_engine(owner_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.platform_scope', 'on', true)"))
            return {table.name: connection.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def _assert_problem(response: Any, label: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (label, response.status_code, response.get_data(as_text=True)[:300])
    assert response.content_type == "application/problem+json", label
    body = response.get_json()
    assert body["status"] == response.status_code and body["request_id"] == response.headers["X-Request-ID"], label
    assert "browser" not in body["detail"] and "Invalid JSON" not in response.get_data(as_text=True), (label, body)
    return body


@pytest.fixture()
def owner(app, tenant_pair, monkeypatch):  # type: ignore[no-untyped-def]
    """Tenant A's owner, logged in (hostile bodies must reach the parsing of protected operations too)."""
    raise_rate_limits(app, monkeypatch)
    return login_as(app, tenant_pair[0], "owner")


def test_hostile_json_bodies_get_a_clear_4xx_with_bounded_memory_and_no_writes(app, client, owner, database_urls) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").get_json()
    operations = _body_operations(spec)
    assert len(operations) >= 10
    counts_before = _row_counts(database_urls["owner"])
    rss_before = psutil.Process().memory_info().rss
    peaks: dict[str, int] = {}
    for method, url, schema in operations:
        for label, body in _payloads(schema).items():
            tracemalloc.start()
            try:
                response = owner.send(method, url, data=body, content_type="application/json")
                _peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            _assert_problem(response, f"{method} {url} {label}")
            peaks[f"{method} {url} {label}"] = _peak
            assert _peak < BASE_ALLOWANCE + PER_BODY_BYTE * len(body), (method, url, label, _peak)
    rss_growth = psutil.Process().memory_info().rss - rss_before
    assert rss_growth < RSS_GROWTH_LIMIT, rss_growth
    assert _row_counts(database_urls["owner"]) == counts_before


def test_duplicate_json_keys_are_refused(owner) -> None:  # type: ignore[no-untyped-def]
    body = hostile.duplicate_keys_json("require_two_factor", "true", "false").replace(b'"true"', b"true").replace(b'"false"', b"false")
    before = owner.send("GET", "/api/v1/tenant/settings/security").get_json()
    response = owner.send("PUT", "/api/v1/tenant/settings/security", data=body, content_type="application/json")
    problem = _assert_problem(response, "duplicate keys")
    assert problem["status"] == 400 and problem["type"].endswith("invalid-json"), problem
    assert owner.send("GET", "/api/v1/tenant/settings/security").get_json() == before


def test_flask_get_json_refuses_duplicate_keys_too(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/x", method="POST", data=b'{"a": 1, "a": 2}', content_type="application/json"):
        from flask import request
        from werkzeug.exceptions import BadRequest

        with pytest.raises(BadRequest):
            request.get_json()
    with app.test_request_context("/x", method="POST", data=b'{"a": 1, "b": {"a": 2}}', content_type="application/json"):
        from flask import request

        assert request.get_json() == {"a": 1, "b": {"a": 2}}


def test_a_16_kb_cookie_is_a_401_problem(app) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.get("/api/v1/tenant/auth/me", headers={"Cookie": hostile.oversized_cookie()})
    assert _assert_problem(response, "16 KB cookie")["status"] == 401
    unsafe = client.post("/api/v1/tenant/users/invitations", json={}, headers={"Cookie": hostile.oversized_cookie(name="csrf_access_token")})
    assert _assert_problem(unsafe, "16 KB CSRF cookie")["status"] == 401


@pytest.mark.parametrize("request_id", [hostile.oversized_request_id(), hostile.crlf_request_id(), "short", "ok\x00nul-byte-id"])
def test_bad_request_ids_are_replaced_never_echoed(client, request_id: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/tenant/auth/me", environ_overrides={"HTTP_X_REQUEST_ID": request_id})
    body = _assert_problem(response, "request id")
    assert str(uuid.UUID(response.headers["X-Request-ID"])) == response.headers["X-Request-ID"] == body["request_id"]
    assert "Set-Cookie" not in response.headers and "injected" not in str(response.headers).lower()
    assert request_id not in response.get_data(as_text=True)


def test_hostile_upload_helpers_build_what_they_promise() -> None:
    bomb = hostile.zip_bomb(uncompressed_bytes=64 * MIB)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(info.file_size for info in archive.infolist()) == 64 * MIB
    assert len(bomb) < 256 * 1024
    assert b"\x00" in hostile.nul_byte_csv()
    assert hostile.wide_csv().split(b"\n", 1)[0].count(b",") == 9_999
    rows = list(csv.reader(io.StringIO(hostile.formula_injection_csv().decode(), newline="")))
    assert [row[0] for row in rows[1:]] == list(hostile.FORMULA_CELLS)
    assert not any(hostile.is_formula_safe(cell.strip('"')) for cell in hostile.FORMULA_CELLS)
    assert hostile.is_formula_safe("'=1+1") and hostile.is_formula_safe("Cliente 1")
