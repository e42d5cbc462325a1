"""`gestiq imports run` and `scripts/migrate-legacy`: inline imports with progress, counts, error reports and exit codes."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gestiq_app.catalog.models import Product
from gestiq_app.crm.models import Customer, Supplier
from gestiq_app.extensions import db
from gestiq_app.ops import migrate_legacy
from gestiq_app.tenancy.context import tenant_context
from tests.factories import make_tenant


@pytest.fixture()
def tenant(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant."""
    with app.app_context():
        return make_tenant(country="ES")


def _count(app, tenant_id: uuid.UUID, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant_id):
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_cli_run_validates_promotes_and_points_at_the_errors_report(app, tenant, tmp_path):  # type: ignore[no-untyped-def]
    source = tmp_path / "articulos.csv"
    source.write_bytes("Referencia;Nombre;PVP\r\nR-1;Martillo;12,90\r\nR-2;;3\r\nR-3;Clavos;0,05\r\n".encode("cp1252"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["gestiq", "imports", "run", str(source), "--tenant", tenant.slug, "--kind", "products", "--promote"])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[-2] == "  válidas: 0  importadas: 2  omitidas: 0  con errores: 1"
    assert lines[-1] == f"  informe de errores: {tmp_path / 'articulos-errores.csv'}"
    assert "Validación" in result.output and "Importación" in result.output
    assert (tmp_path / "articulos-errores.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "fila;Referencia;Nombre;PVP;errores", "3;R-2;;3;name: Campo obligatorio."]
    assert _count(app, tenant.id, Product) == 2

    validated_only = tmp_path / "otros.csv"
    validated_only.write_text("sku,name,unit_price\nO-1,Otro,1\n", encoding="utf-8")
    result = runner.invoke(args=["gestiq", "imports", "run", str(validated_only), "--tenant", tenant.slug, "--kind", "products"])
    assert result.exit_code == 0, result.output
    assert "válidas: 1  importadas: 0" in result.output
    assert _count(app, tenant.id, Product) == 2


def test_cli_run_refuses_an_unknown_tenant(app, tmp_path):  # type: ignore[no-untyped-def]
    source = tmp_path / "p.csv"
    source.write_text("sku\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["gestiq", "imports", "run", str(source), "--tenant", "nadie", "--kind", "products"])
    assert result.exit_code == 1
    assert "No existe la empresa «nadie»." in result.output


def _legacy_exports(folder: Path) -> None:
    folder.mkdir()
    (folder / "Clientes.csv").write_bytes(
        "Razón social;NIF;Población\r\nBar Paco S.L.;B65410011;Cádiz\r\nMaría López;00000000T;Sevilla\r\n".encode("cp1252"))
    (folder / "proveedores.csv").write_text("Nombre,CIF,Email\nSuministros Sur SA,A58818501,sur@example.test\n", encoding="utf-8")
    (folder / "productos.csv").write_text("Código;Nombre;Precio;IVA\nL-1;Lámpara;19,90;21\nL-2;Pan;1,10;4\n", encoding="utf-8-sig")
    (folder / "notas.txt").write_text("no es una exportación", encoding="utf-8")


def test_migrate_legacy_dry_run_then_import_then_rerun_creates_each_row_once(app, tenant, tmp_path, capsys):  # type: ignore[no-untyped-def]
    folder = tmp_path / "exportacion"
    _legacy_exports(folder)
    assert [path.name for paths in migrate_legacy.find_files(folder).values() for path in paths] == [
        "proveedores.csv", "Clientes.csv", "productos.csv"]

    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug, "--dry-run"], app=app) == 0
    assert (_count(app, tenant.id, Customer), _count(app, tenant.id, Supplier), _count(app, tenant.id, Product)) == (0, 0, 0)
    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug], app=app) == 0
    assert (_count(app, tenant.id, Customer), _count(app, tenant.id, Supplier), _count(app, tenant.id, Product)) == (2, 1, 2)
    output = capsys.readouterr().out
    assert "Clientes.csv (customers): importando…" in output
    assert "válidas 0, importadas 2, omitidas 0, con errores 0" in output

    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug], app=app) == 0
    assert (_count(app, tenant.id, Customer), _count(app, tenant.id, Supplier), _count(app, tenant.id, Product)) == (2, 1, 2)
    assert "válidas 0, importadas 0, omitidas 2, con errores 0" in capsys.readouterr().out


