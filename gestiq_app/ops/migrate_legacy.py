"""`scripts/migrate-legacy`: import another ERP's CSV/XLSX exports (customers, suppliers, products, open invoices) for a tenant.

Every file goes through the imports pipeline (the same parsing, validation and promotion as the API): a batch
per file, visible in the back office and undoable from the API. Rows whose tax id or SKU already exists are
skipped by default, so running the script again after fixing the errors report imports only what was missing.
Open invoices (one row per line: facturas*.csv; supplier ones: facturas-proveedor*.csv) come after the customers,
suppliers and products they refer to; they become issued invoices keeping the old number (never sent to SRI /
VERI*FACTU), with what was already collected or paid recorded as a payment. An invoice whose number already exists
is skipped (`--duplicate-policy update` also skips it: an issued invoice is never changed by an import).
Opening balances are imported with `flask --app wsgi gestiq imports run FILE --kind opening_balances --entry-date …`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from flask import Flask

from gestiq_app.ops.common import OpsError, build_app, printer, run_script

ORDER = ("suppliers", "customers", "products", "invoices", "supplier_invoices")
INVOICE_KINDS = ("invoices", "supplier_invoices")
#: File-name prefixes (lower-case, accents stripped, in the order tried) recognised in a SOURCE folder.
PREFIXES = {"suppliers": ("proveedores", "suppliers", "vendors"), "customers": ("clientes", "customers"),
            "products": ("productos", "articulos", "products", "items"),
            "supplier_invoices": ("facturas proveedor", "facturas de proveedor", "facturas proveedores", "facturas compra",
                                  "facturas recibidas", "supplier invoices", "purchase invoices"),
            "invoices": ("facturas", "invoices", "open invoices")}
SUFFIXES = (".csv", ".txt", ".xlsx", ".json")


def find_files(source: Path) -> dict[str, list[Path]]:
    """Return the export files of a folder by kind, recognised by their name (clientes.csv, Productos 2026.xlsx…)."""
    from gestiq_app.imports.mapping import normalize_header

    found: dict[str, list[Path]] = {kind: [] for kind in ORDER}
    for path in sorted(source.iterdir()):
        if not path.is_file() or path.suffix.lower() not in SUFFIXES or path.stem.endswith("-errores"):
            continue
        name = normalize_header(path.stem)
        for kind, prefixes in PREFIXES.items():
            if name.startswith(prefixes):
                found[kind].append(path)
                break
    return found


def migrate(app: Flask, *, slug: str, files: dict[str, list[Path]], dry_run: bool, duplicate_policy: str,
            errors_dir: Path | None, progress) -> int:  # type: ignore[no-untyped-def]
    """Import every file; return how many rows were left invalid (0 = everything imported or skipped)."""
    from gestiq_app.extensions import db
    from gestiq_app.imports.inline import import_file
    from gestiq_app.tenancy.exceptions import DomainError, TenantNotFoundError
    from gestiq_app.tenancy.services import get_tenant_by_slug

    invalid = 0
    with app.app_context():
        try:
            try:
                tenant_id = get_tenant_by_slug(slug=slug).id
            except TenantNotFoundError as error:
                raise OpsError(f"no existe la empresa «{slug}»") from error
            for kind in ORDER:
                for path in files.get(kind, []):
                    progress(f"{path.name} ({kind}): {'validando' if dry_run else 'importando'}…")
                    report = (errors_dir / f"{path.stem}-errores.csv") if errors_dir else None
                    policy = "skip" if kind in INVOICE_KINDS and duplicate_policy == "update" else duplicate_policy
                    try:
                        summary = import_file(tenant_id=tenant_id, path=path, kind=kind, promote=not dry_run,
                                              actor="script:migrate-legacy", duplicate_policy=policy,
                                              errors_report=report, processes=os.cpu_count() or 1,
                                              progress=lambda stage, done, total: None)
                    except DomainError as error:
                        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.errors.items())
                        raise OpsError(f"{path.name}: {error.message}{' — ' + details if details else ''}") from error
                    counts = summary.counts
                    progress(f"  lote {summary.batch_id}: válidas {counts['valid']}, importadas {counts['promoted']}, "
                             f"omitidas {counts['skipped']}, con errores {counts['invalid']}"
                             + (f" (filas); facturas creadas {_invoices_created(tenant_id, summary.batch_id)}" if kind in INVOICE_KINDS else ""))
                    if summary.errors_report:
                        progress(f"  informe de errores: {summary.errors_report}")
                    invalid += counts["invalid"]
        finally:
            db.session.rollback()
            db.session.remove()
    return invalid


def _invoices_created(tenant_id, batch_id) -> int:  # type: ignore[no-untyped-def]
    """Count the invoices an invoices batch created (its lineage has a row per line)."""
    from sqlalchemy import distinct, func, select

    from gestiq_app.extensions import db
    from gestiq_app.imports.models import ImportLineage
    from gestiq_app.tenancy.context import tenant_context

    with tenant_context(tenant_id):
        count = db.session.scalar(select(func.count(distinct(ImportLineage.entity_id))).where(ImportLineage.batch_id == batch_id))
        db.session.rollback()
    return count or 0


def main(argv: list[str] | None = None, *, app: Flask | None = None) -> int:
    """Run `scripts/migrate-legacy`: 0 when every row was imported (or skipped), 1 when rows are left with errors or a file failed."""
    parser = argparse.ArgumentParser(prog="scripts/migrate-legacy", description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path,
                        help="carpeta con las exportaciones (clientes*.csv, proveedores*.csv, productos*.csv, facturas*.csv "
                             "[facturas pendientes, una fila por línea], facturas-proveedor*.csv / .xlsx)")
    parser.add_argument("--tenant", required=True, help="identificador (slug) de la empresa")
    parser.add_argument("--customers", type=Path, action="append", default=[], help="archivo de clientes (repetible)")
    parser.add_argument("--suppliers", type=Path, action="append", default=[], help="archivo de proveedores (repetible)")
    parser.add_argument("--products", type=Path, action="append", default=[], help="archivo de productos (repetible)")
    parser.add_argument("--invoices", type=Path, action="append", default=[],
                        help="archivo de facturas emitidas pendientes, una fila por línea (repetible); se importan después "
                             "de clientes y productos")
    parser.add_argument("--supplier-invoices", type=Path, action="append", default=[],
                        help="archivo de facturas de proveedor pendientes, una fila por línea (repetible)")
    parser.add_argument("--duplicate-policy", default="skip", choices=["skip", "update", "error"],
                        help="filas cuyo NIF/RUC, SKU o número de factura ya existe (por defecto skip: se puede repetir sin "
                             "duplicar; las facturas nunca se actualizan: con update se omiten)")
    parser.add_argument("--errors-dir", type=Path, default=None, help="carpeta de los informes de errores (por defecto, junto a cada archivo)")
    parser.add_argument("--dry-run", action="store_true", help="solo validar: no crea nada (los lotes quedan validados)")
    args = parser.parse_args(argv)

    def body() -> int:
        files: dict[str, list[Path]] = {"customers": list(args.customers), "suppliers": list(args.suppliers),
                                        "products": list(args.products), "invoices": list(args.invoices),
                                        "supplier_invoices": list(args.supplier_invoices)}
        if args.source is not None:
            if not args.source.is_dir():
                raise OpsError(f"{args.source} no es una carpeta")
            for kind, paths in find_files(args.source).items():
                files[kind].extend(paths)
        missing = [str(path) for paths in files.values() for path in paths if not path.is_file()]
        if missing:
            raise OpsError(f"no existe el archivo {missing[0]}")
        if not any(files.values()):
            raise OpsError("no hay nada que importar: indique una carpeta con clientes/proveedores/productos/facturas o "
                           "--customers/--products/--suppliers/--invoices/--supplier-invoices")
        if args.errors_dir is not None:
            args.errors_dir.mkdir(parents=True, exist_ok=True)
        invalid = migrate(app or build_app(), slug=args.tenant, files=files, dry_run=args.dry_run,
                          duplicate_policy=args.duplicate_policy, errors_dir=args.errors_dir, progress=printer())
        if invalid:
            print(f"Error: {invalid} fila(s) con errores; corríjalas en los informes y vuelva a ejecutar el script.", file=sys.stderr)
            return 1
        return 0

    return run_script(body)


if __name__ == "__main__":
    sys.exit(main())
