"""`scripts/restore-tenant ARCHIVE [--force]`: load a tenant archive into the configured database, then verify it.

One owner-role transaction: optional erase of the existing tenant (--force), platform references
matched by code or created, the tenant row, every table in foreign-key order, then every table's row
count and checksum compared with the manifest (any difference rolls everything back). Files are
written after the commit and checked against their checksums.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Table, insert, or_, select
from sqlalchemy.engine import Connection

from gestiq_app.ops.archive import (
    ArchiveError,
    TenantArchive,
    decode_value,
    read_archive,
    sha256_hex,
    table_ndjson,
    tenant_files_folder,
)
from gestiq_app.ops.common import OpsError, build_app, owner_transaction, printer, run_script, schema_revision, set_rls_tenant
from gestiq_app.ops.erase_tenant import erase_tenant_rows, remove_tenant_files, tenant_tables_in_dependency_order


def _decoded(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise OpsError(f"la tabla {table.name} del archivo tiene columnas desconocidas: {', '.join(sorted(unknown))}")
    try:
        return {key: decode_value(table, key, value) for key, value in row.items()}
    except (TypeError, ValueError, ArithmeticError) as error:
        raise OpsError(f"valor no válido en la tabla {table.name} del archivo: {error}") from error


def match_or_create(connection: Connection, table: Table, row: dict[str, Any] | None) -> uuid.UUID | None:
    """Return the id of the platform row with the same code, inserting the archived row when missing."""
    if row is None:
        return None
    existing = connection.execute(select(table.c.id).where(table.c.code == row["code"])).scalar_one_or_none()
    if existing is not None:
        return existing
    values = _decoded(table, row)
    taken = connection.execute(select(table.c.id).where(table.c.id == values["id"])).scalar_one_or_none()
    if taken is not None:
        values["id"] = uuid.uuid4()
    connection.execute(insert(table).values(**values))
    return values["id"]


def _existing_tenants(connection: Connection, tenant_id: uuid.UUID, slug: str) -> list[tuple[uuid.UUID, str]]:
    from gestiq_app.tenancy.models import Tenant

    tenants = Tenant.__table__
    rows = connection.execute(select(tenants.c.id, tenants.c.slug).where(or_(tenants.c.id == tenant_id, tenants.c.slug == slug)))
    return [(row.id, row.slug) for row in rows]


def _verify(connection: Connection, archive: TenantArchive, tenant_id: uuid.UUID, progress: Callable[[str], None]) -> None:
    set_rls_tenant(connection, tenant_id)
    for table in tenant_tables_in_dependency_order():
        expected = archive.manifest["tables"][table.name]
        data, count = table_ndjson(connection, table, tenant_id)
        if count != expected["rows"] or sha256_hex(data) != expected["sha256"]:
            raise OpsError(f"verificación fallida en {table.name}: {count} filas restauradas, {expected['rows']} en el archivo"
                           " (o la suma de control no coincide); no se ha restaurado nada")
    progress("Verificación correcta: filas y sumas de control coinciden con el manifiesto")


def _write_files(app: Flask, archive: TenantArchive, tenant_id: uuid.UUID) -> None:
    folder = tenant_files_folder(app.config["GESTIQ_INSTANCE_PATH"], tenant_id)
    for name, data in archive.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if sha256_hex(target.read_bytes()) != sha256_hex(data):
            raise OpsError(f"el fichero {name} no se escribió correctamente")


def restore_tenant(app: Flask, *, path: Path, force: bool, dry_run: bool, progress: Callable[[str], None]) -> uuid.UUID:
    """Restore the archive at `path`; return the tenant id."""
    from gestiq_app.tenancy.models import Plan, SectorTemplate, Tenant

    try:
        archive = read_archive(path)
    except ArchiveError as error:
        raise OpsError(str(error)) from error
    manifest = archive.manifest
    tenant_row = _decoded(Tenant.__table__, manifest["tenant"])
    tenant_id, slug = tenant_row["id"], tenant_row["slug"]
    with owner_transaction(app) as connection:
        revision = schema_revision(connection)
        if revision != manifest["schema_revision"]:
            raise OpsError(f"el archivo es de la revisión de esquema {manifest['schema_revision']} y la base de datos está en"
                           f" {revision}: migre ambas a la misma revisión antes de restaurar")
        existing = _existing_tenants(connection, tenant_id, slug)
        if existing and not force:
            names = ", ".join(f"{found_slug} ({found_id})" for found_id, found_slug in existing)
            raise OpsError(f"la empresa ya existe en esta base de datos: {names}; use --force para borrarla y restaurar")
        if dry_run:
            progress(f"Simulación: se restauraría la empresa {slug} ({tenant_id}) con"
                     f" {sum(entry['rows'] for entry in manifest['tables'].values())} filas y {len(archive.files)} ficheros")
            for found_id, found_slug in existing:
                progress(f"  y antes se borraría la empresa existente {found_slug} ({found_id})")
            return tenant_id
        for found_id, found_slug in existing:
            progress(f"Borrando la empresa existente {found_slug} ({found_id})")
            erase_tenant_rows(connection, found_id, actor="script:restore-tenant", reason="restore --force", progress=progress)
        progress(f"Restaurando la empresa {slug} ({tenant_id})")
        tenant_row["sector_template_id"] = match_or_create(connection, SectorTemplate.__table__, manifest["platform"]["sector_template"])
        tenant_row["plan_id"] = match_or_create(connection, Plan.__table__, manifest["platform"]["plan"])
        connection.execute(insert(Tenant.__table__).values(**tenant_row))
        set_rls_tenant(connection, tenant_id)
        for table in tenant_tables_in_dependency_order():
            if table.name not in manifest["tables"]:
                raise OpsError(f"el archivo no contiene la tabla {table.name}")
            rows = [_decoded(table, row) for row in archive.encoded_rows(table.name)]
            if any(row["tenant_id"] != tenant_id for row in rows):
                raise OpsError(f"la tabla {table.name} del archivo contiene filas de otra empresa")
            if rows:
                connection.execute(insert(table), rows)
            progress(f"  {table.name}: {len(rows)} filas")
        _verify(connection, archive, tenant_id, progress)
    for found_id, _ in existing:
        remove_tenant_files(app, found_id)
    _write_files(app, archive, tenant_id)
    if archive.files:
        progress(f"  ficheros: {len(archive.files)} restaurados")
    progress(f"Empresa {slug} restaurada")
    return tenant_id


def main(argv: list[str] | None = None, *, app: Flask | None = None) -> int:
    """Run `scripts/restore-tenant`."""
    parser = argparse.ArgumentParser(prog="scripts/restore-tenant", description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="archivo creado por scripts/export-tenant")
    parser.add_argument("--force", action="store_true", help="si la empresa (id o slug) ya existe, borrarla antes de restaurar")
    parser.add_argument("--dry-run", action="store_true", help="comprobar el archivo y decir qué se haría, sin escribir nada")
    args = parser.parse_args(argv)
    return run_script(lambda: (restore_tenant(app or build_app(), path=args.archive, force=args.force,
                                              dry_run=args.dry_run, progress=printer()), 0)[1])


if __name__ == "__main__":
    sys.exit(main())
