"""Export a tenant, erase it, restore it into an empty database: same rows, same checksums, same API answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from gestiq_app.db import unit_of_work
from gestiq_app.extensions import db
from gestiq_app.ops import erase_tenant, export_tenant
from gestiq_app.ops.archive import tenant_files_folder
from gestiq_app.ops.common import set_rls_tenant
from gestiq_app.tenancy.models import PLATFORM_TENANT_ID, SectorTemplate
from gestiq_app.tenancy.rls import tenant_tables
from tests.conftest import IS_POSTGRES, TEST_DATABASE_URL
from tests.factories import OWNER_PASSWORD, make_tenant, populate_row, tenant_scoped_classes, tenant_with_every_kind_of_row
from tests.ops.api_snapshot import snapshot
from tests.sales.helpers import add_customer, issued_invoice, line

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = {"last_login_at"}


def _script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "scripts" / name), *args], cwd=ROOT, env=env, text=True, capture_output=True, timeout=300)


def _env(instance: Path, urls: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GESTIQ_")}
    env.update({"PYTHON": sys.executable, "GESTIQ_INSTANCE_PATH": str(instance), "GESTIQ_HUEY_BACKEND": "immediate",
                "GESTIQ_ENV": "test", "GESTIQ_SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
                "GESTIQ_DATABASE_URL": urls["runtime"], "GESTIQ_MIGRATION_DATABASE_URL": urls["owner"]})
    return env


@pytest.fixture()
def empty_database(tmp_path):  # type: ignore[no-untyped-def]
    """An empty database (a second SQLite file, or a second PostgreSQL database with its roles), not migrated."""
    if not IS_POSTGRES:
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        yield {"runtime": url, "owner": url}
        return
    from gestiq_app.ops.pg_bootstrap import bootstrap, drop_database

    name = f"gestiq_restore_{uuid.uuid4().hex[:8]}"
    result = bootstrap(admin_url=TEST_DATABASE_URL, database=name)
    yield {"runtime": result.runtime_url, "owner": result.owner_url}
    drop_database(admin_url=TEST_DATABASE_URL, database=name)


def _full_tenant(app):  # type: ignore[no-untyped-def]
    """A provisioned tenant (custom sector template, plan) with rows in every tenant table and one stored file."""
    with app.app_context():
        code = f"ops-{uuid.uuid4().hex[:8]}"
        with unit_of_work() as current:
            current.add(SectorTemplate(code=code, name="Plantilla de prueba", default_modules=["crm", "sales"], default_settings={}))
        provisioned = make_tenant(country="ES", sector=code, plan="pro")
        tenant = SimpleNamespace(id=provisioned.id, slug=provisioned.slug)
        for index, cls in enumerate(tenant_scoped_classes()):
            if cls.__name__ != "TenantModule":  # provisioning created every module already
                populate_row(cls, tenant.id, index)
        db.session.remove()
        owner = SimpleNamespace(id=tenant.id, country="ES")
        invoice = issued_invoice(owner, add_customer(owner), [line("2", "40")])
        tenant.invoice_id = invoice.id
        db.session.remove()
    folder = tenant_files_folder(app.config["GESTIQ_INSTANCE_PATH"], tenant.id)
    (folder / "documentos").mkdir(parents=True)
    (folder / "documentos" / "contrato.pdf").write_bytes(b"%PDF-1.4 contrato")
    return tenant, code


def _rows_by_tenant_column(url: str, tenant_id: uuid.UUID) -> dict[str, int]:
    """Count, as the owner with raw SQL, the rows with that tenant id in every table having a tenant_id column."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            set_rls_tenant(connection, None, platform=True)
            names = [name for name in inspect(connection).get_table_names()
                     if "tenant_id" in {column["name"] for column in inspect(connection).get_columns(name)}]
            return {name: connection.execute(text(f'SELECT count(*) FROM "{name}" WHERE tenant_id = :t'),
                                              {"t": tenant_id if IS_POSTGRES else tenant_id.hex}).scalar_one() for name in names}
    finally:
        engine.dispose()


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]


