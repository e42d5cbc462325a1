"""Upgrade the database under a lock, then sync back-office permissions and platform defaults.

Safe to run from every instance at once: PostgreSQL serialises runs with an advisory lock (SQLite
with a file lock), and a run that finds the schema at head changes nothing.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

#: Arbitrary, fixed advisory-lock key of GestiQCloud migrations ("GQmigrat" as an int64).
ADVISORY_LOCK_KEY = 0x47516D6967726174


@contextmanager
def migration_lock(url: str, instance_path: str) -> Iterator[None]:
    """Hold the migration lock for the duration of the block."""
    if url.startswith("postgresql"):
        engine = create_engine(url, pool_size=1)
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
        engine.dispose()
        return
    lock_path = Path(instance_path) / "migrate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: list[str] | None = None) -> int:
    """Run `scripts/migrate`."""
    parser = argparse.ArgumentParser(prog="scripts/migrate", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the pending revisions and change nothing")
    parser.add_argument("--revision", default="heads", help="target revision (default: heads)")
    args = parser.parse_args(argv)

    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from gestiq_app import create_app
    from gestiq_app.admin.accounts import sync_permissions
    from gestiq_app.taxes.seed import ensure_tax_rates
    from gestiq_app.tenancy.seed import ensure_platform_defaults

    app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0"})
    directory = app.extensions["migrate"].directory
    url = app.config["GESTIQ_MIGRATION_DATABASE_URL"]
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(directory)
        script = ScriptDirectory.from_config(config)
        if args.dry_run:
            engine = create_engine(url)
            with engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
            engine.dispose()
            pending = [rev.revision for rev in script.walk_revisions() if rev.revision not in current]
            print("Pendientes: " + (", ".join(reversed(pending)) if pending and not current.issuperset(script.get_heads()) else "ninguna"))
            return 0
        with migration_lock(url, app.config["GESTIQ_INSTANCE_PATH"]):
            upgrade(directory=directory, revision=args.revision)
            sync_permissions()
            ensure_platform_defaults()
            ensure_tax_rates()
    print("Base de datos al día")
    return 0


if __name__ == "__main__":
    sys.exit(main())