def test_migrate_legacy_fails_with_rows_in_error_and_writes_the_report(app, tenant, tmp_path, capsys):  # type: ignore[no-untyped-def]
    folder = tmp_path / "exp"
    folder.mkdir()
    (folder / "clientes.csv").write_text("Razón social;NIF\nBueno SL;A58818501\nMalo SL;B65410012\n", encoding="utf-8")
    reports = tmp_path / "informes"
    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug, "--errors-dir", str(reports)], app=app) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "Error: 1 fila(s) con errores; corríjalas en los informes y vuelva a ejecutar el script."
    assert (reports / "clientes-errores.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith("3;Malo SL;B65410012;tax_id: ")
    assert _count(app, tenant.id, Customer) == 1


def test_migrate_legacy_reports_bad_input_in_one_line(app, tenant, tmp_path, capsys):  # type: ignore[no-untyped-def]
    assert migrate_legacy.main(["--tenant", tenant.slug], app=app) == 1
    assert capsys.readouterr().err.strip().startswith("Error: no hay nada que importar")
    assert migrate_legacy.main(["--tenant", "nadie", "--products", str(tmp_path / "x.csv")], app=app) == 1
    assert capsys.readouterr().err.strip() == f"Error: no existe el archivo {tmp_path / 'x.csv'}"
    broken = tmp_path / "productos.csv"
    broken.write_text('sku;name\nA;"sin cerrar\n', encoding="utf-8")
    assert migrate_legacy.main(["--tenant", tenant.slug, "--products", str(broken)], app=app) == 1
    assert capsys.readouterr().err.strip() == "Error: productos.csv: Línea 2: el archivo está mal formado (comillas sin cerrar). — file: Línea 2: revise las comillas de esa fila."


def test_migrate_legacy_imports_open_invoices_after_customers_and_products(app, tenant, tmp_path, capsys):  # type: ignore[no-untyped-def]
    from gestiq_app.sales.models import SalesDocument

    folder = tmp_path / "erp"
    _legacy_exports(folder)
    (folder / "Facturas pendientes.csv").write_bytes((
        "Factura;Fecha;NIF cliente;Código;Concepto;Cantidad;Precio;IVA;Cobrado\r\n"
        "V-0007;30/09/2025;B65410011;L-1;;2;19,90;21;10,00\r\n"
        "V-0007;30/09/2025;B65410011;;Montaje;1;15,00;21;10,00\r\n"
        "V-0008;01/10/2025;00000000T;L-2;;10;1,10;4;\r\n").encode("cp1252"))
    assert [path.name for path in migrate_legacy.find_files(folder)["invoices"]] == ["Facturas pendientes.csv"]

    # Dry run: nothing is created (the invoices' customers and products do not exist yet, so their rows are left invalid).
    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug, "--dry-run"], app=app) == 1
    assert (_count(app, tenant.id, Customer), _count(app, tenant.id, Product), _count(app, tenant.id, SalesDocument)) == (0, 0, 0)
    capsys.readouterr()

    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug], app=app) == 0
    output = capsys.readouterr().out
    assert "Facturas pendientes.csv (invoices): importando…" in output
    assert "válidas 0, importadas 3, omitidas 0, con errores 0 (filas); facturas creadas 2" in output
    assert output.index("(products): importando") < output.index("(invoices): importando")
    with app.app_context(), tenant_context(tenant.id):
        invoices = {d.full_number: (d.state, d.origin, d.total, d.amount_paid, d.amount_due)
                    for d in db.session.scalars(select(SalesDocument))}
    assert invoices == {
        "V-0007": ("partially_paid", "import", Decimal("66.31"), Decimal("10.00"), Decimal("56.31")),  # (39.80 + 15.00) × 1.21
        "V-0008": ("issued", "import", Decimal("11.44"), Decimal("0.00"), Decimal("11.44")),  # 11.00 + 4 %
    }
    # Again: the invoices exist, their rows are skipped and nothing is created twice.
    assert migrate_legacy.main([str(folder), "--tenant", tenant.slug], app=app) == 0
    assert "válidas 0, importadas 0, omitidas 3, con errores 0 (filas); facturas creadas 0" in capsys.readouterr().out
    assert _count(app, tenant.id, SalesDocument) == 2


def test_cli_run_imports_invoices_and_refuses_the_update_policy(app, tenant, tmp_path):  # type: ignore[no-untyped-def]
    from gestiq_app.sales.models import SalesDocument

    runner = app.test_cli_runner()
    customers = tmp_path / "clientes.csv"
    customers.write_text("Razón social;NIF\nBar Paco SL;B65410011\n", encoding="utf-8")
    assert runner.invoke(args=["gestiq", "imports", "run", str(customers), "--tenant", tenant.slug, "--kind", "customers",
                               "--promote"]).exit_code == 0
    source = tmp_path / "facturas.csv"
    source.write_text("Número;Fecha;NIF cliente;Descripción;Cantidad;Precio;IVA\nT-1;02/01/2025;B65410011;Comida;1;100,00;10\n",
                      encoding="utf-8")
    result = runner.invoke(args=["gestiq", "imports", "run", str(source), "--tenant", tenant.slug, "--kind", "invoices",
                                 "--duplicate-policy", "update", "--promote"])
    assert result.exit_code == 1
    assert ("Error: Las facturas importadas no se actualizan: use «skip» (omitir) o «error» para las ya existentes. — "
            "duplicate_policy: «update» no se admite para facturas: use skip o error.") in result.output
    result = runner.invoke(args=["gestiq", "imports", "run", str(source), "--tenant", tenant.slug, "--kind", "invoices", "--promote"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "  válidas: 0  importadas: 1  omitidas: 0  con errores: 0"
    with app.app_context(), tenant_context(tenant.id):
        assert [(d.full_number, d.total) for d in db.session.scalars(select(SalesDocument))] == [("T-1", Decimal("110.00"))]
