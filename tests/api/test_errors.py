"""Every non-2xx API response is problem+json with the request id; no traceback leaks."""

from __future__ import annotations

import json
import logging

import pytest
from tests.api_helpers import login


def _is_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert set(body) >= {"type", "title", "status", "detail", "request_id"}
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_unknown_route_is_404(client) -> None:  # type: ignore[no-untyped-def]
    body = _is_problem(client.get("/api/v1/does-not-exist", headers={"X-Request-ID": "req-12345678"}), 404)
    assert body["request_id"] == "req-12345678"


def test_wrong_method_is_405_with_allow(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/tenant/auth/login")
    _is_problem(response, 405)
    assert sorted(response.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]


def test_wrong_content_type_is_415(client) -> None:  # type: ignore[no-untyped-def]
    _is_problem(client.post("/api/v1/tenant/auth/login", data="tenant=x", content_type="application/x-www-form-urlencoded"), 415)


def test_body_over_the_limit_is_413(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    _is_problem(client.post("/api/v1/tenant/auth/login", data=json.dumps({"x": "a" * 4096}), content_type="application/json"), 413)


def test_validation_errors_name_each_field(client) -> None:  # type: ignore[no-untyped-def]
    body = _is_problem(client.post("/api/v1/tenant/auth/login", json={"tenant": "", "email": "a@b.c", "password": "x", "role": "owner"}), 422)
    assert body["errors"] == {"tenant": ["Entre 1 y 63 caracteres."], "role": ["Campo desconocido."]}


def test_malformed_json_is_400_or_422_never_500(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/tenant/auth/login", data=b'{"tenant": ', content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.content_type == "application/problem+json"


def test_an_unexpected_error_is_500_without_a_traceback(app, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.identity import auth_services

    def explode(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(auth_services, "login", explode)
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().post("/api/v1/tenant/auth/login", json={"tenant": "x", "email": "a@b.c", "password": "p"})
    body = _is_problem(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["detail"] == "Se ha producido un error inesperado. Indique el request_id al soporte."
    assert any("unhandled error" in record.getMessage() for record in caplog.records)


def test_admin_pages_keep_html_errors(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/does-not-exist")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


def test_access_log_line_is_json_with_request_context(app, tenant_pair, json_log) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    session.get("/api/v1/tenant/auth/me", headers={"X-Request-ID": "log-test-0001"})
    lines = json_log()
    access = [line for line in lines if line.get("name") == "gestiq.access" and line.get("request_id") == "log-test-0001"]
    assert len(access) == 1
    entry = access[0]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/v1/tenant/auth/me", 200)
    assert entry["tenant_id"] == str(tenant_a.id)
    assert entry["user_id"] == f"user:{session.user_id}"
    assert isinstance(entry["duration_ms"], float)


def test_client_telemetry_reaches_the_logs(app, client, json_log) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/telemetry/client", json={"kind": "error", "message": "TypeError: x is undefined",
                                                              "request_id": "failing-req-42", "path": "/app/invoices"})
    lines = json_log()
    assert response.status_code == 202
    reports = [line for line in lines if line.get("name") == "gestiq.client"]
    assert len(reports) == 1
    assert reports[0]["failing_request_id"] == "failing-req-42"
    assert reports[0]["client"]["message"] == "TypeError: x is undefined"


@pytest.mark.parametrize("bad", [{"kind": "error", "message": "x" * 2001}, {"kind": "evil", "message": "x"}])
def test_client_telemetry_validates(client, bad) -> None:  # type: ignore[no-untyped-def]
    _is_problem(client.post("/api/v1/telemetry/client", json=bad), 422)
