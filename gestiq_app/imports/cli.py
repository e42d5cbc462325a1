"""`flask --app wsgi gestiq imports …`: run an import from a file with a progress bar; resume a stuck promotion."""

from __future__ import annotations

import os

from pathlib import Path

import click
from flask.cli import AppGroup

from gestiq_app.imports.models import DUPLICATE_POLICIES, KINDS

imports = AppGroup("imports", help="Importaciones masivas.")
STAGES = {"ingest": "Lectura", "validate": "Validación", "promote": "Importación"}


def _tenant_id(slug: str):  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy.exceptions import TenantNotFoundError
    from gestiq_app.tenancy.services import get_tenant_by_slug

    try:
        return get_tenant_by_slug(slug=slug).id
    except TenantNotFoundError as error:
        raise click.ClickException(f"No existe la empresa «{slug}».") from error


@imports.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Identificador (slug) de la empresa.")
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--promote", is_flag=True, help="Importar las filas válidas (sin esta opción solo se valida).")
@click.option("--duplicate-policy", default="error", show_default=True, type=click.Choice(DUPLICATE_POLICIES),
              help="Filas cuyo SKU o identificador fiscal ya existe.")
@click.option("--sheet", default=None, help="Hoja del XLSX (nombre o índice desde 0).")
@click.option("--entry-date", type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]), default=None,
              help="Solo opening_balances: fecha del asiento de apertura (por defecto, hoy).")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Procesos de validación (por defecto, uno por núcleo; 1 = en este proceso).")
@click.option("--errors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Dónde escribir el informe de errores (por defecto, junto al archivo: <nombre>-errores.csv).")
def run_import(file: Path, slug: str, kind: str, promote: bool, duplicate_policy: str, sheet: str | None, entry_date,  # type: ignore[no-untyped-def]
               errors_out: Path | None, processes: int | None) -> None:
    """Import FILE (CSV, XLSX or JSON) for a tenant, showing progress; end with the counts and the errors report."""
    from gestiq_app.imports.inline import import_file
    from gestiq_app.tenancy.exceptions import DomainError

    tenant_id = _tenant_id(slug)
    bars: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=STAGES[stage], show_pos=True)
            bar.__enter__()  # type: ignore[attr-defined]
            bars[stage] = bar
        bar.update(done)  # type: ignore[attr-defined]

    try:
        summary = import_file(tenant_id=tenant_id, path=file, kind=kind, promote=promote, actor="cli:imports",
                              duplicate_policy=duplicate_policy,
                              options={**({"sheet": sheet} if sheet else {}),
                                       **({"entry_date": entry_date.date().isoformat()} if entry_date else {})} or None,
                              errors_report=errors_out, progress=progress, processes=processes or os.cpu_count() or 1)
    except DomainError as error:
        details = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in error.errors.items())
        raise click.ClickException(f"{error.message}{' — ' + details if details else ''}") from error
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]
    counts = summary.counts
    click.echo(f"Lote {summary.batch_id}: {summary.state}")
    click.echo(f"  válidas: {counts['valid']}  importadas: {counts['promoted']}  omitidas: {counts['skipped']}  "
               f"con errores: {counts['invalid']}")
    if summary.errors_report:
        click.echo(f"  informe de errores: {summary.errors_report}")
    if counts["invalid"]:
        raise SystemExit(1)


@imports.command("resume")
@click.argument("batch_id", type=click.UUID)
@click.option("--tenant", "slug", required=True, help="Identificador (slug) de la empresa.")
def resume_import(batch_id, slug: str) -> None:  # type: ignore[no-untyped-def]
    """Go on with a promotion left half done (the worker died): from its last committed chunk, nothing twice."""
    from gestiq_app.imports import pipeline, services
    from gestiq_app.tenancy.context import tenant_context

    tenant_id = _tenant_id(slug)
    with tenant_context(tenant_id):
        current = services.get_batch(tenant_id=tenant_id, batch_id=batch_id).state
    if current != "promoting":
        raise click.ClickException(f"El lote está en estado «{current}»: no hay nada que reanudar.")
    state = pipeline.run_promotion(tenant_id=tenant_id, batch_id=batch_id, actor="cli:imports")
    click.echo(f"Lote {batch_id}: {state}")
