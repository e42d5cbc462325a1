"""scripts/pg-bootstrap and scripts/migrate on a real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([str(ROOT / "scripts" / args[0]), *args[1:]], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GESTIQ_")}
    env.update({"PYTHON": sys.executable, "GESTIQ_INSTANCE_PATH": str(tmp_path), "GESTIQ_HUEY_BACKEND": "immediate",
                "GESTIQ_LOG_LEVEL": "INFO", **extra})
    return env


def test_migrate_help_and_bad_arguments(tmp_path) -> None:  # type: ignore[no-untyped-def]
    help_run = _run("migrate", "--help", env=_env(tmp_path))
    output, _ = help_run.communicate(timeout=60)
    assert help_run.returncode == 0
    assert "--dry-run" in output
    bad = _run("pg-bootstrap", "mysql://nope", env=_env(tmp_path))
    output, _ = bad.communicate(timeout=60)
    assert bad.returncode == 2
    assert "la URL debe ser de PostgreSQL" in output


@pytest.mark.postgres
def test_bootstrap_then_two_concurrent_migrations_migrate_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.ops.pg_bootstrap import drop_database

    database = f"gestiq_boot_{uuid.uuid4().hex[:8]}"
    try:
        boot = _run("pg-bootstrap", TEST_DATABASE_URL, "--database", database, "--skip-migrate", env=_env(tmp_path))
        output, _ = boot.communicate(timeout=120)
        assert boot.returncode == 0, output
        urls = dict(line.split("=", 1) for line in output.splitlines() if line.startswith("GESTIQ_"))
        env = _env(tmp_path, GESTIQ_DATABASE_URL=urls["GESTIQ_DATABASE_URL"], GESTIQ_MIGRATION_DATABASE_URL=urls["GESTIQ_MIGRATION_DATABASE_URL"])
        first, second = _run("migrate", env=env), _run("migrate", env=env)
        outputs = [first.communicate(timeout=300)[0], second.communicate(timeout=300)[0]]
        assert (first.returncode, second.returncode) == (0, 0), outputs
        assert [out.count("Running upgrade  -> ") for out in outputs].count(1) == 1
        assert sum(out.count("Running upgrade  -> ") for out in outputs) == 1
        engine = create_engine(urls["GESTIQ_DATABASE_URL"])
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar_one() == "gestiq_app"
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
            assert connection.execute(text("SELECT count(*) FROM sector_templates")).scalar_one() == 4
        engine.dispose()
    finally:
        drop_database(admin_url=TEST_DATABASE_URL, database=database)
