"""`scripts/rotate-secrets`: re-encrypt every stored secret with the newest key of GESTIQ_ENCRYPTION_KEYS.

Put the new key first in GESTIQ_ENCRYPTION_KEYS (keep the old ones after it), run this, then drop the old keys.
Encrypted columns are found in the schema by name (`*_encrypted`, `encrypted_*`): TOTP seeds of tenant users and
back-office admins, webhook signing secrets, e-invoicing certificates and their passwords, payment provider
credentials. Runs as the owner role in one transaction, across tenants (platform scope). A value no configured
key can decrypt is reported by table, column and row id (never its content) and the script exits 1 without
changing anything.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask
from sqlalchemy import Column, Table, select, update
from sqlalchemy.engine import Connection

from gestiq_app.ops.common import OpsError, build_app, owner_transaction, printer, run_script, set_rls_tenant


def encrypted_columns() -> list[tuple[Table, list[Column]]]:
    """Return every table with encrypted columns, and those columns (found by name in the metadata)."""
    from gestiq_app import models  # noqa: F401 - every table
    from gestiq_app.db import metadata

    found = []
    for table in sorted(metadata.tables.values(), key=lambda table: table.name):
        columns = [c for c in table.columns if c.name.endswith("_encrypted") or c.name.startswith("encrypted_")]
        if columns:
            found.append((table, columns))
    return found


@dataclass
class RotationReport:
    """What a rotation did (or would do): per table.column counts and the values no key decrypts."""

    rotated: dict[str, int] = field(default_factory=dict)
    current: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def rotate_connection(connection: Connection, fernets: tuple[Fernet, MultiFernet], *, tenant_id: object = None,
                      dry_run: bool, progress: Callable[[str], None]) -> RotationReport:
    """Re-encrypt every encrypted value reachable on the connection; raise OpsError (nothing written) on undecryptable ones."""
    newest, every = fernets
    report = RotationReport()
    updates: list[tuple[Table, dict[str, object], dict[str, str]]] = []
    for table, columns in encrypted_columns():
        if tenant_id is not None and "tenant_id" not in table.c:
            continue
        key_columns = list(table.primary_key.columns)
        statement = select(*key_columns, *columns)
        if tenant_id is not None:
            statement = statement.where(table.c.tenant_id == tenant_id)
        for row in connection.execute(statement).mappings():
            changes: dict[str, str] = {}
            for column in columns:
                name = f"{table.name}.{column.name}"
                value = row[column.name]
                report.rotated.setdefault(name, 0)
                report.current.setdefault(name, 0)
                if not value:
                    continue
                try:
                    newest.decrypt(value.encode())
                    report.current[name] += 1
                    continue
                except InvalidToken:
                    pass
                try:
                    changes[column.name] = every.rotate(value.encode()).decode()
                    report.rotated[name] += 1
                except InvalidToken:
                    report.failures.append(f"{name} fila {', '.join(str(row[c.name]) for c in key_columns)}")
            if changes:
                updates.append((table, {c.name: row[c.name] for c in key_columns}, changes))
    for name in report.rotated:
        progress(f"  {name}: {report.rotated[name]} {'por volver a cifrar' if dry_run else 'vueltos a cifrar'}, "
                 f"{report.current[name]} ya con la clave nueva")
    if report.failures:
        for failure in report.failures:
            progress(f"  no se puede descifrar con ninguna clave: {failure}")
        raise OpsError(f"{len(report.failures)} secreto(s) no se pueden descifrar con ninguna clave configurada; no se ha cambiado nada")
    if not dry_run:
        for table, key, changes in updates:
            condition = [table.c[name] == value for name, value in key.items()]
            connection.execute(update(table).where(*condition).values(**changes))
    return report


def _fernets(app: Flask) -> tuple[Fernet, MultiFernet]:
    from gestiq_app import crypto

    with app.app_context():
        keys = crypto._keys()  # noqa: SLF001 - the same key list the app uses
    if not app.config["GESTIQ_ENCRYPTION_KEYS"].strip():
        raise OpsError("GESTIQ_ENCRYPTION_KEYS está vacía: ponga la clave nueva primero y las antiguas detrás, separadas por comas")
    try:
        fernets = [Fernet(key) for key in keys]
    except ValueError as error:
        raise OpsError("GESTIQ_ENCRYPTION_KEYS contiene una clave Fernet no válida") from error
    return fernets[0], MultiFernet(fernets)


def rotate_secrets(app: Flask, *, dry_run: bool, tenant_slug: str | None, progress: Callable[[str], None]) -> RotationReport:
    """Rotate every secret (or only one tenant's) to the newest key; with dry_run, only count."""
    fernets = _fernets(app)
    with owner_transaction(app) as connection:
        tenant_id = None
        if tenant_slug:
            from gestiq_app.ops.erase_tenant import find_tenant

            tenant_id = find_tenant(connection, tenant_slug)
        set_rls_tenant(connection, tenant_id, platform=tenant_id is None)
        progress("Simulación (no se cambia nada):" if dry_run else "Volviendo a cifrar con la clave más reciente:")
        report = rotate_connection(connection, fernets, tenant_id=tenant_id, dry_run=dry_run, progress=progress)
    progress(f"{'Se volverían a cifrar' if dry_run else 'Vueltos a cifrar'} {sum(report.rotated.values())} secretos; "
             f"{sum(report.current.values())} ya usaban la clave nueva")
    return report


def main(argv: list[str] | None = None, *, app: Flask | None = None) -> int:
    """Run `scripts/rotate-secrets`."""
    parser = argparse.ArgumentParser(prog="scripts/rotate-secrets", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="contar lo que se volvería a cifrar sin cambiar nada")
    parser.add_argument("--tenant", metavar="SLUG", help="solo los secretos de esta empresa")
    args = parser.parse_args(argv)
    return run_script(lambda: (rotate_secrets(app or build_app(), dry_run=args.dry_run, tenant_slug=args.tenant, progress=printer()), 0)[1])


if __name__ == "__main__":
    sys.exit(main())
