"""Country charts of accounts (templates), the account each posting role uses, and loading a chart into a tenant.

Postings never name account codes: they name a role ("receivable", "vat_output"…) and `ROLE_CODES`
maps it to the country's account. A template row is (code, name, type, parent code, is_postable).
"""

from __future__ import annotations

import uuid
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from gestiq_app.accounting.models import Account
from gestiq_app.db import session


class TemplateAccount(NamedTuple):
    """One account of a country template."""

    code: str
    name: str
    type: str
    parent: str | None
    is_postable: bool = True


def _group(code: str, name: str, type_: str, parent: str | None = None) -> TemplateAccount:
    return TemplateAccount(code, name, type_, parent, False)


#: Spain: Plan General de Contabilidad de PYMES (the accounts a small business uses every day).
SPAIN: tuple[TemplateAccount, ...] = (
    _group("1", "Financiación básica", "equity"),
    _group("10", "Capital", "equity", "1"),
    TemplateAccount("100", "Capital social", "equity", "10"),
    _group("12", "Resultados pendientes de aplicación", "equity", "1"),
    TemplateAccount("129", "Resultado del ejercicio", "equity", "12"),
    _group("4", "Acreedores y deudores por operaciones comerciales", "liability"),
    _group("40", "Proveedores", "liability", "4"),
    TemplateAccount("400", "Proveedores", "liability", "40"),
    _group("41", "Acreedores varios", "liability", "4"),
    TemplateAccount("410", "Acreedores por prestaciones de servicios", "liability", "41"),
    _group("43", "Clientes", "asset", "4"),
    TemplateAccount("430", "Clientes", "asset", "43"),
    TemplateAccount("438", "Anticipos de clientes", "liability", "43"),
    _group("47", "Administraciones públicas", "liability", "4"),
    TemplateAccount("472", "Hacienda Pública, IVA soportado", "asset", "47"),
    TemplateAccount("473", "Hacienda Pública, retenciones y pagos a cuenta", "asset", "47"),
    TemplateAccount("4751", "Hacienda Pública, acreedora por retenciones practicadas", "liability", "47"),
    TemplateAccount("477", "Hacienda Pública, IVA repercutido", "liability", "47"),
    _group("5", "Cuentas financieras", "asset"),
    _group("57", "Tesorería", "asset", "5"),
    TemplateAccount("570", "Caja, euros", "asset", "57"),
    TemplateAccount("572", "Bancos e instituciones de crédito c/c vista, euros", "asset", "57"),
    _group("6", "Compras y gastos", "expense"),
    _group("60", "Compras", "expense", "6"),
    TemplateAccount("600", "Compras de mercaderías", "expense", "60"),
    _group("62", "Servicios exteriores", "expense", "6"),
    TemplateAccount("621", "Arrendamientos y cánones", "expense", "62"),
    TemplateAccount("628", "Suministros", "expense", "62"),
    TemplateAccount("629", "Otros servicios", "expense", "62"),
    _group("64", "Gastos de personal", "expense", "6"),
    TemplateAccount("640", "Sueldos y salarios", "expense", "64"),
    _group("7", "Ventas e ingresos", "income"),
    _group("70", "Ventas de mercaderías, de producción propia, de servicios, etc.", "income", "7"),
    TemplateAccount("700", "Ventas de mercaderías", "income", "70"),
    TemplateAccount("705", "Prestaciones de servicios", "income", "70"),
    TemplateAccount("708", "Devoluciones de ventas y operaciones similares", "income", "70"),
)

