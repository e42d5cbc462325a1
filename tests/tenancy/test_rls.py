"""PostgreSQL row-level security, checked with raw SQL as the runtime role."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import QueuePool

from gestiq_app.extensions import db
from gestiq_app.tenancy.rls import tenant_tables
from tests.factories import tenant_with_every_kind_of_row

pytestmark = pytest.mark.postgres
TABLES = [table.name for table in tenant_tables()]


@pytest.fixture()
def runtime_engine(database_urls):  # type: ignore[no-untyped-def]
    """A separate engine as the runtime role with a pool of exactly one connection."""
    engine = create_engine(database_urls["runtime"], poolclass=QueuePool, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


@pytest.fixture()
def two_tenants(app_context):  # type: ignore[no-untyped-def]
    """Two tenants' ids, each with rows in every tenant table."""
    return tenant_with_every_kind_of_row(), tenant_with_every_kind_of_row()


def _count(connection, table: str, tenant_id=None) -> int:  # type: ignore[no-untyped-def]
    if tenant_id is not None:
        connection.execute(text("SELECT set_config('app.tenant_id', :tid, true)"), {"tid": str(tenant_id)})
    return connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def test_every_tenant_table_has_forced_rls_and_the_policy(runtime_engine) -> None:  # type: ignore[no-untyped-def]
    with runtime_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(:tables)"
            ),
            {"tables": TABLES},
        ).all()
    assert sorted(rows) == sorted((name, True, True, 1) for name in TABLES)


def test_every_table_with_a_tenant_id_column_is_protected(runtime_engine) -> None:  # type: ignore[no-untyped-def]
    with runtime_engine.connect() as connection:
        with_tenant_column = set(
            connection.execute(
                text("SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'")
            ).scalars()
        )
    assert with_tenant_column == set(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_raw_sql_without_tenant_sees_nothing(runtime_engine, two_tenants, table) -> None:  # type: ignore[no-untyped-def]
    with runtime_engine.begin() as connection:
        assert _count(connection, table) == 0


@pytest.mark.parametrize("table", TABLES)
def test_raw_sql_with_a_tenant_sees_only_its_rows(runtime_engine, two_tenants, table, database_urls) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = two_tenants
    owner_engine = create_engine(database_urls["owner"])
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.platform_scope', 'on', true)"))
        expected_a = connection.execute(text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :t'), {"t": tenant_a}).scalar_one()
    owner_engine.dispose()
    assert expected_a > 0
    with runtime_engine.begin() as connection:
        assert _count(connection, table, tenant_a) == expected_a
        other = connection.execute(text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :t'), {"t": tenant_b}).scalar_one()
        assert other == 0


def test_inserting_a_row_of_another_tenant_is_rejected(runtime_engine, two_tenants) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = two_tenants
    with runtime_engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("SELECT set_config('app.tenant_id', :tid, true)"), {"tid": str(tenant_a)})
        with pytest.raises(ProgrammingError, match="row-level security"):
            connection.execute(
                text(
                    "INSERT INTO tenant_users (tenant_id, id, email, name, password_hash, role, is_active, created_at, updated_at) "
                    "VALUES (:t, :i, 'intruder@x.test', 'Intruso', 'x', 'owner', true, now(), now())"
                ),
                {"t": tenant_b, "i": uuid.uuid4()},
            )
        transaction.rollback()
    with runtime_engine.begin() as connection:
        assert _count(connection, "tenant_users", tenant_b) == 1


def test_runtime_role_owns_nothing_and_cannot_bypass_rls(runtime_engine, database_urls) -> None:  # type: ignore[no-untyped-def]
    role = make_url(database_urls["runtime"]).username
    with runtime_engine.connect() as connection:
        flags = connection.execute(
            text("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        ).one()
        owned = connection.execute(text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")).scalar_one()
        current = connection.execute(text("SELECT current_user")).scalar_one()
    assert current == role
    assert tuple(flags) == (False, False, False, False)
    assert owned == 0


def test_the_app_connects_as_the_runtime_role(app_context, database_urls) -> None:  # type: ignore[no-untyped-def]
    assert db.session.execute(text("SELECT current_user")).scalar_one() == make_url(database_urls["runtime"]).username


def test_a_pooled_connection_does_not_leak_the_previous_tenant(runtime_engine, two_tenants) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = two_tenants
    with runtime_engine.begin() as connection:
        first_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        connection.execute(text("SELECT set_config('app.tenant_id', :tid, true)"), {"tid": str(tenant_a)})
        assert _count(connection, "tenant_users") == 1
    with runtime_engine.begin() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() == first_pid
        assert connection.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar_one() == ""
        assert _count(connection, "tenant_users") == 0
        assert _count(connection, "tenant_users", tenant_b) == 1
        assert set(connection.execute(text("SELECT tenant_id FROM tenant_users")).scalars()) == {tenant_b}


def test_requests_for_two_tenants_through_the_app_do_not_leak(app, two_tenants) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gestiq_app.identity.models import TenantUser
    from gestiq_app.tenancy.context import tenant_context

    tenant_a, tenant_b = two_tenants
    seen = []
    for tenant_id in (tenant_a, tenant_b, None):
        with app.app_context():
            if tenant_id is None:
                rows = db.session.execute(text("SELECT tenant_id FROM tenant_users")).scalars().all()
                seen.append(set(rows))
            else:
                with tenant_context(tenant_id):
                    seen.append(set(db.session.scalars(select(TenantUser.tenant_id))))
                    seen.append(set(db.session.execute(text("SELECT tenant_id FROM tenant_users")).scalars()))
            db.session.remove()
    assert seen == [{tenant_a}, {tenant_a}, {tenant_b}, {tenant_b}, set()]
