"""HTTP helpers for tests against a live server: a logged-in `requests` session that sends the CSRF header."""

from __future__ import annotations

from typing import Any

import requests

from tests.factories import OWNER_PASSWORD

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TIMEOUT_SECONDS = 30


class CsrfSession(requests.Session):
    """A requests session that copies the csrf_access_token cookie into X-CSRF-TOKEN on unsafe methods."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send the request with the CSRF header (unsafe methods) and a timeout."""
        if method.upper() in UNSAFE_METHODS:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-TOKEN", self.cookies.get("csrf_access_token", default=""))
            kwargs["headers"] = headers
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(method, url, *args, **kwargs)


def login_owner(base_url: str, tenant_slug: str, password: str = OWNER_PASSWORD) -> CsrfSession:
    """Log in as the tenant's owner over HTTP and return the session (asserts success)."""
    session = CsrfSession()
    response = session.post(f"{base_url}/api/v1/tenant/auth/login",
                            json={"tenant": tenant_slug, "email": f"owner@{tenant_slug}.test", "password": password})
    assert response.status_code == 200, response.text
    return session


def mint_tokens(app: Any, tenant_id: Any, email: str) -> Any:
    """Issue a session for a tenant user directly (no password hashing, no second factor): fast, and independent of both."""
    from sqlalchemy import select

    from gestiq_app.db import unit_of_work
    from gestiq_app.identity.auth_services import access_claims
    from gestiq_app.identity.models import TenantUser
    from gestiq_app.identity.sessions import TENANT, issue_tokens
    from gestiq_app.tenancy.context import tenant_context

    with app.test_request_context(), tenant_context(tenant_id), unit_of_work() as current:
        user = current.scalar(select(TenantUser).where(TenantUser.email == email))
        return issue_tokens(kind=TENANT, subject=str(user.id), claims=access_claims(user), tenant_id=tenant_id)


def minted_session(app: Any, tenant: Any) -> CsrfSession:
    """Return a requests session carrying a freshly issued owner session of the tenant (see `mint_tokens`)."""
    tokens = mint_tokens(app, tenant.id, f"owner@{tenant.slug}.test")
    session = CsrfSession()
    session.cookies.set("access_token", tokens.access_token, domain="127.0.0.1", path="/")
    session.cookies.set("csrf_access_token", tokens.access_csrf, domain="127.0.0.1", path="/")
    return session


def raise_rate_limits(app: Any, monkeypatch: Any) -> None:
    """Lift the rate limits for a test (a new limit string also means fresh counters, so later tests are unaffected)."""
    for setting in ("GESTIQ_RATELIMIT_LOGIN_IP", "GESTIQ_RATELIMIT_LOGIN_ACCOUNT", "GESTIQ_RATELIMIT_TELEMETRY"):
        monkeypatch.setitem(app.config, setting, "1000000/minute")
