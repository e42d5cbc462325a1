"""Back office: login, roles, tenant provisioning, read-only support, no tenant users."""

from __future__ import annotations

from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.identity.models import TenantUser
from gestiq_app.tenancy.context import platform_scope, tenant_context
from gestiq_app.tenancy.models import Tenant, TenantModule
from tests.admin.conftest import ADMIN_PASSWORD, admin_login, csrf_token, session_csrf_token
from tests.factories import OWNER_PASSWORD, make_tenant, random_nif


def test_login_page_is_served_in_spanish(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/login/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="username"' in html
    assert "Contraseña" in html


def test_admin_pages_require_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/admin/tenantview/list/")
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]


def test_admin_logs_in_and_lists_tenants_of_every_tenant(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        slug_a, slug_b = make_tenant(country="ES").slug, make_tenant(country="EC").slug
    username = back_office_user("Admin")
    response = admin_login(client, username, ADMIN_PASSWORD)
    assert response.status_code == 302
    assert not response.headers["Location"].endswith("/admin/login/")
    html = client.get("/admin/tenantview/list/?psize_TenantView=100&_oc_TenantView=created_at&_od_TenantView=desc").get_data(as_text=True)
    assert slug_a in html and slug_b in html


def test_wrong_password_is_refused(client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    username = back_office_user("Admin")
    admin_login(client, username, "wrong-password-x")
    assert client.get("/admin/tenantview/list/").status_code == 302


def test_tenant_user_cannot_log_in_to_admin(app, client) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        owner_email = f"owner@{tenant.slug}.test"
    response = admin_login(client, owner_email, OWNER_PASSWORD)
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]
    assert client.get("/admin/tenantview/list/").status_code == 302


def test_admin_creates_a_tenant_with_owner_and_modules(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    page = client.get("/admin/tenantview/add")
    assert page.status_code == 200
    with app.app_context():
        from gestiq_app.tenancy.models import SectorTemplate

        template_id = db.session.scalar(select(SectorTemplate.id).where(SectorTemplate.code == "minimal"))
    tax_id = random_nif()
    response = client.post(
        "/admin/tenantview/add",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "slug": "admin-made-" + tax_id.lower(),
            "legal_name": "Hecha en Admin S.L.",
            "country": "ES",
            "tax_id": tax_id,
            "sector_template": str(template_id),
            "owner_email": "Jefa@Example.com",
            "owner_name": "Jefa",
            "owner_password": "owner-password-9",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.tax_id == tax_id))
        assert tenant is not None
        assert (tenant.legal_name, tenant.currency, tenant.locale) == ("Hecha en Admin S.L.", "EUR", "es-ES")
        with tenant_context(tenant.id):
            users = [(u.email, u.role) for u in db.session.scalars(select(TenantUser))]
            modules = {m.module: m.is_enabled for m in db.session.scalars(select(TenantModule))}
        assert users == [("jefa@example.com", "owner")]
        assert modules == {
            "crm": True, "sales": True, "einvoicing": True,
            "purchases": False, "accounting": False, "imports": False, "payments": False,
        }


def test_admin_tenant_form_shows_validation_errors_and_creates_nothing(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    page = client.get("/admin/tenantview/add")
    response = client.post(
        "/admin/tenantview/add",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "slug": "bad-nif-tenant",
            "legal_name": "NIF Malo S.L.",
            "country": "ES",
            "tax_id": "12345678A",
            "owner_email": "x@example.com",
            "owner_password": "owner-password-9",
        },
        follow_redirects=True,
    )
    assert "NIF" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Tenant).where(Tenant.slug == "bad-nif-tenant")) is None


