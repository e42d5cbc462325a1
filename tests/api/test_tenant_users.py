"""Users, invitations, integration tokens and security settings: permissions, idempotency, bearer tokens."""

from __future__ import annotations

from sqlalchemy import func, select

from gestiq_app.extensions import db
from gestiq_app.identity.models import ApiToken, TenantUser
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant
from tests.api_helpers import login_as
from tests.permissions import check_access


def _users(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return sorted((u.email, u.role, u.is_active) for u in db.session.scalars(select(TenantUser)))


def _tokens(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return sorted((t.name, t.revoked_at is None) for t in db.session.scalars(select(ApiToken)))


def test_list_users_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    response = check_access(app, method="GET", url="/api/v1/tenant/users", owner_tenant=tenant_a, other_tenant=tenant_b,
                            allowed_role="admin", denied_role="sales", expected_status=200,
                            snapshot=lambda: _users(app, tenant_a), other_tenant_status=(200,))
    emails = [user["email"] for user in response.get_json()]
    assert f"owner@{tenant_a.slug}.test" in emails
    assert all(email.endswith(f"@{tenant_a.slug}.test") for email in emails)
    foreign = login_as(app, tenant_b, "owner").get("/api/v1/tenant/users").get_json()
    assert [u["email"] for u in foreign if u["email"].endswith(f"@{tenant_a.slug}.test")] == []


def test_invite_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    body = {"email": "nueva@empresa.test", "name": "Nueva", "role": "viewer"}
    response = check_access(app, method="POST", url="/api/v1/tenant/users/invitations", owner_tenant=tenant_a,
                            other_tenant=tenant_b, allowed_role="admin", denied_role="accountant", expected_status=201,
                            snapshot=lambda: _users(app, tenant_a), json=body, other_tenant_status=(201,))
    assert response.get_json()["email"] == "nueva@empresa.test"
    # the stranger's call created the user in ITS OWN tenant, never in A's
    assert ("nueva@empresa.test", "viewer", False) in _users(app, tenant_b)


def test_inviting_an_owner_is_refused(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    response = login_as(app, tenant_a, "owner").post("/api/v1/tenant/users/invitations",
                                                      json={"email": "x@y.test", "name": "X", "role": "owner"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["role"]


def test_same_idempotency_key_creates_once_and_replays_the_same_body(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    owner = login_as(app, tenant_a, "owner")
    body = {"email": "una.vez@empresa.test", "name": "Una vez", "role": "sales"}
    headers = {"Idempotency-Key": "invite-once-0001"}
    first = owner.post("/api/v1/tenant/users/invitations", json=body, headers=headers)
    second = owner.post("/api/v1/tenant/users/invitations", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.get_data() == first.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    with app.app_context(), tenant_context(tenant_a.id):
        assert db.session.scalar(select(func.count()).select_from(TenantUser).where(TenantUser.email == "una.vez@empresa.test")) == 1
    different = owner.post("/api/v1/tenant/users/invitations", json={**body, "name": "Otra"}, headers=headers)
    assert different.status_code == 422
    assert different.get_json()["type"].endswith("/idempotency-key-reused")


def test_idempotency_keys_are_private_to_their_caller(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    owner, admin = login_as(app, tenant_a, "owner"), login_as(app, tenant_a, "admin")
    headers = {"Idempotency-Key": "shared-key-000001"}
    first = owner.post("/api/v1/tenant/users/invitations", json={"email": "a1@e.test", "name": "A", "role": "sales"}, headers=headers)
    second = admin.post("/api/v1/tenant/users/invitations", json={"email": "a2@e.test", "name": "B", "role": "sales"}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["email"] != second.get_json()["email"]


def test_a_running_key_answers_409(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.idempotency.services import claim_key, request_fingerprint

    tenant_a, _ = tenant_pair
    owner = login_as(app, tenant_a, "owner")
    body = {"email": "lenta@e.test", "name": "Lenta", "role": "sales"}
    import json

    fingerprint = request_fingerprint("POST", "/api/v1/tenant/users/invitations", json.dumps(body).encode())
    with app.app_context(), tenant_context(tenant_a.id):
        assert claim_key(principal=f"user:{owner.user_id}", key="slow-request-0001", fingerprint=fingerprint).outcome == "run"
    response = owner.post("/api/v1/tenant/users/invitations", json=body, headers={"Idempotency-Key": "slow-request-0001"})
    assert response.status_code == 409
    assert response.headers["Retry-After"] == "2"
    assert ("lenta@e.test", "sales", False) not in _users(app, tenant_a)


def test_api_token_permissions_and_shown_once(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    body = {"name": "Script de ventas", "permissions": ["users:read"]}
    response = check_access(app, method="POST", url="/api/v1/tenant/api-tokens", owner_tenant=tenant_a, other_tenant=tenant_b,
                            allowed_role="owner", denied_role="admin", expected_status=201,
                            snapshot=lambda: _tokens(app, tenant_a), json=body, other_tenant_status=(201,))
    created = response.get_json()
    assert created["token"].startswith(f"gqt_{tenant_a.id.hex}_")
    listed = login_as(app, tenant_a, "owner").get("/api/v1/tenant/api-tokens").get_json()
    assert [t.get("token") for t in listed] == [None]
    with app.app_context(), tenant_context(tenant_a.id):
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash != created["token"] and created["token"] not in stored.prefix


def test_bearer_token_works_without_csrf_within_its_permissions_until_revoked(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    owner = login_as(app, tenant_a, "owner")
    created = owner.post("/api/v1/tenant/api-tokens", json={"name": "Lectura", "permissions": ["users:read"]}).get_json()
    bearer = {"Authorization": f"Bearer {created['token']}"}
    client = app.test_client()
    assert client.get("/api/v1/tenant/users", headers=bearer).status_code == 200
    denied = client.post("/api/v1/tenant/users/invitations", json={"email": "b@b.test", "name": "B", "role": "sales"}, headers=bearer)
    assert denied.status_code == 403
    assert client.get("/api/v1/tenant/auth/me", headers=bearer).status_code == 403
    with app.app_context(), tenant_context(tenant_a.id):
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None
    assert owner.delete(f"/api/v1/tenant/api-tokens/{created['id']}").status_code == 204
    assert client.get("/api/v1/tenant/users", headers=bearer).status_code == 401
    tampered = {"Authorization": f"Bearer {created['token'][:-1]}x"}
    assert client.get("/api/v1/tenant/users", headers=tampered).status_code == 401


def test_a_token_cannot_exceed_its_creators_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    response = login_as(app, tenant_a, "owner").post("/api/v1/tenant/api-tokens", json={"name": "x", "permissions": ["nope:read"]})
    assert response.status_code == 422


def test_security_settings_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair

    def snapshot():  # type: ignore[no-untyped-def]
        with app.app_context():
            return db.session.get(Tenant, tenant_a.id).require_two_factor

    check_access(app, method="PUT", url="/api/v1/tenant/settings/security", owner_tenant=tenant_a, other_tenant=tenant_b,
                 allowed_role="owner", denied_role="admin", expected_status=200, snapshot=snapshot,
                 json={"require_two_factor": True}, other_tenant_status=(200,))
    assert snapshot() is True


def test_revoking_another_tenants_token_is_404(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    token_id = login_as(app, tenant_a, "owner").post("/api/v1/tenant/api-tokens", json={"name": "A", "permissions": ["users:read"]}).get_json()["id"]
    assert login_as(app, tenant_b, "owner").delete(f"/api/v1/tenant/api-tokens/{token_id}").status_code == 404
    assert _tokens(app, tenant_a) == [("A", True)]
    assert login_as(app, tenant_b, "owner").delete("/api/v1/tenant/api-tokens/not-a-uuid").status_code == 404
