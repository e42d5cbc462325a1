"""The hot list's request path (scripts/bench/api.py): one session-check query, one JWT parse, a reused statement.

Each shortcut keeps the rules of the slower path it replaces: these tests pin both the exact work done per
request and that revocation, deactivation, suspension, module switches and tenant isolation still apply at once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
import pytest
from flask_jwt_extended import create_access_token, decode_token
from sqlalchemy import event, update

from api import sales_common
from gestiq_app.extensions import db
from gestiq_app.identity.auth_services import SessionCheck, check_session
from gestiq_app.identity.exceptions import AuthenticationError
from gestiq_app.identity.models import TenantUser
from gestiq_app.identity.sessions import _verify
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import MODULES, Tenant
from gestiq_app.tenancy.services import list_enabled_modules, set_module
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.sales.helpers import add_customer, issued_invoice, line

LIST = "/api/v1/invoices?page_size=50"


def _tenant_with_invoice(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
        invoice = issued_invoice(tenant, add_customer(tenant), [line("1", "10.00")])
        return tenant, str(invoice.id)


def _statements_of(app, call):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return response, seen


def test_a_list_request_runs_the_session_check_and_the_page_query_only(app) -> None:  # type: ignore[no-untyped-def]
    tenant, invoice_id = _tenant_with_invoice(app)
    session = login_as(app, tenant, "owner")
    assert session.get(LIST).status_code == 200  # warms the per-process time zone cache
    response, statements = _statements_of(app, lambda: session.get(LIST))
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [invoice_id]
    queries = [s for s in statements if "set_config" not in s]  # PostgreSQL's per-transaction RLS context
    assert len(queries) == 2, statements
    assert "tenant_users" in queries[0] and "tenant_modules" in queries[0] and "tenants" in queries[0]
    assert "sales_documents" in queries[1] and "count(*) OVER ()" in queries[1]


def test_check_session_returns_the_role_and_exactly_the_enabled_modules(app_context) -> None:  # type: ignore[no-untyped-def]
    tenant = make_tenant(country="ES")
    with tenant_context(tenant.id):
        owner = db.session.query(TenantUser).filter_by(email=f"owner@{tenant.slug}.test").one()
        owner_id, version = owner.id, owner.session_version
        db.session.rollback()
        expected = frozenset(list_enabled_modules(tenant_id=tenant.id))
        assert "sales" in expected
        assert check_session(tenant_id=tenant.id, user_id=owner_id, session_version=version) == SessionCheck(role="owner", modules=expected)
        db.session.rollback()
    set_module(tenant_id=tenant.id, module="sales", is_enabled=False, actor="test")
    with tenant_context(tenant.id):
        assert check_session(tenant_id=tenant.id, user_id=owner_id, session_version=None).modules == expected - {"sales"}
        db.session.rollback()
    for module in MODULES:
        set_module(tenant_id=tenant.id, module=module, is_enabled=False, actor="test")
    with tenant_context(tenant.id):  # no module left: the user's row still comes back (LEFT JOIN)
        assert check_session(tenant_id=tenant.id, user_id=owner_id, session_version=version) == SessionCheck(role="owner", modules=frozenset())
        db.session.rollback()


def test_check_session_refuses_stale_versions_inactive_users_suspended_tenants_and_strangers(app_context) -> None:  # type: ignore[no-untyped-def]
    tenant, other = make_tenant(country="ES"), make_tenant(country="ES")
    with tenant_context(tenant.id):
        owner = db.session.query(TenantUser).filter_by(email=f"owner@{tenant.slug}.test").one()
        owner_id, version = owner.id, owner.session_version
        db.session.rollback()

    def refused(tenant_id, user_id, session_version):  # type: ignore[no-untyped-def]
        with tenant_context(tenant_id):
            with pytest.raises(AuthenticationError) as caught:
                check_session(tenant_id=tenant_id, user_id=user_id, session_version=session_version)
            db.session.rollback()
        return str(caught.value)

    session_gone = "La sesión ya no es válida. Inicia sesión de nuevo."
    assert refused(tenant.id, owner_id, version + 1) == session_gone
    assert refused(other.id, owner_id, version) == session_gone  # a user id of another tenant
    assert refused(tenant.id, uuid.uuid4(), None) == session_gone
    with tenant_context(tenant.id):
        db.session.execute(update(TenantUser).where(TenantUser.id == owner_id).values(is_active=False))
        db.session.commit()
    assert refused(tenant.id, owner_id, version) == session_gone
    with tenant_context(tenant.id):
        db.session.execute(update(TenantUser).where(TenantUser.id == owner_id).values(is_active=True))
        db.session.commit()
    db.session.execute(update(Tenant).where(Tenant.id == tenant.id).values(status="suspended"))
    db.session.commit()
    assert refused(tenant.id, owner_id, version) == "La empresa está suspendida."


def test_logout_and_module_switch_apply_to_the_very_next_list_request(app) -> None:  # type: ignore[no-untyped-def]
    tenant, _ = _tenant_with_invoice(app)
    session = login_as(app, tenant, "owner")
    assert session.get(LIST).status_code == 200
    with app.app_context():
        set_module(tenant_id=tenant.id, module="sales", is_enabled=False, actor="test")
    response = session.get(LIST)
    assert (response.status_code, response.get_json()["type"].rsplit("/", 1)[-1]) == (403, "module-not-enabled")
    with app.app_context():
        set_module(tenant_id=tenant.id, module="sales", is_enabled=True, actor="test")
    assert session.get(LIST).status_code == 200
    stolen = session.client.get_cookie("access_token").value
    assert session.post("/api/v1/tenant/auth/logout").status_code in (200, 204)
    replay = app.test_client()
    replay.set_cookie("access_token", stolen)
    assert replay.get(LIST).status_code == 401


def test_verify_accepts_what_decode_token_accepts_and_refuses_the_rest(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        token = create_access_token(identity="user-1", additional_claims={"kind": "tenant", "tid": "t-1", "ver": 3})
        expected = decode_token(token)
        verified = _verify(token)
        assert verified == expected
        assert (verified["sub"], verified["type"], verified["kind"], verified["ver"]) == ("user-1", "access", "tenant", 3)
        secret = app.config["JWT_SECRET_KEY"]
        header, payload, signature = token.split(".")
        forged = jwt.encode({**expected, "sub": "user-2"}, "not-the-secret-of-this-app-but-long-enough", algorithm="HS256")
        unsigned = jwt.encode({**expected}, None, algorithm="none")
        expired = create_access_token(identity="user-1", expires_delta=timedelta(seconds=-60))
        anonymous = jwt.encode({key: value for key, value in expected.items() if key != "sub"}, secret, algorithm="HS256")
        tampered = f"{header}.{payload}x.{signature}"
        for bad in (forged, unsigned, expired, anonymous, tampered, "garbage"):
            with pytest.raises(jwt.PyJWTError):
                _verify(bad)


def test_the_prebuilt_unfiltered_statement_is_shared_but_each_tenant_sees_only_its_rows(app) -> None:  # type: ignore[no-untyped-def]
    first, first_invoice = _tenant_with_invoice(app)
    second, second_invoice = _tenant_with_invoice(app)
    first_session, second_session = login_as(app, first, "owner"), login_as(app, second, "owner")
    sales_common._unfiltered_page.cache_clear()
    assert [item["id"] for item in first_session.get(LIST).get_json()["items"]] == [first_invoice]
    assert [item["id"] for item in second_session.get(LIST).get_json()["items"]] == [second_invoice]
    assert [item["id"] for item in first_session.get(LIST).get_json()["items"]] == [first_invoice]
    info = sales_common._unfiltered_page.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    # a filtered list is built for the request and filters as before
    filtered = first_session.get("/api/v1/invoices?page_size=50&status=draft").get_json()
    assert (filtered["items"], filtered["total"]) == ([], 0)
    assert sales_common._unfiltered_page.cache_info().misses == 1
    # page 2 past the end of an unfiltered list still counts the total
    past = first_session.get("/api/v1/invoices?page_size=50&page=2").get_json()
    assert (past["items"], past["total"], past["pages"]) == ([], 1, 1)


def test_filter_arguments_name_every_filter_the_list_query_reads() -> None:
    import inspect
    import re

    from gestiq_app.sales import queries

    read = set(re.findall(r'filters(?:\.get\(|\[)"(\w+)"', inspect.getsource(queries.list_documents_query)))
    assert read == set(queries.FILTER_ARGUMENTS) == {"status", "customer_id", "issue_date_from", "issue_date_to",
                                                     "rectified_document_id", "q"}
