"""Helpers for API tests: log in as a tenant user, send unsafe requests with the CSRF header."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import OWNER_PASSWORD

USER_PASSWORD = "user-password-1"


@dataclass
class ApiSession:
    """A logged-in test client of one tenant user."""

    client: FlaskClient
    tenant_id: uuid.UUID
    tenant_slug: str
    email: str
    user_id: uuid.UUID

    def _csrf(self) -> str:
        cookie = self.client.get_cookie("csrf_access_token")
        return cookie.value if cookie else ""

    def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        """GET (no CSRF needed)."""
        return self.client.get(url, **kwargs)

    def send(self, method: str, url: str, json: Any = None, headers: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """Send an unsafe request with the X-CSRF-TOKEN header."""
        all_headers = {"X-CSRF-TOKEN": self._csrf(), **(headers or {})}
        return self.client.open(url, method=method, json=json, headers=all_headers, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """POST with CSRF."""
        return self.send("POST", url, json=json, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """PUT with CSRF."""
        return self.send("PUT", url, json=json, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """PATCH with CSRF."""
        return self.send("PATCH", url, json=json, **kwargs)

    def delete(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        """DELETE with CSRF."""
        return self.send("DELETE", url, **kwargs)


def login(app, tenant_slug: str, email: str, password: str = OWNER_PASSWORD) -> ApiSession:  # type: ignore[no-untyped-def]
    """Log in through the API with a fresh client and return the session (asserts success)."""
    client = app.test_client()
    response = client.post("/api/v1/tenant/auth/login", json={"tenant": tenant_slug, "email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    user = response.get_json()["user"]
    return ApiSession(client, uuid.UUID(user["tenant"]["id"]), tenant_slug, email, uuid.UUID(user["id"]))


def add_user(app, tenant, role: str) -> str:  # type: ignore[no-untyped-def]
    """Create an active user with `role` in the tenant and return its e-mail (password USER_PASSWORD)."""
    from gestiq_app.identity.services import create_user

    email = f"{role}-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    with app.app_context():
        create_user(tenant_id=tenant.id, email=email, name=role.title(), password=USER_PASSWORD, role=role, actor="test")
    return email


def login_as(app, tenant, role: str) -> ApiSession:  # type: ignore[no-untyped-def]
    """Log in as the owner (role="owner") or as a new user with that role."""
    if role == "owner":
        return login(app, tenant.slug, f"owner@{tenant.slug}.test")
    return login(app, tenant.slug, add_user(app, tenant, role), USER_PASSWORD)


@dataclass
class TokenSession:
    """A test client calling with an integration token (Authorization: Bearer), no cookies and no CSRF."""

    client: FlaskClient
    token: str

    def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        """GET with the token."""
        return self.send("GET", url, **kwargs)

    def send(self, method: str, url: str, json: Any = None, headers: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """Send a request with the token."""
        return self.client.open(url, method=method, json=json, headers={"Authorization": f"Bearer {self.token}", **(headers or {})}, **kwargs)


def login_with_token(app, tenant, permissions: list[str]) -> TokenSession:  # type: ignore[no-untyped-def]
    """Create an integration token of the tenant's owner limited to `permissions` and return a session using it."""
    from sqlalchemy import select

    from gestiq_app.extensions import db
    from gestiq_app.identity.models import TenantUser
    from gestiq_app.identity.token_services import create_api_token
    from gestiq_app.tenancy.context import tenant_context

    with app.app_context():
        with tenant_context(tenant.id):
            owner_id = db.session.scalar(select(TenantUser.id).where(TenantUser.role == "owner"))
        _, secret = create_api_token(tenant_id=tenant.id, creator_id=owner_id, name="test", permissions=permissions)
    return TokenSession(app.test_client(), secret)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash new users' passwords with one PBKDF2 round: tests that are not about passwords log in many users.

    Import it into a test package's conftest.py to turn it on there; the auth tests keep the real scrypt cost.
    """
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("gestiq_app.identity.services.generate_password_hash", partial(generate_password_hash, method="pbkdf2:sha256:1"))
