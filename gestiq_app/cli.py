"""`flask --app wsgi gestiq …` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from gestiq_app.tenancy.exceptions import DomainError

gestiq = AppGroup("gestiq", help="Comandos de GestiQCloud.")
tenants = AppGroup("tenants", help="Empresas (tenants).")
demo = AppGroup("demo", help="Datos de demostración.")
gestiq.add_command(tenants)
gestiq.add_command(demo)


def _add_einvoicing_commands() -> None:
    from gestiq_app.einvoicing.cli import einvoicing, verifactu

    gestiq.add_command(verifactu)
    gestiq.add_command(einvoicing)


_add_einvoicing_commands()


def _add_imports_commands() -> None:
    from gestiq_app.imports.cli import imports

    gestiq.add_command(imports)


_add_imports_commands()


def _fail(error: DomainError) -> click.ClickException:
    details = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in error.errors.items())
    return click.ClickException(f"{error.message}{' — ' + details if details else ''}")


@gestiq.command("create-admin")
@click.option("--email", required=True, help="Correo del administrador del back office.")
@click.option("--password", required=True, help="Contraseña (mínimo 10 caracteres).")
@click.option("--name", default="Administrador", show_default=True)
def create_admin(email: str, password: str, name: str) -> None:
    """Create (or keep) a back-office Admin user."""
    from gestiq_app.admin.accounts import AdminAccountError, ensure_admin

    try:
        created = ensure_admin(email=email, password=password, name=name)
    except AdminAccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Administrador {'creado' if created else 'ya existía'}: {email}")


@gestiq.command("sync-permissions")
def sync_permissions_command() -> None:
    """Create back-office roles and view permissions (run once per deploy, after migrating)."""
    from gestiq_app.admin.accounts import sync_permissions

    sync_permissions()
    click.echo("Permisos del back office sincronizados")


@gestiq.command("seed-platform")
def seed_platform() -> None:
    """Create missing sector templates and plans."""
    from gestiq_app.tenancy.seed import ensure_platform_defaults

    ensure_platform_defaults()
    click.echo("Datos de plataforma listos")


@tenants.command("create")
@click.option("--slug", required=True)
@click.option("--name", "legal_name", required=True, help="Razón social.")
@click.option("--country", required=True, type=click.Choice(["ES", "EC"]))
@click.option("--tax-id", required=True, help="NIF/CIF (ES) o RUC (EC).")
@click.option("--owner-email", required=True)
@click.option("--owner-password", required=True)
@click.option("--sector", default="general", show_default=True)
def create_tenant_command(slug: str, legal_name: str, country: str, tax_id: str, owner_email: str, owner_password: str, sector: str) -> None:
    """Provision a tenant with its modules and owner."""
    from gestiq_app.tenancy.seed import ensure_platform_defaults
    from gestiq_app.tenancy.services import create_tenant

    ensure_platform_defaults()
    try:
        tenant = create_tenant(
            data={
                "slug": slug,
                "legal_name": legal_name,
                "country": country,
                "tax_id": tax_id,
                "owner_email": owner_email,
                "owner_password": owner_password,
                "sector": sector,
            },
            actor="cli",
        )
    except DomainError as error:
        raise _fail(error) from error
    click.echo(f"Empresa creada: {tenant.slug} ({tenant.id})")


openapi = AppGroup("openapi", help="Contrato OpenAPI.")
gestiq.add_command(openapi)


@openapi.command("write")
@click.option("--output", default="openapi.json", show_default=True, type=click.Path(dir_okay=False))
def openapi_write(output: str) -> None:
    """Write the API's OpenAPI document (sorted, stable) for the PWA's type generation."""
    import json

    from api import api

    with open(output, "w", encoding="utf-8") as handle:
        json.dump(api.spec.to_dict(), handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")
    click.echo(f"OpenAPI escrito en {output}")


@demo.command("seed")
def demo_seed() -> None:
    """Create (idempotently) the demo tenants demo-es and demo-ec."""
    from gestiq_app.demo import seed_demo

    for line in seed_demo():
        click.echo(line)


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(gestiq)
