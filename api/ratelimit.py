"""Rate limits through FAB's Flask-Limiter instance (Redis storage when configured, memory otherwise)."""

from __future__ import annotations

import time

from flask import current_app, request
from limits import parse

from api.errors import ApiProblem


def client_ip() -> str:
    """Return the caller's address (X-Forwarded-For is only trusted through ProxyFix/edge settings)."""
    return request.remote_addr or "unknown"


def enforce(setting: str, key: str) -> None:
    """Count one hit of `key` against the limit in config[`setting`]; 429 with Retry-After when exceeded."""
    from gestiq_app.extensions import appbuilder

    limiter = appbuilder.sm.limiter
    if not limiter.enabled:
        return
    item = parse(current_app.config[setting])
    strategy = limiter.limiter
    if strategy.hit(item, "gestiq", setting, key):
        return
    reset_at, _remaining = strategy.get_window_stats(item, "gestiq", setting, key)
    retry_after = max(1, int(reset_at - time.time()))
    raise ApiProblem(429, "Demasiados intentos. Espere antes de volver a intentarlo.", slug="rate-limited",
                     headers={"Retry-After": str(retry_after)})
