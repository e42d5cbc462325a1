"""Liveness and readiness endpoints."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from gestiq_app.extensions import db
from gestiq_app.jobs import storage_is_reachable

blueprint = Blueprint("health", __name__)


@blueprint.get("/health")
def health() -> ResponseReturnValue:
    """Answer 200 while the process serves requests."""
    return jsonify(status="ok")


@blueprint.get("/ready")
def ready() -> ResponseReturnValue:
    """Check the database, Huey's storage and Redis when configured; 503 names what failed."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - report any database failure
        checks["database"] = f"error: {type(error).__name__}"
    finally:
        db.session.rollback()
    is_ok, detail = storage_is_reachable()
    checks["jobs"] = "ok" if is_ok else f"error: {detail}"
    redis_url = current_app.config["GESTIQ_REDIS_URL"]
    if redis_url:
        checks["redis"] = _check_redis(redis_url)
    failed = sorted(name for name, value in checks.items() if value != "ok")
    if failed:
        return jsonify(status="unavailable", failed=failed, checks=checks), 503
    return jsonify(status="ok", checks=checks)


def _check_redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        return f"error: {type(error).__name__}"
    return "ok"
