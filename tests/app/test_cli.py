"""The gestiq CLI: tenants, admins, demo seed, and clear errors."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.tenancy.models import Tenant
from tests.factories import random_nif, random_ruc


def _run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def test_tenants_create_provisions_a_tenant(app) -> None:  # type: ignore[no-untyped-def]
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    ruc = random_ruc()
    result = _run(app, "gestiq", "tenants", "create", "--slug", slug, "--name", "Cli S.A.", "--country", "EC", "--tax-id", ruc,
                  "--owner-email", "dueno@cli.test", "--owner-password", "owner-password-1")
    assert result.exit_code == 0, result.output
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        assert (tenant.tax_id, tenant.currency, tenant.locale, tenant.timezone) == (ruc, "USD", "es-EC", "America/Guayaquil")
    assert result.output == f"Empresa creada: {slug} ({tenant.id})\n"


def test_tenants_create_with_a_bad_tax_id_fails_with_one_clear_line(app) -> None:  # type: ignore[no-untyped-def]
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    result = _run(app, "gestiq", "tenants", "create", "--slug", slug, "--name", "Mala S.L.", "--country", "ES", "--tax-id", "12345678A",
                  "--owner-email", "a@b.test", "--owner-password", "owner-password-1")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: Los datos de la empresa no son válidos — tax_id: ")
    with app.app_context():
        assert db.session.scalar(select(Tenant).where(Tenant.slug == slug)) is None


def test_tenants_create_with_a_taken_slug_fails(app) -> None:  # type: ignore[no-untyped-def]
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    args = ["gestiq", "tenants", "create", "--slug", slug, "--name", "Uno S.L.", "--country", "ES", "--owner-email", "a@b.test", "--owner-password", "owner-password-1"]
    assert _run(app, *args, "--tax-id", random_nif()).exit_code == 0
    result = _run(app, *args, "--tax-id", random_nif())
    assert result.exit_code == 1
    assert "Ya existe una empresa" in result.output


def test_tenants_create_with_an_unknown_country_is_a_usage_error(app) -> None:  # type: ignore[no-untyped-def]
    result = _run(app, "gestiq", "tenants", "create", "--slug", "x1", "--name", "X", "--country", "FR", "--tax-id", "1",
                  "--owner-email", "a@b.test", "--owner-password", "owner-password-1")
    assert result.exit_code == 2
    assert "'FR' is not one of 'ES', 'EC'" in result.output


def test_create_admin_then_again_is_idempotent(app) -> None:  # type: ignore[no-untyped-def]
    email = f"boss-{uuid.uuid4().hex[:6]}@gestiq.test"
    first = _run(app, "gestiq", "create-admin", "--email", email, "--password", "admin-password-1")
    second = _run(app, "gestiq", "create-admin", "--email", email, "--password", "admin-password-1")
    assert (first.exit_code, first.output) == (0, f"Administrador creado: {email}\n")
    assert (second.exit_code, second.output) == (0, f"Administrador ya existía: {email}\n")


def test_create_admin_with_a_short_password_fails(app) -> None:  # type: ignore[no-untyped-def]
    result = _run(app, "gestiq", "create-admin", "--email", "x@gestiq.test", "--password", "short")
    assert result.exit_code == 1
    assert result.output == "Error: La contraseña necesita al menos 10 caracteres\n"


def test_demo_seed_is_idempotent(app) -> None:  # type: ignore[no-untyped-def]
    first = _run(app, "gestiq", "demo", "seed")
    second = _run(app, "gestiq", "demo", "seed")
    assert first.exit_code == 0 and second.exit_code == 0
    assert second.output.splitlines() == [
        "Ya existía demo-es: owner@demo-es.test / demo-password-1",
        "Ya existía demo-ec: owner@demo-ec.test / demo-password-1",
        "Ventas de demo-es: ya tenía facturas",
        "Ventas de demo-ec: ya tenía facturas",
    ]
    with app.app_context():
        assert db.session.scalars(select(Tenant.slug).where(Tenant.slug.in_(["demo-es", "demo-ec"])).order_by(Tenant.slug)).all() == ["demo-ec", "demo-es"]
