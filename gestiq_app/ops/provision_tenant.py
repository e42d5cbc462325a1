"""`scripts/provision-tenant`: create a tenant with its modules (from the sector template) and its owner.

After the tenant exists, every callable named in PROVISIONING_HOOKS runs with its id, each in its own
transaction (the accounting issue adds the chart of accounts here).
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from marshmallow import ValidationError
from sqlalchemy import select

from gestiq_app.ops.common import OpsError, build_app, printer, run_script

#: Dotted paths of `hook(*, tenant_id: uuid.UUID, actor: str) -> None`, run in order after provisioning.
PROVISIONING_HOOKS: list[str] = []


def _errors_line(errors: dict[str, Any]) -> str:
    return "; ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in errors.items())


def check_provisioning(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the input as provisioning would, without writing; raise OpsError on the first problem."""
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.models import Plan, SectorTemplate, Tenant
    from gestiq_app.tenancy.schemas import TenantCreateSchema

    try:
        values = TenantCreateSchema().load(data)
    except ValidationError as error:
        raise OpsError(f"datos no válidos — {_errors_line(error.messages)}") from error  # type: ignore[arg-type]
    sector = values.get("sector") or "general"
    if db.session.scalar(select(SectorTemplate.id).where(SectorTemplate.code == sector)) is None:
        raise OpsError(f"no existe la plantilla sectorial «{sector}»")
    if values.get("plan") and db.session.scalar(select(Plan.id).where(Plan.code == values["plan"])) is None:
        raise OpsError(f"no existe el plan «{values['plan']}»")
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == values["slug"])) is not None:
        raise OpsError(f"ya existe una empresa con el identificador «{values['slug']}»")
    return values


def run_provisioning_hooks(*, tenant_id: uuid.UUID, actor: str, progress: Callable[[str], None]) -> None:
    """Run every provisioning hook for a new tenant."""
    for dotted in PROVISIONING_HOOKS:
        module_name, _, attribute = dotted.rpartition(".")
        hook = getattr(importlib.import_module(module_name), attribute)
        hook(tenant_id=tenant_id, actor=actor)
        progress(f"  {dotted}: hecho")


def provision_tenant(app: Flask, *, data: dict[str, Any], dry_run: bool, progress: Callable[[str], None]) -> uuid.UUID | None:
    """Provision the tenant described by `data` (or only validate it); return its id."""
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.exceptions import DomainError
    from gestiq_app.tenancy.services import create_tenant

    with app.app_context():
        try:
            values = check_provisioning(data)
            if dry_run:
                progress(f"Simulación: se crearía la empresa {values['slug']} ({values['country']}, plantilla"
                         f" {values.get('sector') or 'general'}) con el propietario {values['owner_email']}")
                return None
            try:
                tenant = create_tenant(data=data, actor="script:provision-tenant")
            except DomainError as error:
                raise OpsError(f"{error.message}{' — ' + _errors_line(error.errors) if error.errors else ''}") from error
            progress(f"Empresa creada: {tenant.slug} ({tenant.id})")
            run_provisioning_hooks(tenant_id=tenant.id, actor="script:provision-tenant", progress=progress)
            return tenant.id
        finally:
            db.session.rollback()
            db.session.remove()


def main(argv: list[str] | None = None, *, app: Flask | None = None) -> int:
    """Run `scripts/provision-tenant`."""
    parser = argparse.ArgumentParser(prog="scripts/provision-tenant", description=__doc__.splitlines()[0])
    parser.add_argument("--slug", required=True, help="identificador de la empresa (minúsculas, números y guiones)")
    parser.add_argument("--name", required=True, dest="legal_name", help="razón social")
    parser.add_argument("--country", required=True, choices=["ES", "EC"])
    parser.add_argument("--tax-id", required=True, help="NIF/CIF (ES) o RUC (EC)")
    parser.add_argument("--owner-email", required=True)
    parser.add_argument("--owner-name", default=None)
    parser.add_argument("--owner-password", default=None, help="si se omite, se pide por teclado (no queda en el historial)")
    parser.add_argument("--sector", default="general", help="plantilla sectorial (general, retail, services, minimal)")
    parser.add_argument("--plan", default=None, help="código del plan (free, basic, pro)")
    parser.add_argument("--dry-run", action="store_true", help="validar y decir qué se crearía, sin crear nada")
    args = parser.parse_args(argv)
    password = args.owner_password
    if password is None and not args.dry_run:
        if not sys.stdin.isatty():
            parser.error("indique --owner-password o ejecute el script en un terminal para escribirla")
        password = getpass.getpass("Contraseña del propietario: ")
    data = {key: value for key, value in {
        "slug": args.slug, "legal_name": args.legal_name, "country": args.country, "tax_id": args.tax_id,
        "owner_email": args.owner_email, "owner_name": args.owner_name, "owner_password": password or "x" * 10,
        "sector": args.sector, "plan": args.plan,
    }.items() if value is not None}
    return run_script(lambda: (provision_tenant(app or build_app(), data=data, dry_run=args.dry_run, progress=printer()), 0)[1])


if __name__ == "__main__":
    sys.exit(main())
