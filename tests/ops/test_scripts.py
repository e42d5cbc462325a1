"""The operations scripts as an operator runs them: --help, clear one-line errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gestiq_app.ops import provision_tenant
from tests.factories import random_nif

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ["provision-tenant", "export-tenant", "restore-tenant", "erase-tenant", "citus-plan", "migrate-legacy", "rotate-secrets"]


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GESTIQ_")}
    env.update({"PYTHON": sys.executable, "GESTIQ_INSTANCE_PATH": str(tmp_path), "GESTIQ_HUEY_BACKEND": "immediate"})
    return subprocess.run([str(ROOT / "scripts" / args[0]), *args[1:]], cwd=ROOT, env=env, text=True, capture_output=True, timeout=120)


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_has_help(script: str, tmp_path: Path) -> None:
    result = _run(script, "--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"usage: scripts/{script}" in result.stdout


def test_changing_scripts_offer_a_dry_run(tmp_path: Path) -> None:
    for script in ("provision-tenant", "restore-tenant", "erase-tenant", "rotate-secrets", "migrate-legacy"):
        assert "--dry-run" in _run(script, "--help", tmp_path=tmp_path).stdout


def test_export_of_an_unknown_tenant_fails_with_one_line(tmp_path: Path) -> None:
    migrated = _run("migrate", tmp_path=tmp_path)
    assert migrated.returncode == 0, migrated.stderr[-1000:]
    result = _run("export-tenant", "nadie", str(tmp_path / "x.tar.gz"), tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "Error: no existe ninguna empresa con el identificador «nadie»"
    restored = _run("restore-tenant", str(tmp_path / "missing.tar.gz"), tmp_path=tmp_path)
    assert restored.returncode == 1 and restored.stderr.strip().splitlines()[-1].startswith("Error: no se puede leer el archivo")


def test_citus_plan_prints_sql(tmp_path: Path) -> None:
    result = _run("citus-plan", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "SELECT create_distributed_table('tenant_users', 'tenant_id'" in result.stdout
    assert "SELECT create_reference_table('tenants');" in result.stdout


def test_provision_tenant_dry_run_then_for_real(app, capsys) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gestiq_app.extensions import db
    from gestiq_app.identity.models import TenantUser
    from gestiq_app.tenancy.context import tenant_context
    from gestiq_app.tenancy.models import Tenant

    nif = random_nif()
    slug = f"prov-{nif.lower()}"
    args = ["--slug", slug, "--name", "Provisionada S.L.", "--country", "ES", "--tax-id", nif,
            "--owner-email", f"jefa@{slug}.test", "--owner-password", "owner-password-1", "--sector", "minimal"]
    assert provision_tenant.main([*args, "--dry-run"], app=app) == 0
    assert "Simulación: se crearía la empresa" in capsys.readouterr().out
    with app.app_context():
        assert db.session.scalar(select(Tenant).where(Tenant.slug == slug)) is None
    assert provision_tenant.main(args, app=app) == 0
    assert f"Empresa creada: {slug}" in capsys.readouterr().out
    with app.app_context():
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        with tenant_context(tenant_id):
            assert [(u.email, u.role) for u in db.session.scalars(select(TenantUser))] == [(f"jefa@{slug}.test", "owner")]
        db.session.remove()
    assert provision_tenant.main(args, app=app) == 1
    assert f"ya existe una empresa con el identificador «{slug}»" in capsys.readouterr().err
    assert provision_tenant.main([*args[:-2], "--sector", "nope"], app=app) == 1
    assert "no existe la plantilla sectorial «nope»" in capsys.readouterr().err


def test_provisioning_hooks_run_after_the_tenant_exists(app, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = []
    monkeypatch.setattr(provision_tenant, "PROVISIONING_HOOKS", ["tests.ops.test_scripts.record_hook"])
    monkeypatch.setattr(sys.modules[__name__], "HOOK_CALLS", calls, raising=False)
    nif = random_nif()
    assert provision_tenant.main(["--slug", f"hook-{nif.lower()}", "--name", "Gancho S.L.", "--country", "ES", "--tax-id", nif,
                                  "--owner-email", "a@b.test", "--owner-password", "owner-password-1"], app=app) == 0
    assert len(calls) == 1 and calls[0][1] == "script:provision-tenant"


HOOK_CALLS: list = []


def record_hook(*, tenant_id, actor: str) -> None:  # type: ignore[no-untyped-def]
    """Record a provisioning hook call."""
    HOOK_CALLS.append((tenant_id, actor))
