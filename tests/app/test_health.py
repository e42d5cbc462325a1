"""Health, readiness, request ids and the URL map."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy.exc import OperationalError


def test_health_is_ok(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_checks_database_and_jobs(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/ready")
    assert response.status_code == 200
    expected = {"database": "ok", "jobs": "ok"}
    if app.config["GESTIQ_REDIS_URL"]:
        expected["redis"] = "ok"
    assert response.get_json() == {"status": "ok", "checks": expected}


def test_ready_names_an_unreachable_redis(client, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis"]
    assert body["checks"]["redis"] == "error: ConnectionError"


def test_ready_names_a_failing_database(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.extensions import db

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/ready")
    assert response.status_code == 503
    assert "database" in response.get_json()["failed"]
    assert response.get_json()["checks"]["database"] == "error: OperationalError"


def test_a_valid_request_id_is_echoed(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/health", headers={"X-Request-ID": "abc.DEF_123-xyz"})
    assert response.headers["X-Request-ID"] == "abc.DEF_123-xyz"


def test_an_invalid_request_id_is_replaced(client) -> None:  # type: ignore[no-untyped-def]
    for bad in ("short", "x" * 129, "has space in it", "semi;colon-123"):
        echoed = client.get("/health", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert echoed != bad
        assert uuid.UUID(echoed).version == 4


def test_no_two_url_rules_share_a_path_and_method(app) -> None:  # type: ignore[no-untyped-def]
    pairs = Counter(
        (rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    )
    assert [pair for pair, count in pairs.items() if count > 1] == []


def test_fab_lives_under_admin_and_nothing_else_of_fab_is_at_the_root(app) -> None:  # type: ignore[no-untyped-def]
    fab_endpoints = {name for name, view in app.view_functions.items() if "flask_appbuilder" in getattr(view, "__module__", "")}
    rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in fab_endpoints or rule.endpoint.startswith("appbuilder")]
    assert rules, "FAB views must be registered"
    assert [rule for rule in rules if not rule.startswith("/admin/")] == []
    assert [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/security")] == []
