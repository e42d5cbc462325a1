"""The price-list migration goes down and up again on an empty database (PostgreSQL: RLS re-applied)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from tests.conftest import IS_POSTGRES, TEST_DATABASE_URL

BEFORE_PRICE_LISTS = "1dbfde3f86ce"


@pytest.fixture()
def scratch_database(tmp_path) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """An empty database of the suite's kind, dropped afterwards."""
    if not IS_POSTGRES:
        url = f"sqlite:///{os.path.join(tmp_path, 'scratch.db')}"
        yield {"owner": url, "runtime": url}
        return
    from gestiq_app.ops.pg_bootstrap import bootstrap, drop_database

    name = f"gestiq_scratch_{uuid.uuid4().hex[:10]}"
    result = bootstrap(admin_url=TEST_DATABASE_URL, database=name)
    yield {"owner": result.owner_url, "runtime": result.runtime_url}
    drop_database(admin_url=TEST_DATABASE_URL, database=name)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _forced_rls(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT relname FROM pg_class WHERE relforcerowsecurity AND relname LIKE 'price_list%'"))
            return {row[0] for row in rows}
    finally:
        engine.dispose()


def test_the_price_list_migration_is_reversible(app, monkeypatch, scratch_database) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_MIGRATION_DATABASE_URL", scratch_database["owner"])
    monkeypatch.setitem(app.config, "GESTIQ_DATABASE_URL", scratch_database["runtime"])
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory)
        downgrade(directory=directory, revision=BEFORE_PRICE_LISTS)
        assert {"price_lists", "price_list_items"} & _tables(scratch_database["owner"]) == set()
        upgrade(directory=directory)
    assert {"price_lists", "price_list_items", "customers"} <= _tables(scratch_database["owner"])
    if IS_POSTGRES:
        assert _forced_rls(scratch_database["owner"]) == {"price_lists", "price_list_items"}
