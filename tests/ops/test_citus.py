"""The schema stays distributable by tenant_id (Citus): keys of tenant tables include tenant_id."""

from __future__ import annotations

import pytest
from flask_appbuilder.security.sqla import models as fab_models  # noqa: F401 - ab_* tables on the metadata
from sqlalchemy import ForeignKeyConstraint, UniqueConstraint, create_engine, inspect

from gestiq_app.db import metadata
from gestiq_app.ops.citus_plan import citus_statements
from gestiq_app.tenancy.rls import tenant_tables

TENANT_TABLES = {table.name for table in tenant_tables()}


def _key_problems(name: str, primary_key: list[str], uniques: list[list[str]], foreign_keys: list[tuple[list[str], str, list[str]]]) -> list[str]:
    """Return what keeps one tenant table from being distributed by tenant_id."""
    problems = []
    if "tenant_id" not in primary_key:
        problems.append(f"{name}: primary key {primary_key} lacks tenant_id")
    problems += [f"{name}: unique {columns} lacks tenant_id" for columns in uniques if "tenant_id" not in columns]
    for columns, referred_table, referred_columns in foreign_keys:
        if referred_table in TENANT_TABLES:
            pairs = dict(zip(columns, referred_columns))
            if pairs.get("tenant_id") != "tenant_id":
                problems.append(f"{name}: foreign key {columns} -> {referred_table}{referred_columns} does not pair tenant_id")
        elif "tenant_id" not in columns and referred_table != "tenants":
            # A tenant table may point at a reference table (Citus allows it), but keep it deliberate.
            problems.append(f"{name}: foreign key {columns} -> {referred_table} lacks tenant_id (reference table?)")
    return problems


def _platform_fk_problems(name: str, foreign_keys: list[tuple[list[str], str, list[str]]]) -> list[str]:
    return [f"{name}: platform table points at tenant table {referred}" for _, referred, _ in foreign_keys if referred in TENANT_TABLES]


def test_metadata_keys_of_tenant_tables_include_tenant_id() -> None:
    problems: list[str] = []
    for table in metadata.sorted_tables:
        foreign_keys = [([c.name for c in fk.columns], fk.referred_table.name, [e.column.name for e in fk.elements])
                        for fk in table.constraints if isinstance(fk, ForeignKeyConstraint)]
        if table.name not in TENANT_TABLES:
            problems += _platform_fk_problems(table.name, foreign_keys)
            continue
        uniques = [[c.name for c in constraint.columns] for constraint in table.constraints if isinstance(constraint, UniqueConstraint)]
        uniques += [[c.name for c in index.columns] for index in table.indexes if index.unique]
        problems += _key_problems(table.name, [c.name for c in table.primary_key.columns], uniques, foreign_keys)
    assert problems == []


@pytest.mark.postgres
def test_live_schema_keys_of_tenant_tables_include_tenant_id(app_context, database_urls) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(database_urls["owner"])
    problems: list[str] = []
    try:
        inspector = inspect(engine)
        live_tables = set(inspector.get_table_names())
        assert TENANT_TABLES <= live_tables
        for name in sorted(live_tables - {"alembic_version"}):
            foreign_keys = [(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"]) for fk in inspector.get_foreign_keys(name)]
            if name not in TENANT_TABLES:
                problems += _platform_fk_problems(name, foreign_keys)
                continue
            uniques = [u["column_names"] for u in inspector.get_unique_constraints(name)]
            uniques += [i["column_names"] for i in inspector.get_indexes(name) if i["unique"]]
            problems += _key_problems(name, inspector.get_pk_constraint(name)["constrained_columns"], uniques, foreign_keys)
    finally:
        engine.dispose()
    assert problems == []


def test_citus_plan_distributes_every_tenant_table_and_references_the_rest() -> None:
    statements = citus_statements()
    distributed = [s for s in statements if s.startswith("SELECT create_distributed_table")]
    reference = [s for s in statements if s.startswith("SELECT create_reference_table")]
    first = sorted(TENANT_TABLES, key=[t.name for t in metadata.sorted_tables].index)[0]
    assert distributed[0] == f"SELECT create_distributed_table('{first}', 'tenant_id');"
    assert {s.split("'")[1] for s in distributed} == TENANT_TABLES
    assert all(s.endswith(f"colocate_with => '{first}');") for s in distributed[1:])
    assert {s.split("'")[1] for s in reference} == {t.name for t in metadata.sorted_tables} - TENANT_TABLES
    assert statements.index(reference[-1]) < statements.index(distributed[0])
