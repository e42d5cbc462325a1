"""Back-office API auth: password + mandatory TOTP, cookies, refresh reuse, logout."""

from __future__ import annotations

import time

import pyotp

from tests.admin.conftest import ADMIN_PASSWORD


def _cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def _attributes(line: str) -> list[str]:
    return sorted(part.strip() for part in line.split(";")[1:] if not part.strip().lower().startswith("expires="))


def _login(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    first = client.post("/api/v1/admin/auth/login", json={"email": username, "password": ADMIN_PASSWORD})
    assert first.status_code == 200
    body = first.get_json()
    assert (body["second_factor_required"], body["enrollment_required"], body["user"]) == (True, True, None)
    secret = body["totp_secret"]
    done = client.post("/api/v1/admin/auth/login/totp", json={"code": pyotp.TOTP(secret).now()})
    return client, secret, done


def test_admin_login_requires_totp_and_sets_the_admin_cookies(app, back_office_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_ENV", "production")
    username = back_office_user("Admin")
    client, _secret, done = _login(app, username)
    assert done.status_code == 200
    body = done.get_json()
    assert (body["user"]["email"], body["user"]["roles"], len(body["recovery_codes"])) == (username, ["Admin"], 10)
    cookies = _cookies(done)
    assert _attributes(cookies["admin_access_token"]) == ["HttpOnly", "Max-Age=900", "Path=/", "SameSite=Lax", "Secure"]
    assert _attributes(cookies["admin_refresh_token"]) == ["HttpOnly", "Max-Age=2592000", "Path=/api/v1/admin/auth", "SameSite=None", "Secure"]
    assert _attributes(cookies["admin_csrf_access_token"]) == ["Max-Age=900", "Path=/", "SameSite=Lax", "Secure"]
    me = client.get("/api/v1/admin/auth/me")
    assert (me.status_code, me.get_json()["email"]) == (200, username)


def test_admin_password_alone_gives_no_session(app, back_office_user) -> None:  # type: ignore[no-untyped-def]
    username = back_office_user("Support")
    client = app.test_client()
    client.post("/api/v1/admin/auth/login", json={"email": username, "password": ADMIN_PASSWORD})
    assert client.get_cookie("admin_access_token") is None
    assert client.get("/api/v1/admin/auth/me").status_code == 401
    assert client.post("/api/v1/admin/auth/login", json={"email": username, "password": "wrong-password-1"}).status_code == 401


def test_a_tenant_session_is_not_an_admin_session(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    from tests.api_helpers import login

    tenant_a, _ = tenant_pair
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    stolen = session.client.get_cookie("access_token").value
    session.client.set_cookie("admin_access_token", stolen)
    assert session.get("/api/v1/admin/auth/me").status_code == 401


def test_admin_refresh_reuse_revokes_and_logout_ends_the_session(app, back_office_user) -> None:  # type: ignore[no-untyped-def]
    username = back_office_user("Billing")
    client, secret, _ = _login(app, username)
    old_refresh = client.get_cookie("admin_refresh_token", path="/api/v1/admin/auth").value
    old_csrf = client.get_cookie("admin_csrf_refresh_token").value
    rotated = client.post("/api/v1/admin/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf})
    assert rotated.status_code == 200
    attacker = app.test_client()
    attacker.set_cookie("admin_refresh_token", old_refresh, path="/api/v1/admin/auth")
    assert attacker.post("/api/v1/admin/auth/refresh", headers={"X-CSRF-TOKEN": old_csrf}).status_code == 401
    new_csrf = client.get_cookie("admin_csrf_refresh_token").value
    assert client.post("/api/v1/admin/auth/refresh", headers={"X-CSRF-TOKEN": new_csrf}).status_code == 401
    # log in again (next TOTP step) and log out
    client2 = app.test_client()
    client2.post("/api/v1/admin/auth/login", json={"email": username, "password": ADMIN_PASSWORD})
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert client2.post("/api/v1/admin/auth/login/totp", json={"code": code}).status_code == 200
    access = client2.get_cookie("admin_access_token").value
    csrf = client2.get_cookie("admin_csrf_access_token").value
    assert client2.post("/api/v1/admin/auth/logout").status_code == 403
    assert client2.post("/api/v1/admin/auth/logout", headers={"X-CSRF-TOKEN": csrf}).status_code == 204
    replay = app.test_client()
    replay.set_cookie("admin_access_token", access)
    assert replay.get("/api/v1/admin/auth/me").status_code == 401
