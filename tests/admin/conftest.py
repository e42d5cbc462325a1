"""Back-office fixtures: FAB users per role and a login helper that honours the CSRF token."""

from __future__ import annotations

import re
import time
import uuid

import pyotp

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


#: TOTP secrets of the back-office users enrolled during the test session, and the last step each used.
TOTP_SECRETS: dict[str, str] = {}
LAST_STEP: dict[str, int] = {}


def next_totp_code(username: str) -> str:
    """Return a code of a time step the user has not used yet (the server refuses replays)."""
    totp = pyotp.TOTP(TOTP_SECRETS[username])
    step = max(int(time.time() // 30), LAST_STEP.get(username, -1) + 1)
    LAST_STEP[username] = step
    return totp.generate_otp(step)


def admin_login(client, username: str, password: str, *, with_second_factor: bool = True):  # type: ignore[no-untyped-def]
    """Log in to /admin/ (password, then the TOTP step, enrolling on first use); return the last response."""
    page = client.get("/admin/login/")
    token = csrf_token(page.get_data(as_text=True))
    response = client.post("/admin/login/", data={"username": username, "password": password, "csrf_token": token})
    if not with_second_factor or not response.headers.get("Location", "").endswith("/admin/login/second-factor"):
        return response
    step_page = client.get("/admin/login/second-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', step_page)
    if secret:
        TOTP_SECRETS[username] = secret.group(1)
    return client.post("/admin/login/second-factor", data={"code": next_totp_code(username), "csrf_token": csrf_token(step_page)})
