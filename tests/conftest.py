"""Shared fixtures: one migrated database and one app per test session, unique tenants per test.

The suite runs on SQLite by default and on PostgreSQL + Redis when GESTIQ_TEST_DATABASE_URL
(a superuser URL used only to create roles and a throwaway database) and GESTIQ_TEST_REDIS_URL are set.
Tests marked `postgres` are deselected (not skipped) on SQLite.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

_TMP = tempfile.mkdtemp(prefix="gestiq-tests-")
os.environ["GESTIQ_ENV"] = "test"
os.environ["GESTIQ_HUEY_BACKEND"] = "immediate"
os.environ["GESTIQ_INSTANCE_PATH"] = _TMP
os.environ.setdefault("GESTIQ_LOG_LEVEL", "WARNING")

TEST_DATABASE_URL = os.environ.get("GESTIQ_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("GESTIQ_TEST_REDIS_URL", "")
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")

from tests.factories import make_tenant  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Declare markers."""
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (RLS, concurrency); deselected on SQLite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect PostgreSQL-only tests on SQLite (deselected, never skipped)."""
    if IS_POSTGRES:
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run in CI when any test was skipped."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped — skipping is not allowed in CI", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def database_urls() -> Iterator[dict[str, str]]:
    """Create the test database (PostgreSQL: owner and runtime roles) and yield its URLs."""
    if not IS_POSTGRES:
        url = f"sqlite:///{os.path.join(_TMP, 'test.db')}"
        yield {"owner": url, "runtime": url, "admin": ""}
        return
    from gestiq_app.ops.pg_bootstrap import bootstrap, drop_database

    database = f"gestiq_test_{uuid.uuid4().hex[:10]}"
    result = bootstrap(admin_url=TEST_DATABASE_URL, database=database)
    yield {"owner": result.owner_url, "runtime": result.runtime_url, "admin": TEST_DATABASE_URL, "database": database}
    drop_database(admin_url=TEST_DATABASE_URL, database=database)


@pytest.fixture(scope="session")
def app(database_urls: dict[str, str]):  # type: ignore[no-untyped-def]
    """Migrate the test database as the owner and return the app connected as the runtime role."""
    from flask_migrate import upgrade

    from gestiq_app import create_app
    from gestiq_app.admin.accounts import sync_permissions
    from gestiq_app.taxes.seed import ensure_tax_rates
    from gestiq_app.tenancy.seed import ensure_platform_defaults

    overrides = {
        "GESTIQ_ENV": "test",
        "GESTIQ_DATABASE_URL": database_urls["runtime"],
        "GESTIQ_MIGRATION_DATABASE_URL": database_urls["owner"],
        "GESTIQ_HUEY_BACKEND": "immediate",
        "GESTIQ_INSTANCE_PATH": _TMP,
        "GESTIQ_REDIS_URL": TEST_REDIS_URL,
        "GESTIQ_SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
        "GESTIQ_EDGE_MIDDLEWARE": "0",  # the edge is tested on its own (tests/edge) and wrapped explicitly
        "GESTIQ_PDF_RENDER_ON_ISSUE": "0",  # ~0.1 s per issued invoice; tests/pdf switch it on where they test it
        # Generous limits for the suite; rate-limit tests lower them with monkeypatch.
        "GESTIQ_RATELIMIT_LOGIN_IP": "10000/minute",
        "GESTIQ_RATELIMIT_LOGIN_ACCOUNT": "10000/minute",
    }
    migrating_app = create_app(overrides)
    with migrating_app.app_context():
        upgrade(directory=migrating_app.extensions["migrate"].directory)
    application = create_app(overrides)
    with application.app_context():
        sync_permissions()
        ensure_platform_defaults()
        ensure_tax_rates()
    return application


@pytest.fixture()
def app_context(app):  # type: ignore[no-untyped-def]
    """Push an app context with a clean session and no tenant."""
    from gestiq_app.extensions import db

    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    """A test client of the app."""
    return app.test_client()


@pytest.fixture()
def tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Spanish tenant with its owner."""
    return make_tenant(country="ES")


@pytest.fixture()
def other_tenant(app_context):  # type: ignore[no-untyped-def]
    """A second, unrelated tenant (Ecuador)."""
    return make_tenant(country="EC")


@pytest.fixture()
def tenant_pair(app):  # type: ignore[no-untyped-def]
    """Two provisioned tenants (A in Spain, B in Ecuador), created outside any request."""
    with app.app_context():
        tenant_a, tenant_b = make_tenant(country="ES"), make_tenant(country="EC")
    return tenant_a, tenant_b


@pytest.fixture()
def back_office_user(app):  # type: ignore[no-untyped-def]
    """Create a FAB user with a given role and return its username."""
    from gestiq_app.extensions import appbuilder, db

    def create(role_name: str) -> str:
        username = f"{role_name.lower()}-{uuid.uuid4().hex[:8]}@gestiq.test"
        with app.app_context():
            role = appbuilder.sm.find_role(role_name)
            assert role is not None, role_name
            user = appbuilder.sm.add_user(username=username, first_name=role_name, last_name="Test", email=username, role=role, password="admin-password-1")
            assert user
            db.session.remove()
        return username

    return create


@pytest.fixture()
def json_log():  # type: ignore[no-untyped-def]
    """Capture the app's JSON log lines (INFO and up) during a test; yields a function returning them parsed."""
    import io
    import json as json_module
    import logging

    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "_gestiq", False))
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    previous_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json_module.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    finally:
        handler.setStream(previous_stream)
        root.setLevel(previous_level)
