"""`scripts/erase-tenant SLUG --yes`: delete every row and file of a tenant (right to erasure), in one transaction.

Runs as the owner role (GESTIQ_MIGRATION_DATABASE_URL): the runtime role cannot delete audit events
(append-only grants). The tenant's own audit events go too (they may hold personal data); the erasure
itself is kept as a platform audit event that names only the tenant id and the row counts.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import uuid
from collections.abc import Callable

from flask import Flask
from sqlalchemy import text, delete, func, insert, select
from sqlalchemy.engine import Connection

from gestiq_app.ops.archive import tenant_files_folder
from gestiq_app.ops.common import OpsError, build_app, owner_transaction, printer, run_script, set_rls_tenant


def tenant_tables_in_dependency_order() -> list:
    """Return the tenant tables parents first (metadata.sorted_tables order)."""
    from gestiq_app.db import metadata
    from gestiq_app.tenancy.rls import tenant_tables

    names = {table.name for table in tenant_tables()}
    return [table for table in metadata.sorted_tables if table.name in names]


def count_tenant_rows(connection: Connection, tenant_id: uuid.UUID) -> dict[str, int]:
    """Return the tenant's row count per tenant table."""
    set_rls_tenant(connection, tenant_id)
    return {
        table.name: connection.execute(select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id)).scalar_one()
        for table in tenant_tables_in_dependency_order()
    }


def erase_tenant_rows(connection: Connection, tenant_id: uuid.UUID, *, actor: str, reason: str,
                      progress: Callable[[str], None]) -> dict[str, int]:
    """Delete the tenant's rows (children first) and its tenant row; record a platform audit event."""
    from gestiq_app.audit.models import AuditEvent
    from gestiq_app.db import utcnow
    from gestiq_app.ops.models import JobFailure
    from gestiq_app.tenancy.models import PLATFORM_TENANT_ID, Tenant

    if tenant_id == PLATFORM_TENANT_ID:
        raise OpsError("la plataforma no se puede borrar")
    set_rls_tenant(connection, tenant_id)
    counts: dict[str, int] = {}
    if connection.dialect.name == "postgresql":
        # Erasure is the one operator action allowed past the VERI*FACTU immutability trigger (the owner role
        # runs it; ALTER TABLE is transactional, so the trigger is back on when this transaction ends).
        connection.execute(text("ALTER TABLE verifactu_records DISABLE TRIGGER verifactu_records_immutable"))
    for table in reversed(tenant_tables_in_dependency_order()):
        counts[table.name] = connection.execute(delete(table).where(table.c.tenant_id == tenant_id)).rowcount
        progress(f"  {table.name}: {counts[table.name]} filas borradas")
    # Failed jobs of the tenant name it in their arguments; they go with it.
    failures = JobFailure.__table__
    connection.execute(delete(failures).where(failures.c.args_summary.contains(str(tenant_id))))
    connection.execute(delete(Tenant.__table__).where(Tenant.__table__.c.id == tenant_id))
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE verifactu_records ENABLE TRIGGER verifactu_records_immutable"))
    set_rls_tenant(connection, PLATFORM_TENANT_ID)
    connection.execute(
        insert(AuditEvent.__table__).values(
            tenant_id=PLATFORM_TENANT_ID, id=uuid.uuid4(), actor=actor, action="tenant.erased", entity="tenant",
            entity_id=str(tenant_id), changes={"reason": reason, "rows": counts}, request_id=None, created_at=utcnow(),
        )
    )
    return counts


def find_tenant(connection: Connection, slug: str) -> uuid.UUID:
    """Return the id of the tenant with that slug or raise OpsError."""
    from gestiq_app.tenancy.models import Tenant

    tenant_id = connection.execute(select(Tenant.__table__.c.id).where(Tenant.__table__.c.slug == slug)).scalar_one_or_none()
    if tenant_id is None:
        raise OpsError(f"no existe ninguna empresa con el identificador «{slug}»")
    return tenant_id


def remove_tenant_files(app: Flask, tenant_id: uuid.UUID) -> int:
    """Delete the tenant's stored files folder; return how many files it held."""
    folder = tenant_files_folder(app.config["GESTIQ_INSTANCE_PATH"], tenant_id)
    if not folder.exists():
        return 0
    count = sum(1 for path in folder.rglob("*") if path.is_file())
    shutil.rmtree(folder)
    return count


def erase_tenant(app: Flask, *, slug: str, dry_run: bool, progress: Callable[[str], None]) -> dict[str, int]:
    """Erase a tenant (or, with dry_run, only count what would go); return the row counts."""
    with owner_transaction(app) as connection:
        tenant_id = find_tenant(connection, slug)
        if dry_run:
            counts = count_tenant_rows(connection, tenant_id)
            progress(f"Simulación: se borrarían estas filas de la empresa {slug} ({tenant_id}):")
            for name, count in counts.items():
                progress(f"  {name}: {count} filas")
            return counts
        progress(f"Borrando la empresa {slug} ({tenant_id})")
        counts = erase_tenant_rows(connection, tenant_id, actor="script:erase-tenant", reason="erasure", progress=progress)
    files = remove_tenant_files(app, tenant_id)
    progress(f"  ficheros: {files} borrados")
    progress(f"Empresa {slug} borrada ({sum(counts.values())} filas)")
    return counts


def main(argv: list[str] | None = None, *, app: Flask | None = None) -> int:
    """Run `scripts/erase-tenant`."""
    parser = argparse.ArgumentParser(prog="scripts/erase-tenant", description=__doc__.splitlines()[0])
    parser.add_argument("slug", help="identificador de la empresa (slug)")
    parser.add_argument("--yes", action="store_true", help="confirmar el borrado definitivo")
    parser.add_argument("--dry-run", action="store_true", help="contar lo que se borraría sin borrar nada")
    args = parser.parse_args(argv)
    if not args.yes and not args.dry_run:
        parser.error("el borrado es definitivo: añada --yes para confirmarlo (o --dry-run para simularlo)")
    return run_script(lambda: (erase_tenant(app or build_app(), slug=args.slug, dry_run=args.dry_run, progress=printer()), 0)[1])


if __name__ == "__main__":
    sys.exit(main())
