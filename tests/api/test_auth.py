"""Tenant authentication: cookies, CSRF, refresh rotation and reuse, revocation, rate limits, reset, 2FA."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pyotp
import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from gestiq_app.extensions import db
from gestiq_app.identity.models import RefreshToken, TenantUser
from gestiq_app.mail.models import OutboundEmail
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import USER_PASSWORD, add_user, login, login_as
from tests.factories import OWNER_PASSWORD, make_tenant


def _cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def _attributes(line: str) -> list[str]:
    return sorted(part.strip() for part in line.split(";")[1:] if not part.strip().lower().startswith("expires="))


@pytest.fixture()
def tenant_a(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_tenant(country="ES")


def _login_response(client, tenant, password: str = OWNER_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tenant/auth/login", json={"tenant": tenant.slug, "email": f"owner@{tenant.slug}.test", "password": password})


def test_login_sets_exactly_the_specified_cookies(app, client, tenant_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_ENV", "production")
    monkeypatch.setitem(app.config, "GESTIQ_COOKIE_DOMAIN", ".gestiqcloud.com")
    response = _login_response(client, tenant_a)
    assert response.status_code == 200
    cookies = _cookies(response)
    assert sorted(cookies) == ["access_token", "csrf_access_token", "csrf_refresh_token", "mfa_token", "refresh_token"]
    assert _attributes(cookies["access_token"]) == ["Domain=gestiqcloud.com", "HttpOnly", "Max-Age=900", "Path=/", "SameSite=Lax", "Secure"]
    assert _attributes(cookies["refresh_token"]) == [
        "Domain=gestiqcloud.com", "HttpOnly", "Max-Age=2592000", "Path=/api/v1/tenant/auth", "SameSite=None", "Secure"]
    assert _attributes(cookies["csrf_access_token"]) == ["Domain=gestiqcloud.com", "Max-Age=900", "Path=/", "SameSite=Lax", "Secure"]
    assert _attributes(cookies["csrf_refresh_token"]) == ["Domain=gestiqcloud.com", "Max-Age=2592000", "Path=/", "SameSite=Lax", "Secure"]


def test_cookies_are_host_only_without_a_cookie_domain_and_refresh_is_always_secure(app, client, tenant_a) -> None:  # type: ignore[no-untyped-def]
    cookies = _cookies(_login_response(client, tenant_a))
    assert _attributes(cookies["access_token"]) == ["HttpOnly", "Max-Age=900", "Path=/", "SameSite=Lax"]
    assert _attributes(cookies["refresh_token"]) == ["HttpOnly", "Max-Age=2592000", "Path=/api/v1/tenant/auth", "SameSite=None", "Secure"]


def test_wrong_password_unknown_user_and_unknown_tenant_look_the_same(app, client, tenant_a) -> None:  # type: ignore[no-untyped-def]
    bodies = []
    for payload in (
        {"tenant": tenant_a.slug, "email": f"owner@{tenant_a.slug}.test", "password": "wrong-password-1"},
        {"tenant": tenant_a.slug, "email": "nobody@nowhere.test", "password": OWNER_PASSWORD},
        {"tenant": "no-such-tenant", "email": f"owner@{tenant_a.slug}.test", "password": OWNER_PASSWORD},
    ):
        response = client.post("/api/v1/tenant/auth/login", json=payload)
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"
        assert response.headers.getlist("Set-Cookie") == []
        body = response.get_json()
        bodies.append((body["title"], body["detail"], body["type"]))
    assert len(set(bodies)) == 1


def test_me_requires_a_valid_session(app, client, tenant_a) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/tenant/auth/me").status_code == 401
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    body = session.get("/api/v1/tenant/auth/me").get_json()
    assert (body["email"], body["role"], body["tenant"]["slug"], body["tenant"]["currency"]) == (
        f"owner@{tenant_a.slug}.test", "owner", tenant_a.slug, "EUR")
    assert body["tenant"]["modules"] == ["crm", "sales", "purchases", "accounting", "imports", "payments", "einvoicing"]


def test_tampered_and_expired_tokens_are_401(app, client, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    token = session.client.get_cookie("access_token").value
    header, payload, signature = token.split(".")
    tampered = ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
    fresh = app.test_client()
    fresh.set_cookie("access_token", tampered)
    assert fresh.get("/api/v1/tenant/auth/me").status_code == 401
    with app.app_context():
        expired = create_access_token(identity=str(session.user_id), expires_delta=timedelta(seconds=-10),
                                      additional_claims={"kind": "tenant", "tid": str(tenant_a.id), "ver": 1, "role": "owner"})
        forged = create_access_token(identity=str(session.user_id), additional_claims={"kind": "mfa", "tid": str(tenant_a.id), "ver": 1})
    fresh.set_cookie("access_token", expired)
    assert fresh.get("/api/v1/tenant/auth/me").status_code == 401
    fresh.set_cookie("access_token", forged)
    assert fresh.get("/api/v1/tenant/auth/me").status_code == 401


def test_unsafe_request_without_csrf_header_is_refused_and_changes_nothing(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    response = session.client.post("/api/v1/tenant/users/invitations", json={"email": "nuevo@x.test", "name": "Nuevo", "role": "sales"})
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("/csrf-failed")
    wrong = session.client.post("/api/v1/tenant/users/invitations", json={"email": "nuevo@x.test", "name": "Nuevo", "role": "sales"},
                                headers={"X-CSRF-TOKEN": "not-the-token"})
    assert wrong.status_code == 403
    with app.app_context(), tenant_context(tenant_a.id):
        assert db.session.scalar(select(func.count()).select_from(TenantUser).where(TenantUser.email == "nuevo@x.test")) == 0
    assert session.post("/api/v1/tenant/users/invitations", json={"email": "nuevo@x.test", "name": "Nuevo", "role": "sales"}).status_code == 201


def _refresh(client, csrf: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf if csrf is not None else client.get_cookie("csrf_refresh_token").value
    return client.post("/api/v1/tenant/auth/refresh", headers={"X-CSRF-TOKEN": token})


def test_refresh_rotates_and_reuse_revokes_the_whole_family(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    client = session.client
    first_refresh = client.get_cookie("refresh_token", path="/api/v1/tenant/auth").value
    first_csrf = client.get_cookie("csrf_refresh_token").value
    assert _refresh(client).status_code == 200
    second_refresh = client.get_cookie("refresh_token", path="/api/v1/tenant/auth").value
    assert second_refresh != first_refresh
    # An attacker replays the first (used) refresh token:
    attacker = app.test_client()
    attacker.set_cookie("refresh_token", first_refresh, path="/api/v1/tenant/auth")
    attacker.set_cookie("csrf_refresh_token", first_csrf)
    replay = _refresh(attacker)
    assert replay.status_code == 401
    # ... which revokes the family: the newest token stops working too.
    assert _refresh(client).status_code == 401
    with app.app_context(), tenant_context(tenant_a.id):
        states = db.session.execute(select(RefreshToken.used_at.is_not(None), RefreshToken.revoked_at.is_not(None))
                                    .where(RefreshToken.user_id == session.user_id)).all()
        from gestiq_app.audit.models import AuditEvent

        reuse_events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.refresh_token_reused"))
    assert sorted(states) == [(False, True), (True, True)]
    assert reuse_events == 1


def test_refresh_needs_the_csrf_header(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    assert session.client.post("/api/v1/tenant/auth/refresh").status_code == 401
    assert _refresh(session.client, csrf="forged").status_code == 401
    assert _refresh(session.client).status_code == 200


def test_logout_revokes_refresh_and_access_tokens(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    access = session.client.get_cookie("access_token").value
    refresh = session.client.get_cookie("refresh_token", path="/api/v1/tenant/auth").value
    csrf_refresh = session.client.get_cookie("csrf_refresh_token").value
    assert session.post("/api/v1/tenant/auth/logout").status_code == 204
    other = app.test_client()
    other.set_cookie("access_token", access)
    assert other.get("/api/v1/tenant/auth/me").status_code == 401
    other.set_cookie("refresh_token", refresh, path="/api/v1/tenant/auth")
    assert _refresh(other, csrf=csrf_refresh).status_code == 401


def test_a_deactivated_users_tokens_stop_working_at_once(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.identity.services import deactivate_user

    session = login_as(app, tenant_a, "sales")
    assert session.get("/api/v1/tenant/auth/me").status_code == 200
    with app.app_context():
        deactivate_user(tenant_id=tenant_a.id, user_id=session.user_id, actor="test")
    assert session.get("/api/v1/tenant/auth/me").status_code == 401
    assert _refresh(session.client).status_code == 401


def test_login_is_rate_limited_per_account_with_retry_after(app, client, tenant_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_RATELIMIT_LOGIN_ACCOUNT", "5/minute")
    payload = {"tenant": tenant_a.slug, "email": f"owner@{tenant_a.slug}.test", "password": "wrong-password-1"}
    statuses = [client.post("/api/v1/tenant/auth/login", json=payload).status_code for _ in range(5)]
    assert statuses == [401] * 5
    limited = client.post("/api/v1/tenant/auth/login", json={**payload, "password": OWNER_PASSWORD})
    assert limited.status_code == 429
    assert limited.content_type == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers.getlist("Set-Cookie") == []


def test_login_is_rate_limited_per_ip(app, tenant_a, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_RATELIMIT_LOGIN_IP", "3/minute")
    client = app.test_client()
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    statuses = [
        client.post("/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": f"u{i}@x.test", "password": "p"},
                    environ_base={"REMOTE_ADDR": address}).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_password_reset_does_not_reveal_whether_the_account_exists(app, client, tenant_a) -> None:  # type: ignore[no-untyped-def]
    existing = client.post("/api/v1/tenant/auth/password-reset", json={"tenant": tenant_a.slug, "email": f"owner@{tenant_a.slug}.test"})
    missing = client.post("/api/v1/tenant/auth/password-reset", json={"tenant": tenant_a.slug, "email": "ghost@x.test"})
    no_tenant = client.post("/api/v1/tenant/auth/password-reset", json={"tenant": "ghost-tenant", "email": "ghost@x.test"})
    assert existing.status_code == missing.status_code == no_tenant.status_code == 202
    assert existing.get_json() == missing.get_json() == no_tenant.get_json()
    with app.app_context(), tenant_context(tenant_a.id):
        mails = db.session.scalars(select(OutboundEmail)).all()
    assert [m.to_address for m in mails] == [f"owner@{tenant_a.slug}.test"]


def _reset_token(app, tenant) -> str:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        body = db.session.scalars(select(OutboundEmail.body_text).order_by(OutboundEmail.created_at.desc())).first()
    return body.split("#token=")[1].split()[0]


def test_password_reset_token_is_single_use_and_ends_sessions(app, client, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    client.post("/api/v1/tenant/auth/password-reset", json={"tenant": tenant_a.slug, "email": f"owner@{tenant_a.slug}.test"})
    token = _reset_token(app, tenant_a)
    confirm = client.post("/api/v1/tenant/auth/password-reset/confirm", json={"token": token, "password": "brand-new-password-1"})
    assert confirm.status_code == 204
    again = client.post("/api/v1/tenant/auth/password-reset/confirm", json={"token": token, "password": "another-password-2"})
    assert again.status_code == 401
    assert session.get("/api/v1/tenant/auth/me").status_code == 401
    assert _login_response(app.test_client(), tenant_a).status_code == 401
    assert _login_response(app.test_client(), tenant_a, "brand-new-password-1").status_code == 200


def test_invitation_flow(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    owner = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    created = owner.post("/api/v1/tenant/users/invitations", json={"email": "Invitada@X.test", "name": "Invitada", "role": "accountant"})
    assert created.status_code == 201
    assert (created.get_json()["email"], created.get_json()["is_active"]) == ("invitada@x.test", False)
    assert login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test").client.post(
        "/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": "invitada@x.test", "password": "whatever-123"}).status_code == 401
    token = _reset_token(app, tenant_a)
    client = app.test_client()
    assert client.post("/api/v1/tenant/auth/invitations/accept", json={"token": token, "name": "Ana", "password": "invited-password-1"}).status_code == 204
    session = login(app, tenant_a.slug, "invitada@x.test", "invited-password-1")
    assert session.get("/api/v1/tenant/auth/me").get_json()["role"] == "accountant"
    assert client.post("/api/v1/tenant/auth/invitations/accept", json={"token": token, "name": "Ana", "password": "other-password-1"}).status_code == 401


def _enable_totp(app, tenant, email: str, password: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    first = client.post("/api/v1/tenant/auth/login", json={"tenant": tenant.slug, "email": email, "password": password}).get_json()
    assert first["second_factor_required"] is True and first["enrollment_required"] is True
    secret = first["totp_secret"]
    done = client.post("/api/v1/tenant/auth/login/totp", json={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    return secret, done.get_json()["recovery_codes"]


def test_totp_required_by_the_owner_blocks_password_only_login(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    owner = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    assert owner.put("/api/v1/tenant/settings/security", json={"require_two_factor": True}).status_code == 200
    email = add_user(app, tenant_a, "sales")
    client = app.test_client()
    response = client.post("/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": email, "password": USER_PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["second_factor_required"] is True
    assert client.get_cookie("access_token") is None
    assert client.get("/api/v1/tenant/auth/me").status_code == 401
    secret, codes = _enable_totp(app, tenant_a, email, USER_PASSWORD)
    assert len(codes) == 10


def test_wrong_or_replayed_totp_codes_are_refused(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    email = add_user(app, tenant_a, "viewer")
    with app.app_context(), tenant_context(tenant_a.id):
        pass
    owner = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    owner.put("/api/v1/tenant/settings/security", json={"require_two_factor": True})
    secret, recovery = _enable_totp(app, tenant_a, email, USER_PASSWORD)
    totp = pyotp.TOTP(secret)
    used_code = totp.now()  # the enrolment consumed the current step's code
    client = app.test_client()
    client.post("/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": email, "password": USER_PASSWORD})
    wrong = str((int(used_code) + 1) % 1_000_000).zfill(6)
    assert client.post("/api/v1/tenant/auth/login/totp", json={"code": wrong}).status_code == 401
    assert client.post("/api/v1/tenant/auth/login/totp", json={"code": used_code}).status_code == 401
    assert client.get_cookie("access_token") is None
    # a recovery code works once
    assert client.post("/api/v1/tenant/auth/login/totp", json={"code": recovery[0]}).status_code == 200
    again = app.test_client()
    again.post("/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": email, "password": USER_PASSWORD})
    assert again.post("/api/v1/tenant/auth/login/totp", json={"code": recovery[0]}).status_code == 401
    # the next step's code is accepted (clock drift window), once
    next_code = totp.at(time.time() + 30)
    assert again.post("/api/v1/tenant/auth/login/totp", json={"code": next_code}).status_code == 200


def test_the_mfa_cookie_alone_is_not_a_session(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    email = add_user(app, tenant_a, "viewer")
    owner = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    owner.put("/api/v1/tenant/settings/security", json={"require_two_factor": True})
    client = app.test_client()
    client.post("/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": email, "password": USER_PASSWORD})
    mfa = client.get_cookie("mfa_token", path="/api/v1/tenant/auth").value
    attacker = app.test_client()
    attacker.set_cookie("access_token", mfa)
    assert attacker.get("/api/v1/tenant/auth/me").status_code == 401


def test_password_change_keeps_this_session_and_ends_others(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    first = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    second = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    bad = first.post("/api/v1/tenant/auth/password", json={"current_password": "nope-nope-nope", "new_password": "changed-password-1"})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"current_password": ["No es correcta."]}
    assert first.post("/api/v1/tenant/auth/password", json={"current_password": OWNER_PASSWORD, "new_password": "changed-password-1"}).status_code == 204
    assert first.get("/api/v1/tenant/auth/me").status_code == 200
    assert second.get("/api/v1/tenant/auth/me").status_code == 401


def test_a_user_turns_totp_on_and_off_themselves(app, tenant_a) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, tenant_a, "accountant")
    setup = session.post("/api/v1/tenant/auth/totp")
    assert setup.status_code == 201
    totp = pyotp.TOTP(setup.get_json()["totp_secret"])
    assert session.post("/api/v1/tenant/auth/totp/confirm", json={"code": "000000" if totp.now() != "000000" else "111111"}).status_code == 422
    confirmed = session.post("/api/v1/tenant/auth/totp/confirm", json={"code": totp.now()})
    assert confirmed.status_code == 200 and len(confirmed.get_json()["recovery_codes"]) == 10
    assert session.get("/api/v1/tenant/auth/me").get_json()["is_totp_enabled"] is True
    email = session.email
    fresh = app.test_client()
    assert fresh.post("/api/v1/tenant/auth/login", json={"tenant": tenant_a.slug, "email": email, "password": USER_PASSWORD}).get_json()["second_factor_required"] is True
    assert session.send("DELETE", "/api/v1/tenant/auth/totp", json={"code": totp.at(time.time() + 30)}).status_code == 204
    assert session.get("/api/v1/tenant/auth/me").get_json()["is_totp_enabled"] is False
