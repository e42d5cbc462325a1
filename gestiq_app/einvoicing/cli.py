"""`flask gestiq verifactu verify --tenant SLUG` and `flask gestiq einvoicing check-key KEY`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

verifactu = AppGroup("verifactu", help="Registros VERI*FACTU.")
einvoicing = AppGroup("einvoicing", help="Facturación electrónica.")


@verifactu.command("verify")
@click.option("--tenant", "slug", required=True, help="Slug de la empresa.")
def verify_command(slug: str) -> None:
    """Recompute every VERI*FACTU chain of a tenant and name the first broken record (exit 1 on a break)."""
    from gestiq_app.einvoicing.es_verifactu.records import verify_chains
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context
    from gestiq_app.tenancy.models import Tenant

    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"No existe la empresa {slug!r}")
    with tenant_context(tenant.id):
        report = verify_chains()
        db.session.rollback()
    if report.is_intact:
        click.echo(f"Cadenas VERI*FACTU correctas: {report.records_checked} registros de {len(report.issuers)} emisor(es)")
        return
    for broken in report.breaks:
        click.echo(f"Cadena rota del emisor {broken.issuer_nif} en el registro nº {broken.sequence} "
                   f"(factura {broken.invoice_number}, id {broken.record_id}): {broken.reason}", err=True)
    sys.exit(1)


@einvoicing.command("check-key")
@click.argument("key")
def check_key_command(key: str) -> None:
    """Validate an SRI clave de acceso and show its parts (exit 1 with the reason when invalid)."""
    from gestiq_app.fiscal.sri_access_key import AccessKeyError, validate_access_key

    try:
        parts = validate_access_key(key.strip())
    except AccessKeyError as error:
        click.echo(f"Clave de acceso no válida: {error.message_es}", err=True)
        sys.exit(1)
    click.echo("Clave de acceso válida")
    click.echo(f"  Fecha de emisión: {parts.issue_date:%d/%m/%Y}")
    click.echo(f"  Tipo de comprobante: {parts.doc_type} ({parts.doc_type_name})")
    click.echo(f"  RUC: {parts.ruc}")
    click.echo(f"  Ambiente: {parts.environment} ({'pruebas' if parts.environment == 1 else 'producción'})")
    click.echo(f"  Número: {parts.document_number}")
    click.echo(f"  Código numérico: {parts.numeric_code}")
