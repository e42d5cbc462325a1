"""Back-office fixtures: FAB users per role and a login helper that honours the CSRF token."""

from __future__ import annotations

import re
import uuid

import pytest

ADMIN_PASSWORD = "admin-password-1"


def csrf_token(html: str) -> str:
    """Extract the WTForms CSRF token of a FAB page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'id="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def session_csrf_token(client) -> str:  # type: ignore[no-untyped-def]
    """Return the logged-in user's CSRF token (from the change-my-password form every role may open)."""
    page = client.get("/admin/resetmypassword/form")
    assert page.status_code == 200
    return csrf_token(page.get_data(as_text=True))


def admin_login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    """Log in to /admin/ and return the response."""
    page = client.get("/admin/login/")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/admin/login/", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture()
def back_office_user(app):  # type: ignore[no-untyped-def]
    """Create a FAB user with a given role and return its username."""
    from gestiq_app.extensions import appbuilder, db

    def create(role_name: str) -> str:
        username = f"{role_name.lower()}-{uuid.uuid4().hex[:8]}@gestiq.test"
        with app.app_context():
            role = appbuilder.sm.find_role(role_name)
            assert role is not None, role_name
            user = appbuilder.sm.add_user(username=username, first_name=role_name, last_name="Test", email=username, role=role, password=ADMIN_PASSWORD)
            assert user
            db.session.remove()
        return username

    return create
