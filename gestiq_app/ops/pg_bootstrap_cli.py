"""`scripts/pg-bootstrap URL`: create roles and database, migrate as owner, grant the runtime role."""

from __future__ import annotations

import argparse
import os
import sys

import psycopg

from gestiq_app.ops.pg_bootstrap import bootstrap


def main(argv: list[str] | None = None) -> int:
    """Bootstrap a PostgreSQL server for GestiQCloud and print the settings to use."""
    parser = argparse.ArgumentParser(prog="scripts/pg-bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("url", help="superuser URL of the server, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="gestiq")
    parser.add_argument("--owner-role", default="gestiq_owner")
    parser.add_argument("--runtime-role", default="gestiq_app")
    parser.add_argument("--owner-password", default=os.environ.get("GESTIQ_OWNER_PASSWORD"))
    parser.add_argument("--runtime-password", default=os.environ.get("GESTIQ_RUNTIME_PASSWORD"))
    parser.add_argument("--skip-migrate", action="store_true", help="only create roles and database")
    args = parser.parse_args(argv)
    if not args.url.startswith("postgresql"):
        parser.error("la URL debe ser de PostgreSQL (postgresql://…)")
    try:
        result = bootstrap(
            admin_url=args.url,
            database=args.database,
            owner_role=args.owner_role,
            runtime_role=args.runtime_role,
            owner_password=args.owner_password,
            runtime_password=args.runtime_password,
        )
    except psycopg.Error as error:
        print(f"Error: no se pudo preparar PostgreSQL: {error}".strip(), file=sys.stderr)
        return 1
    if not args.skip_migrate:
        os.environ["GESTIQ_DATABASE_URL"] = result.runtime_url
        os.environ["GESTIQ_MIGRATION_DATABASE_URL"] = result.owner_url
        from gestiq_app.ops.migrate import main as migrate_main

        code = migrate_main([])
        if code:
            return code
    print(f"GESTIQ_DATABASE_URL={result.runtime_url}")
    print(f"GESTIQ_MIGRATION_DATABASE_URL={result.owner_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
