"""The price-list migration goes up, down and up again over existing data (PostgreSQL: RLS re-applied).

On SQLite the migration rebuilds `customers` (batch mode) while another table refers to it: the migration
environment must switch foreign-key enforcement off for that, and find every reference intact afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from tests.conftest import IS_POSTGRES, TEST_DATABASE_URL

PRICE_LISTS_REVISION = "df8fc55e1cf3"


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


def _run(url: str, *statements: str, **params: object) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(params.get("tenant", ""))})
            rows: list[tuple] = []
            for statement in statements:
                result = connection.execute(text(statement), params)
                rows = [tuple(row) for row in result] if result.returns_rows else rows
            return rows
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_the_price_list_migration_is_reversible_over_referenced_customers(app, monkeypatch, scratch_database) -> None:  # type: ignore[no-untyped-def]
    owner_url = scratch_database["owner"]
    monkeypatch.setitem(app.config, "GESTIQ_MIGRATION_DATABASE_URL", owner_url)
    monkeypatch.setitem(app.config, "GESTIQ_DATABASE_URL", scratch_database["runtime"])
    tenant, customer = uuid.uuid4(), uuid.uuid4()
    with app.app_context():
        directory = app.extensions["migrate"].directory
        before = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config(directory)).get_revision(
            PRICE_LISTS_REVISION).down_revision
        upgrade(directory=directory, revision=before)
        uuid_type = "UUID" if IS_POSTGRES else "CHAR(32)"  # how SQLAlchemy's Uuid is stored
        _run(owner_url,
             f"CREATE TABLE fk_probe (tenant_id {uuid_type} NOT NULL, customer_id {uuid_type} NOT NULL, "
             "FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id))",
             "INSERT INTO customers (tenant_id, id, legal_name, country, tax_id_type, tax_id, address, addresses, contacts, "
             "payment_terms_days, tags, is_active, has_recargo_equivalencia, is_irpf_professional, is_contribuyente_especial, "
             "is_rimpe) VALUES (:tenant, :customer, 'Cliente', 'ES', 'nif', '12345678Z', '{}', '[]', '[]', 0, '[]', "
             "true, false, false, false, false)",
             "INSERT INTO fk_probe (tenant_id, customer_id) VALUES (:tenant, :customer)",
             tenant=tenant.hex if not IS_POSTGRES else tenant, customer=customer.hex if not IS_POSTGRES else customer)
        upgrade(directory=directory)
        downgrade(directory=directory, revision=before)
        assert {"price_lists", "price_list_items"} & _tables(owner_url) == set()
        upgrade(directory=directory)
    assert {"price_lists", "price_list_items"} <= _tables(owner_url)
    assert _run(owner_url, "SELECT legal_name, price_list_id FROM customers", tenant=tenant) == [("Cliente", None)]
    if IS_POSTGRES:
        forced = _run(owner_url, "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relname LIKE 'price_list%' ORDER BY relname")
        assert forced == [("price_list_items",), ("price_lists",)]