def test_export_erase_and_restore_into_an_empty_database(app, database_urls, empty_database, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    tenant, sector_code = _full_tenant(app)
    with app.app_context():
        bystander = tenant_with_every_kind_of_row()
    bystander_before = _rows_by_tenant_column(database_urls["owner"], bystander)
    before = snapshot(app, tenant.slug, f"owner@{tenant.slug}.test", OWNER_PASSWORD)
    archive = tmp_path / "empresa.tar.gz"

    assert export_tenant.main([tenant.slug, str(archive)], app=app) == 0
    manifest = _manifest(archive)
    assert manifest["format_version"] == 1 and manifest["tenant"]["id"] == str(tenant.id)
    assert manifest["platform"]["sector_template"]["code"] == sector_code and manifest["platform"]["plan"]["code"] == "pro"
    assert set(manifest["tables"]) == {table.name for table in tenant_tables()}
    assert all(entry["rows"] > 0 for entry in manifest["tables"].values()), manifest["tables"]
    # the snapshot's GET of the issued invoice's PDF stored it: the archive carries it
    assert [entry["path"] for entry in manifest["files"]] == ["documentos/contrato.pdf", f"pdf/invoice/{tenant.invoice_id}.pdf"]
    assert list(before["pdfs"]) == [str(tenant.invoice_id)]
    with tarfile.open(archive, "r:gz") as tar:
        users = [json.loads(line) for line in tar.extractfile("tables/tenant_users.ndjson").read().splitlines()]  # type: ignore[union-attr]
    assert {user["tenant_id"] for user in users} == {str(tenant.id)}
    assert [user["id"] for user in users] == sorted(user["id"] for user in users)
    assert "  tenant_users: 2 filas" in capsys.readouterr().out

    assert erase_tenant.main([tenant.slug, "--yes"], app=app) == 0
    assert set(_rows_by_tenant_column(database_urls["owner"], tenant.id).values()) == {0}
    assert _rows_by_tenant_column(database_urls["owner"], bystander) == bystander_before
    assert not tenant_files_folder(app.config["GESTIQ_INSTANCE_PATH"], tenant.id).exists()
    engine = create_engine(database_urls["owner"])
    with engine.begin() as connection:
        set_rls_tenant(connection, None, platform=True)
        erased = connection.execute(
            text("SELECT tenant_id, changes FROM audit_events WHERE action = 'tenant.erased' AND entity_id = :t"), {"t": str(tenant.id)}
        ).one()
    engine.dispose()
    assert str(erased.tenant_id).replace("-", "") == PLATFORM_TENANT_ID.hex
    assert tenant.slug not in str(erased.changes) and "owner@" not in str(erased.changes)

    instance = tmp_path / "instance-restored"
    env = _env(instance, empty_database)
    migrated = _script("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    restored = _script("restore-tenant", str(archive), env=env)
    assert restored.returncode == 0, restored.stderr[-2000:]
    assert "Verificación correcta" in restored.stdout and "  tenant_users: 2 filas" in restored.stdout
    assert (tenant_files_folder(str(instance), tenant.id) / "documentos" / "contrato.pdf").read_bytes() == b"%PDF-1.4 contrato"

    again = tmp_path / "de-nuevo.tar.gz"
    exported = _script("export-tenant", tenant.slug, str(again), env=env)
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert _manifest(again)["tables"] == manifest["tables"]
    assert _manifest(again)["files"] == manifest["files"]
    shown = subprocess.run([sys.executable, "-m", "tests.ops.api_snapshot", tenant.slug, f"owner@{tenant.slug}.test", OWNER_PASSWORD],
                           cwd=ROOT, env=env, text=True, capture_output=True, timeout=300)
    assert shown.returncode == 0, shown.stderr[-2000:]
    after = json.loads(next(line for line in shown.stdout.splitlines() if line.startswith("SNAPSHOT "))[len("SNAPSHOT "):])

    def stable(value):  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            return {key: stable(item) for key, item in value.items() if key not in VOLATILE}
        return [stable(item) for item in value] if isinstance(value, list) else value

    assert stable(after) == stable(before)
    assert after["pdfs"] == before["pdfs"]  # the same PDF bytes, served from the restored files

    refused = _script("restore-tenant", str(archive), env=env)
    assert refused.returncode == 1 and "ya existe" in refused.stderr and "--force" in refused.stderr
    forced = _script("restore-tenant", str(archive), "--force", env=env)
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert "Borrando la empresa existente" in forced.stdout


def test_erase_dry_run_changes_nothing_and_erase_needs_yes(app, database_urls, capsys) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
    counts_before = _rows_by_tenant_column(database_urls["owner"], tenant.id)
    assert erase_tenant.main([tenant.slug, "--dry-run"], app=app) == 0
    assert "Simulación" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        erase_tenant.main([tenant.slug], app=app)
    assert refused.value.code == 2
    assert _rows_by_tenant_column(database_urls["owner"], tenant.id) == counts_before
    assert erase_tenant.main(["no-such-tenant", "--yes"], app=app) == 1
    assert "no existe ninguna empresa" in capsys.readouterr().err


def test_restore_refuses_a_tampered_archive(app, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.ops import restore_tenant
    from gestiq_app.ops.archive import read_archive, write_archive

    with app.app_context():
        tenant = make_tenant(country="ES")
    archive = tmp_path / "t.tar.gz"
    assert export_tenant.main([tenant.slug, str(archive)], app=app) == 0
    content = read_archive(archive)
    content.tables["tenant_users"] = content.tables["tenant_users"].replace(b"owner@", b"intruso@")
    write_archive(archive, content)
    assert restore_tenant.main([str(archive), "--force"], app=app) == 1
    assert "suma de control" in capsys.readouterr().err
    with app.app_context():
        from gestiq_app.identity.models import TenantUser
        from gestiq_app.tenancy.context import tenant_context

        with tenant_context(tenant.id):
            assert db.session.scalar(select(func.count()).select_from(TenantUser)) == 1


def test_restore_dry_run_says_what_it_would_do_and_writes_nothing(app, database_urls, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.ops import restore_tenant

    with app.app_context():
        tenant = make_tenant(country="EC")
    archive = tmp_path / "t.tar.gz"
    assert export_tenant.main([tenant.slug, str(archive)], app=app) == 0
    before = _rows_by_tenant_column(database_urls["owner"], tenant.id)
    capsys.readouterr()
    assert restore_tenant.main([str(archive), "--dry-run"], app=app) == 1
    assert "ya existe" in capsys.readouterr().err
    assert restore_tenant.main([str(archive), "--dry-run", "--force"], app=app) == 0
    out = capsys.readouterr().out
    assert f"Simulación: se restauraría la empresa {tenant.slug}" in out and "se borraría la empresa existente" in out
    assert _rows_by_tenant_column(database_urls["owner"], tenant.id) == before