def test_support_can_read_but_not_change(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        tenant_id, legal_name, status = tenant.id, tenant.legal_name, tenant.status
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    assert client.get("/admin/tenantview/list/").status_code == 200
    assert client.get(f"/admin/tenantview/show/{tenant_id}").status_code == 200
    token = session_csrf_token(client)
    edit_page = client.get(f"/admin/tenantview/edit/{tenant_id}")
    assert edit_page.status_code == 403
    response = client.post(
        f"/admin/tenantview/edit/{tenant_id}",
        data={"legal_name": "Cambiado por soporte", "status": "suspended", "csrf_token": token},
    )
    assert response.status_code == 403
    assert client.post(f"/admin/tenantview/delete/{tenant_id}", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/tenantview/add").status_code == 403
    billing = client.post(f"/admin/billing/tenants/edit/{tenant_id}", data={"status": "suspended", "csrf_token": token})
    assert billing.status_code == 403
    with app.app_context():
        row = db.session.get(Tenant, tenant_id)
        assert (row.legal_name, row.status) == (legal_name, status)


def test_billing_changes_status_but_not_the_legal_name(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
        tenant_id, legal_name = tenant.id, tenant.legal_name
    admin_login(client, back_office_user("Billing"), ADMIN_PASSWORD)
    assert client.get(f"/admin/tenantview/edit/{tenant_id}").status_code == 403
    page = client.get(f"/admin/billing/tenants/edit/{tenant_id}")
    assert page.status_code == 200
    response = client.post(
        f"/admin/billing/tenants/edit/{tenant_id}",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "status": "suspended", "legal_name": "Hackeado"},
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Tenant, tenant_id)
        assert (row.legal_name, row.status) == (legal_name, "suspended")


def test_admin_deactivates_a_tenant_user_and_it_is_audited(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.audit.models import AuditEvent

    with app.app_context():
        tenant = make_tenant(country="ES")
        tenant_id = tenant.id
        with tenant_context(tenant_id):
            owner_id = db.session.scalar(select(TenantUser.id))
        db.session.remove()
    username = back_office_user("Admin")
    admin_login(client, username, ADMIN_PASSWORD)
    page = client.get("/admin/tenantuserview/list/")
    response = client.post(
        "/admin/tenantuserview/action_post",
        data={"action": "deactivate", "rowid": [str(owner_id)], "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    with app.app_context(), tenant_context(tenant_id):
        assert db.session.get(TenantUser, owner_id).is_active is False
        events = [(e.action, e.actor) for e in db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(owner_id)))]
    assert events == [("user.deactivated", f"admin:{username}")]


def test_support_cannot_deactivate_users(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        tenant_id = tenant.id
        with tenant_context(tenant_id):
            owner_id = db.session.scalar(select(TenantUser.id))
        db.session.remove()
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    assert client.get("/admin/tenantuserview/list/").status_code == 200
    response = client.post(
        "/admin/tenantuserview/action_post",
        data={"action": "deactivate", "rowid": [str(owner_id)], "csrf_token": session_csrf_token(client)},
    )
    assert response.status_code == 302
    with app.app_context(), tenant_context(tenant_id):
        assert db.session.get(TenantUser, owner_id).is_active is True


def test_audit_log_is_read_only_and_lists_platform_events(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        slug = make_tenant(country="ES").slug
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    html = client.get("/admin/auditeventview/list/?_flt_0_action=tenant.created").get_data(as_text=True)
    assert "tenant.created" in html
    assert client.get("/admin/auditeventview/add").status_code == 403
    with app.app_context(), platform_scope(actor="test", reason="oracle"):
        from gestiq_app.audit.models import AuditEvent

        assert db.session.scalar(select(AuditEvent).where(AuditEvent.changes["slug"].as_string() == slug)) is not None


def test_admin_post_without_csrf_token_is_refused(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        tenant_id = tenant.id
        with tenant_context(tenant_id):
            owner_id = db.session.scalar(select(TenantUser.id))
        db.session.remove()
    admin_login(client, back_office_user("Admin"), ADMIN_PASSWORD)
    response = client.post("/admin/tenantuserview/action_post", data={"action": "deactivate", "rowid": [str(owner_id)]})
    assert response.status_code == 400
    with app.app_context(), tenant_context(tenant_id):
        assert db.session.get(TenantUser, owner_id).is_active is True


def test_password_alone_does_not_open_the_back_office(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    username = back_office_user("Admin")
    response = admin_login(client, username, ADMIN_PASSWORD, with_second_factor=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/login/second-factor")
    assert client.get("/admin/tenantview/list/").status_code == 302


def test_a_wrong_or_replayed_second_factor_code_is_refused(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    from tests.admin.conftest import LAST_STEP, TOTP_SECRETS, next_totp_code

    username = back_office_user("Admin")
    admin_login(client, username, ADMIN_PASSWORD)  # enrols
    used_step = LAST_STEP[username]
    other = app.test_client()
    admin_login(other, username, ADMIN_PASSWORD, with_second_factor=False)
    page = other.get("/admin/login/second-factor").get_data(as_text=True)
    import pyotp

    replayed = pyotp.TOTP(TOTP_SECRETS[username]).generate_otp(used_step)
    wrong = str((int(replayed) + 1) % 1_000_000).zfill(6)
    for code in (wrong, replayed):
        other.post("/admin/login/second-factor", data={"code": code, "csrf_token": csrf_token(page)})
        assert other.get("/admin/tenantview/list/").status_code == 302
    other.post("/admin/login/second-factor", data={"code": next_totp_code(username), "csrf_token": csrf_token(page)})
    assert other.get("/admin/tenantview/list/").status_code == 200


def test_the_outbox_shows_password_reset_mail(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    app.test_client().post("/api/v1/tenant/auth/password-reset", json={"tenant": tenant.slug, "email": f"owner@{tenant.slug}.test"})
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    html = client.get("/admin/outboundemailview/list/?psize_OutboundEmailView=100").get_data(as_text=True)
    assert f"owner@{tenant.slug}.test" in html
    assert "Restablecer tu contraseña de GestiQCloud" in html
