"""Validation while staging (ingest with a validation pool): the same outcome as staging then validating row by row.

With a pool (CLI, migrate-legacy, benchmark) PostgreSQL ingests and validates in one pass and validation only applies
the duplicate policy, set-based. These tests run the same file both ways, for each duplicate policy, and compare
every item; and they prove that precomputed results are dropped when the mapping changes after the upload.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.catalog.services import create_product
from gestiq_app.db import session
from gestiq_app.imports import pipeline, services
from gestiq_app.imports.inline import import_file
from gestiq_app.imports.models import ImportItem
from gestiq_app.imports.pool import ValidationPool
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant

#: Row 2 ok, 3 bad price, 4 repeats row 2's SKU, 5 exists already, 6 no name, 7 ok, 8 repeats the existing SKU, 9 ok.
CSV = ("Código;Nombre;P.V.P.;IVA %;Familia\r\n"
       "A-1;Silla;12,50;21;Muebles\r\n"
       "A-2;Mesa;doce;21;Muebles\r\n"
       "A-1;Silla repetida;13,00;21;Muebles\r\n"
       "EX-1;Lámpara nueva;40,00;10;Luz\r\n"
       "A-3;;5,00;21;Varios\r\n"
       "A-4;Cojín;1.234,56;4;Textil\r\n"
       "EX-1;Lámpara otra vez;41,00;10;Luz\r\n"
       "A-5;Alfombra;99,90;21;Textil\r\n")


def _tenant_with_existing_product(app: Any) -> uuid.UUID:
    with app.app_context():
        tenant = make_tenant(country="ES")
        create_product(tenant_id=tenant.id, data={"sku": "EX-1", "name": "Lámpara", "unit_price": Decimal("30.00")}, actor="test")
        return tenant.id


def _items(app: Any, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> list[tuple]:
    with app.app_context(), tenant_context(tenant_id):
        rows = session().execute(select(ImportItem.row_number, ImportItem.status, ImportItem.action, ImportItem.data,
                                        ImportItem.errors, ImportItem.natural_key, ImportItem.target_id.is_not(None))
                                 .where(ImportItem.batch_id == batch_id).order_by(ImportItem.row_number)).all()
        return [tuple(row) for row in rows]


def _timings(app: Any, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> dict[str, Any]:
    with app.app_context(), tenant_context(tenant_id):
        return dict(services.get_batch(tenant_id=tenant_id, batch_id=batch_id).timings or {})


@pytest.mark.parametrize("policy", ["error", "skip", "update"])
def test_validating_while_staging_gives_exactly_the_row_by_row_outcome(app, database_urls, tmp_path, policy):  # type: ignore[no-untyped-def]
    source = tmp_path / "productos.csv"
    source.write_bytes(CSV.encode("cp1252"))
    row_by_row, pooled = _tenant_with_existing_product(app), _tenant_with_existing_product(app)
    with app.app_context():
        plain = import_file(tenant_id=row_by_row, path=source, kind="products", promote=False, actor="test", duplicate_policy=policy)
        with ValidationPool(2) as pool:
            fused = import_file(tenant_id=pooled, path=source, kind="products", promote=False, actor="test",
                                duplicate_policy=policy, pool=pool)
    assert plain.counts == fused.counts
    expected = _items(app, row_by_row, plain.batch_id)
    assert _items(app, pooled, fused.batch_id) == expected
    # Where the pool validated while staging (PostgreSQL), the batch says so; the row-by-row run never does.
    assert ("prevalidated_at" in _timings(app, pooled, fused.batch_id)) is database_urls["runtime"].startswith("postgresql")
    assert "prevalidated_at" not in _timings(app, row_by_row, plain.batch_id)

    statuses = [(row[0], row[1], row[2]) for row in expected]
    duplicate_in_file = {"error": ("invalid", None), "skip": ("skipped", None), "update": ("skipped", None)}[policy]
    existing = {"error": ("invalid", None), "skip": ("skipped", None), "update": ("valid", "update")}[policy]
    assert statuses == [(2, "valid", "create"), (3, "invalid", None), (4, *duplicate_in_file), (5, *existing),
                        (6, "invalid", None), (7, "valid", "create"), (8, *duplicate_in_file), (9, "valid", "create")]
    by_row = {row[0]: row for row in expected}
    assert by_row[7][3]["unit_price"] == "1234.5600" and by_row[7][3]["tax_category"] == "superreducido"
    if policy == "error":
        assert by_row[4][4] == {"sku": [{"code": "duplicate_in_file", "message": "SKU repetido en el archivo (ya aparece en la fila 2)."}]}
        assert by_row[5][4] == {"sku": [{"code": "already_exists", "message": "Ya existe un registro con este SKU."}]}
        assert by_row[8][4] == {"sku": [{"code": "duplicate_in_file", "message": "SKU repetido en el archivo (ya aparece en la fila 5)."}]}
    if policy == "update":
        assert by_row[5][6] is True  # the existing product is the target


@pytest.mark.postgres
def test_a_mapping_changed_after_the_upload_drops_the_precomputed_results(app, tmp_path):  # type: ignore[no-untyped-def]
    source = tmp_path / "productos.csv"
    source.write_bytes(CSV.encode("cp1252"))
    tenant_id = _tenant_with_existing_product(app)
    with app.app_context():
        batch = services.create_batch(tenant_id=tenant_id, data={"kind": "products", "source_name": "productos.csv"}, actor="test")
        with ValidationPool(2) as pool, Path(source).open("rb") as stream:
            services.ingest_file(tenant_id=tenant_id, batch_id=batch.id, stream=stream, filename="productos.csv", pool=pool)
        assert "prevalidated_at" in _timings(app, tenant_id, batch.id)
        # Ignore the «Familia» column: the category computed at upload time must not survive.
        services.update_batch(tenant_id=tenant_id, batch_id=batch.id, data={"mapping": {"Familia": None}})
        services.request_validation(tenant_id=tenant_id, batch_id=batch.id, enqueue=False)
        assert pipeline.run_validation(tenant_id=tenant_id, batch_id=batch.id) == "validated"
    rows = {row[0]: row for row in _items(app, tenant_id, batch.id)}
    assert rows[2][1] == "valid" and "category" not in rows[2][3]
    assert rows[4][4]["sku"][0]["code"] == "duplicate_in_file"


@pytest.mark.postgres
def test_reimporting_a_file_whose_keys_all_exist_skips_every_row_and_creates_nothing(app, tmp_path):  # type: ignore[no-untyped-def]
    lines = ["Código;Nombre;P.V.P.;IVA %"] + [f"R-{number:05d};Producto {number};{number},00;21" for number in range(1, 6001)]
    source = tmp_path / "productos.csv"
    source.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with app.app_context():
        tenant_id = make_tenant(country="ES").id
        with ValidationPool(2) as pool:
            first = import_file(tenant_id=tenant_id, path=source, kind="products", promote=True, actor="test", pool=pool)
            again = import_file(tenant_id=tenant_id, path=source, kind="products", promote=True, actor="test",
                                duplicate_policy="skip", pool=pool)
        with tenant_context(tenant_id):
            products = session().execute(select(Product.sku).where(Product.tenant_id == tenant_id)).scalars().all()
    assert first.counts["promoted"] == 6000
    assert again.counts["skipped"] == 6000 and again.counts["promoted"] == 0 and again.counts["invalid"] == 0
    assert len(products) == 6000


def test_items_staged_in_several_copy_blocks_are_all_there_once(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from gestiq_app.imports import writers

    monkeypatch.setattr(writers.ItemStager, "BLOCK", 3)  # 8 rows: blocks of 3, 3 and 2 (PostgreSQL; SQLite has no COPY)
    source = tmp_path / "productos.csv"
    source.write_bytes(CSV.encode("cp1252"))
    row_by_row, pooled = _tenant_with_existing_product(app), _tenant_with_existing_product(app)
    with app.app_context():
        plain = import_file(tenant_id=row_by_row, path=source, kind="products", promote=False, actor="test")
        with ValidationPool(2) as pool:
            fused = import_file(tenant_id=pooled, path=source, kind="products", promote=False, actor="test", pool=pool)
    expected = _items(app, row_by_row, plain.batch_id)
    assert [row[0] for row in expected] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert _items(app, pooled, fused.batch_id) == expected


def _raw_items(app: Any, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> dict[int, tuple]:
    with app.app_context(), tenant_context(tenant_id):
        rows = session().execute(select(ImportItem.row_number, ImportItem.raw, ImportItem.data, ImportItem.errors,
                                        ImportItem.natural_key, ImportItem.status)
                                 .where(ImportItem.batch_id == batch_id).order_by(ImportItem.row_number)).all()
        return {row[0]: tuple(row[1:]) for row in rows}


#: Text that COPY's text format must escape (backslash, tab, newline inside quotes, carriage return), quotes, accents,
#: a row with a cell more than the header and one with a cell less.
TRICKY_CSV = ('Código;Nombre;P.V.P.;IVA %;Familia\r\n'
              'C:\\\\raíz\\n;"Silla ""Luis""\tXV";12,50;21;"Mue\r\nbles"\r\n'
              'T\tAB;Mesa\\;3,00;10;Ofi\\cina;sobra\r\n'
              'Z-1;Banco;4,00\r\n')


def test_text_that_copy_must_escape_is_staged_exactly_as_the_row_by_row_path_stores_it(app, tmp_path):  # type: ignore[no-untyped-def]
    source = tmp_path / "productos.csv"
    source.write_text(TRICKY_CSV, encoding="utf-8", newline="")
    with app.app_context():
        row_by_row, pooled = make_tenant(country="ES").id, make_tenant(country="ES").id
        plain = import_file(tenant_id=row_by_row, path=source, kind="products", promote=False, actor="test")
        with ValidationPool(2) as pool:
            fused = import_file(tenant_id=pooled, path=source, kind="products", promote=False, actor="test", pool=pool)
    expected = _raw_items(app, row_by_row, plain.batch_id)
    assert _raw_items(app, pooled, fused.batch_id) == expected
    raw, data, errors, key, status = expected[2]
    assert raw == {"Código": "C:\\\\raíz\\n", "Nombre": 'Silla "Luis"\tXV', "P.V.P.": "12,50", "IVA %": "21", "Familia": "Mue\r\nbles"}
    assert (data["sku"], data["name"], data["category"], key, status, errors) == (
        "C:\\\\raíz\\n", 'Silla "Luis"\tXV', "Mue\r\nbles", "C:\\\\raíz\\n", "valid", {})
    raw, data, errors, key, status = expected[4]
    assert raw == {"Código": "T\tAB", "Nombre": "Mesa\\", "P.V.P.": "3,00", "IVA %": "10", "Familia": "Ofi\\cina", "_extra": "sobra"}
    assert key == "T\tAB" and status == "invalid"
    assert errors == {"_row": [{"code": "extra_columns", "message": "La fila tiene más columnas que la cabecera: «sobra»."}]}
    raw, data, errors, key, status = expected[5]
    assert raw == {"Código": "Z-1", "Nombre": "Banco", "P.V.P.": "4,00", "IVA %": "", "Familia": ""}
    assert (data, errors, key, status) == (
        {"sku": "Z-1", "name": "Banco", "unit_price": "4.0000", "tax_category": "general"}, {}, "Z-1", "valid")