#: Ecuador: the Superintendencia de Compañías structure (1 activo … 5 gastos), the usual operating accounts.
ECUADOR: tuple[TemplateAccount, ...] = (
    _group("1", "Activo", "asset"),
    _group("1.1", "Activo corriente", "asset", "1"),
    _group("1.1.01", "Efectivo y equivalentes al efectivo", "asset", "1.1"),
    TemplateAccount("1.1.01.01", "Caja", "asset", "1.1.01"),
    TemplateAccount("1.1.01.02", "Bancos", "asset", "1.1.01"),
    _group("1.1.02", "Activos financieros", "asset", "1.1"),
    TemplateAccount("1.1.02.05", "Documentos y cuentas por cobrar clientes no relacionados", "asset", "1.1.02"),
    _group("1.1.05", "Activos por impuestos corrientes", "asset", "1.1"),
    TemplateAccount("1.1.05.01", "Crédito tributario a favor de la empresa (IVA en compras)", "asset", "1.1.05"),
    TemplateAccount("1.1.05.02", "Crédito tributario a favor de la empresa (retenciones en la fuente recibidas)", "asset",
                    "1.1.05"),
    _group("2", "Pasivo", "liability"),
    _group("2.1", "Pasivo corriente", "liability", "2"),
    _group("2.1.03", "Cuentas y documentos por pagar", "liability", "2.1"),
    TemplateAccount("2.1.03.01", "Proveedores locales", "liability", "2.1.03"),
    _group("2.1.07", "Otras obligaciones corrientes con la administración tributaria", "liability", "2.1"),
    TemplateAccount("2.1.07.01", "IVA cobrado en ventas", "liability", "2.1.07"),
    TemplateAccount("2.1.07.02", "Retenciones en la fuente de IVA por pagar", "liability", "2.1.07"),
    TemplateAccount("2.1.07.03", "Retenciones en la fuente de impuesto a la renta por pagar", "liability", "2.1.07"),
    _group("2.1.10", "Anticipos de clientes", "liability", "2.1"),
    TemplateAccount("2.1.10.01", "Anticipos de clientes", "liability", "2.1.10"),
    _group("3", "Patrimonio neto", "equity"),
    _group("3.1", "Capital", "equity", "3"),
    TemplateAccount("3.1.01", "Capital suscrito o asignado", "equity", "3.1"),
    _group("3.7", "Resultados del ejercicio", "equity", "3"),
    TemplateAccount("3.7.01", "Ganancia (pérdida) neta del periodo", "equity", "3.7"),
    _group("4", "Ingresos", "income"),
    _group("4.1", "Ingresos de actividades ordinarias", "income", "4"),
    TemplateAccount("4.1.01", "Venta de bienes", "income", "4.1"),
    TemplateAccount("4.1.02", "Prestación de servicios", "income", "4.1"),
    TemplateAccount("4.1.10", "(-) Devoluciones en ventas", "income", "4.1"),
    _group("5", "Costos y gastos", "expense"),
    _group("5.1", "Costo de ventas y producción", "expense", "5"),
    TemplateAccount("5.1.01", "Compras netas locales de bienes", "expense", "5.1"),
    _group("5.2", "Gastos", "expense", "5"),
    TemplateAccount("5.2.02", "Otros gastos (servicios)", "expense", "5.2"),
)

TEMPLATES: dict[str, tuple[TemplateAccount, ...]] = {"ES": SPAIN, "EC": ECUADOR}

#: Posting role -> account code, per country: the only place postings learn account codes.
ROLE_CODES: dict[str, dict[str, str]] = {
    "ES": {
        "receivable": "430", "customer_credit": "438", "payable_goods": "400", "payable_services": "410",
        "vat_input": "472", "vat_output": "477", "surcharge_output": "477", "withholding_receivable": "473",
        "withholding_payable_iva": "4751", "withholding_payable_renta": "4751", "cash": "570", "bank": "572",
        "purchases_goods": "600", "purchases_services": "629", "sales_goods": "700", "sales_services": "705",
        "sales_returns": "708",
    },
    "EC": {
        "receivable": "1.1.02.05", "customer_credit": "2.1.10.01", "payable_goods": "2.1.03.01",
        "payable_services": "2.1.03.01", "vat_input": "1.1.05.01", "vat_output": "2.1.07.01",
        "surcharge_output": "2.1.07.01", "withholding_receivable": "1.1.05.02", "withholding_payable_iva": "2.1.07.02",
        "withholding_payable_renta": "2.1.07.03", "cash": "1.1.01.01", "bank": "1.1.01.02",
        "purchases_goods": "5.1.01", "purchases_services": "5.2.02", "sales_goods": "4.1.01",
        "sales_services": "4.1.02", "sales_returns": "4.1.10",
    },
}
#: Accounts whose balance is what customers / suppliers owe or are owed (aged reports, dashboard).
PAYABLE_ROLES = ("payable_goods", "payable_services")
EXPENSE_ROLES = ("purchases_goods", "purchases_services")


def account_id_for(tenant_id: uuid.UUID, code: str) -> uuid.UUID:
    """Return the id a template account gets in a tenant (deterministic, so loading needs no lookups)."""
    return uuid.uuid5(tenant_id, f"account:{code}")


def role_code(country: str, role: str) -> str:
    """Return the account code of a posting role in a country."""
    return ROLE_CODES[country][role]


def ensure_chart(*, tenant_id: uuid.UUID, country: str) -> int:
    """Load the country template into the tenant's chart, skipping codes it has (idempotent); return rows added.

    `INSERT … ON CONFLICT (tenant_id, code) DO NOTHING`: two first postings racing never fail.
    Call inside the caller's unit of work and tenant context.
    """
    current = session()
    existing = set(current.scalars(select(Account.code)))
    missing = [row for row in TEMPLATES[country] if row.code not in existing]
    if not missing:
        return 0
    dialect = current.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [
        {"tenant_id": tenant_id, "id": account_id_for(tenant_id, row.code), "code": row.code, "name": row.name,
         "type": row.type, "parent_id": account_id_for(tenant_id, row.parent) if row.parent else None,
         "is_postable": row.is_postable, "is_system": True}
        for row in missing
    ]
    current.execute(insert(Account).values(rows).on_conflict_do_nothing(index_elements=["tenant_id", "code"]))
    return len(rows)
