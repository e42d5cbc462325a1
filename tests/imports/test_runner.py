"""GESTIQ_IMPORTS_ENABLED=1: the app starts its own job runner (only when the import tables exist; else one warning)."""

from __future__ import annotations

import time

import pytest

from gestiq_app import jobs
from gestiq_app.imports import runner
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.imports.helpers import new_batch


def _overrides(app, tmp_path, database_url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"GESTIQ_ENV": "test", "GESTIQ_DATABASE_URL": database_url, "GESTIQ_MIGRATION_DATABASE_URL": database_url,
            "GESTIQ_HUEY_BACKEND": "sqlite", "GESTIQ_INSTANCE_PATH": str(tmp_path), "GESTIQ_IMPORTS_ENABLED": "1",
            "GESTIQ_SECRET_KEY": app.config["GESTIQ_SECRET_KEY"], "GESTIQ_EDGE_MIDDLEWARE": "0", "GESTIQ_FAB_UPDATE_PERMS": "0",
            "GESTIQ_RATELIMIT_LOGIN_IP": "10000/minute", "GESTIQ_RATELIMIT_LOGIN_ACCOUNT": "10000/minute"}


def test_without_import_tables_the_app_warns_once_and_starts_no_runner(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from gestiq_app import create_app

    warnings: list[str] = []
    monkeypatch.setattr(runner.log, "warning", lambda message, *args, **kwargs: warnings.append(message))
    try:
        empty = create_app(_overrides(app, tmp_path, f"sqlite:///{tmp_path / 'empty.db'}"))
    finally:
        jobs.huey.immediate = True
    assert warnings == ["GESTIQ_IMPORTS_ENABLED=1 pero faltan las tablas de importación: ejecute `flask db upgrade`; "
                        "el ejecutor de tareas no se inicia"]
    assert "_start_embedded_runner" not in [hook.__name__ for hook in empty.before_request_funcs.get(None, [])]


def test_with_import_tables_the_first_request_starts_a_runner_that_validates_batches(app, database_urls, tmp_path,  # type: ignore[no-untyped-def]
                                                                                       monkeypatch):
    from gestiq_app import create_app

    with app.app_context():
        tenant = make_tenant(country="ES")
    try:
        embedded = create_app(_overrides(app, tmp_path, database_urls["runtime"]) | {"GESTIQ_MIGRATION_DATABASE_URL": database_urls["owner"]})
        # In a real process the consumer's threads build their app from the same settings as the web app; the test
        # process's environment points elsewhere, so hand them this one.
        monkeypatch.setattr(jobs, "_worker_app", embedded)
        assert jobs.huey.immediate is False
        session = login_as(embedded, tenant, "owner")
        batch_id = new_batch(session)
        session.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": [{"sku": "R-1", "name": "Uno", "unit_price": "1"}]})
        assert session.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
        deadline = time.monotonic() + 30
        state = "validating"
        while state == "validating" and time.monotonic() < deadline:
            time.sleep(0.1)
            state = session.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"]
        assert state == "validated"
    finally:
        runner.stop_consumer(jobs.huey)
        jobs.huey.immediate = True


@pytest.mark.parametrize("value", ["0", ""])
def test_the_runner_is_off_by_default(app, value):  # type: ignore[no-untyped-def]
    class Fake:
        config = {"GESTIQ_IMPORTS_ENABLED": value}

    assert runner.is_enabled(Fake) is False  # type: ignore[arg-type]
