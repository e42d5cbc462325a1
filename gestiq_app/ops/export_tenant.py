"""`scripts/export-tenant SLUG OUT`: write one tenant's rows and files to a versioned, checksummed archive.

Reads run as the runtime role inside the tenant's context (ORM guard and row-level security), one
table at a time, never a platform-wide SELECT of tenant tables.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from gestiq_app.ops.archive import (
    FORMAT_NAME,
    FORMAT_VERSION,
    TenantArchive,
    collect_files,
    encode_value,
    sha256_hex,
    table_ndjson,
    tenant_files_folder,
    write_archive,
)
from gestiq_app.ops.common import OpsError, build_app, printer, run_script, schema_revision


def _row_of(connection: Any, table: Any, row_id: Any) -> dict[str, Any] | None:
    if row_id is None:
        return None
    row = connection.execute(select(table).where(table.c.id == row_id)).mappings().one_or_none()
    return {key: encode_value(value) for key, value in row.items()} if row else None


def export_tenant(app: Flask, *, slug: str, out: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    """Write the archive of the tenant `slug` to `out` and return its manifest."""
    from gestiq_app.db import utcnow
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context
    from gestiq_app.tenancy.models import Plan, SectorTemplate, Tenant
    from gestiq_app.tenancy.rls import tenant_tables

    with app.app_context():
        try:
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
            if tenant is None:
                raise OpsError(f"no existe ninguna empresa con el identificador «{slug}»")
            tenant_id = tenant.id
            connection = db.session.connection()
            tenant_row = _row_of(connection, Tenant.__table__, tenant_id)
            platform = {
                "sector_template": _row_of(connection, SectorTemplate.__table__, tenant.sector_template_id),
                "plan": _row_of(connection, Plan.__table__, tenant.plan_id),
            }
            revision = schema_revision(connection)
            archive = TenantArchive(manifest={})
            tables: dict[str, dict[str, Any]] = {}
            progress(f"Exportando la empresa {slug} ({tenant_id})")
            with tenant_context(tenant_id):
                for table in tenant_tables():
                    data, count = table_ndjson(db.session.connection(), table, tenant_id)
                    archive.tables[table.name] = data
                    tables[table.name] = {"rows": count, "sha256": sha256_hex(data),
                                          "columns": [column.name for column in table.columns]}
                    progress(f"  {table.name}: {count} filas")
        finally:
            db.session.rollback()
            db.session.remove()
        archive.files = collect_files(tenant_files_folder(app.config["GESTIQ_INSTANCE_PATH"], tenant_id))
    if archive.files:
        progress(f"  ficheros: {len(archive.files)}")
    archive.manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": encode_value(utcnow()),
        "schema_revision": revision,
        "tenant": tenant_row,
        "platform": platform,
        "tables": tables,
        "files": [{"path": name, "size": len(data), "sha256": sha256_hex(data)} for name, data in sorted(archive.files.items())],
    }
    write_archive(out, archive)
    progress(f"Archivo escrito: {out}")
    return archive.manifest


def main(argv: list[str] | None = None, *, app: Flask | None = None) -> int:
    """Run `scripts/export-tenant`."""
    parser = argparse.ArgumentParser(prog="scripts/export-tenant", description=__doc__.splitlines()[0])
    parser.add_argument("slug", help="identificador de la empresa (slug)")
    parser.add_argument("out", type=Path, help="archivo de salida (.tar.gz)")
    parser.add_argument("--overwrite", action="store_true", help="sustituir OUT si ya existe")
    args = parser.parse_args(argv)

    def body() -> int:
        if args.out.exists() and not args.overwrite:
            raise OpsError(f"{args.out} ya existe (use --overwrite para sustituirlo)")
        export_tenant(app or build_app(), slug=args.slug, out=args.out, progress=printer())
        return 0

    return run_script(body)


if __name__ == "__main__":
    sys.exit(main())
