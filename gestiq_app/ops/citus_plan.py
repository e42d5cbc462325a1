"""`scripts/citus-plan`: print the Citus statements that distribute the current schema by tenant_id.

Tenant tables become distributed tables colocated on tenant_id (parents first, so foreign keys between
them stay valid); every other table of the metadata (tenants, plans, back-office tables, the tax
catalog…) becomes a reference table, created first because distributed tables point at them.
"""

from __future__ import annotations

import argparse
import sys

DISTRIBUTION_COLUMN = "tenant_id"


def citus_statements() -> list[str]:
    """Return the SQL statements, reference tables first, then the colocated distributed tables."""
    from flask_appbuilder.security.sqla import models as fab_models  # noqa: F401 - the back office's ab_* tables

    from gestiq_app import models  # noqa: F401 - every table on the metadata
    from gestiq_app.db import metadata
    from gestiq_app.tenancy.rls import tenant_tables

    tenant_names = {table.name for table in tenant_tables()}
    ordered = metadata.sorted_tables
    reference = [table.name for table in ordered if table.name not in tenant_names]
    distributed = [table.name for table in ordered if table.name in tenant_names]
    statements = ["-- Tablas de referencia (replicadas en todos los nodos)"]
    statements += [f"SELECT create_reference_table('{name}');" for name in reference]
    statements.append(f"-- Tablas por empresa, distribuidas por {DISTRIBUTION_COLUMN} y colocalizadas")
    for index, name in enumerate(distributed):
        colocation = "" if index == 0 else f", colocate_with => '{distributed[0]}'"
        statements.append(f"SELECT create_distributed_table('{name}', '{DISTRIBUTION_COLUMN}'{colocation});")
    return statements


def main(argv: list[str] | None = None) -> int:
    """Run `scripts/citus-plan` (prints SQL; changes nothing)."""
    parser = argparse.ArgumentParser(prog="scripts/citus-plan", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    print("\n".join(citus_statements()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
