"""Demo purchases: a few months of recorded supplier invoices (some paid), expenses and a draft for a demo tenant.

Idempotent: a tenant that already has purchase documents is left alone (and nothing is reported, so a
second `demo seed` prints what it printed before). demo-ec's invoices bear retenciones de renta and IVA,
so it also gets its comprobantes de retención. Everything goes through the purchases services.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.crm.models import Supplier
from gestiq_app.db import session, unit_of_work
from gestiq_app.purchases import services
from gestiq_app.purchases.models import PurchaseDocument
from gestiq_app.sales.settings import get_sales_settings
from gestiq_app.tenancy.context import tenant_context

ACTOR = "demo-seed"
#: A supplier invoice every `EVERY_DAYS` days over the last `SPAN_DAYS` days; an expense every `EXPENSE_EVERY_DAYS`.
SPAN_DAYS, EVERY_DAYS, EXPENSE_EVERY_DAYS = 120, 10, 15
D = Decimal
#: (description, quantity, unit price, IVA category, renta category (EC ret_renta, ES irpf), IVA withholding category (EC))
PURCHASE_LINES: dict[str, list[tuple[str, str, str, str, str | None, str | None]]] = {
    "ES": [
        ("Mercadería para reventa", "20", "12.40", "general", None, None),
        ("Material de oficina", "5", "7.95", "general", None, None),
        ("Libros técnicos", "3", "24.00", "superreducido", None, None),
        ("Transporte de mercancías", "1", "85.00", "general", None, None),
        ("Comida con clientes", "1", "64.50", "reducido", None, None),  # IVA no deducible (atenciones a clientes)
        ("Honorarios de asesoría laboral", "1", "180.00", "general", "profesional", None),  # retención IRPF 15 %
    ],
    "EC": [
        ("Mercadería para reventa", "15", "18.60", "general", "bienes_muebles", "iva_30"),
        ("Arroz para reventa (25 kg)", "10", "27.00", "cero", "bienes_muebles", None),
        ("Mantenimiento de equipos", "1", "150.00", "general", "otras", "iva_70"),
        ("Honorarios de contador", "1", "300.00", "general", "honorarios", "iva_100"),
    ],
}
EXPENSES: dict[str, list[tuple[str, str, str]]] = {
    "ES": [("Taxi al aeropuerto", "23.10", "reducido"), ("Aparcamiento", "6.05", "general"), ("Gasolina", "60.50", "general")],
    "EC": [("Parqueadero", "3.45", "general"), ("Combustible", "25.00", "general"), ("Almuerzo de trabajo", "11.50", "general")],
}
FALLBACK_SUPPLIERS: dict[str, list[dict[str, Any]]] = {
    "ES": [{"legal_name": "Suministros Demo S.L.", "tax_id_type": "cif", "tax_id": "B46123451", "payment_terms_days": 30}],
    "EC": [{"legal_name": "Proveedora Demo S.A.", "tax_id_type": "ruc", "tax_id": "1791251237001", "payment_terms_days": 30}],
}


def _suppliers(country: str) -> list[Supplier]:
    existing = list(session().scalars(select(Supplier).where(Supplier.is_active.is_(True)).order_by(Supplier.legal_name).limit(10)))
    if existing:
        return existing
    with unit_of_work() as current:
        rows = [Supplier(country=country, **values) for values in FALLBACK_SUPPLIERS[country]]
        current.add_all(rows)
    return rows


def _lines(country: str, index: int) -> list[dict[str, Any]]:
    catalog = PURCHASE_LINES[country]
    picked = [catalog[(index + offset * 2) % len(catalog)] for offset in range(1 + index % 2)]
    lines = []
    for offset, (description, quantity, price, category, renta, iva) in enumerate(picked):
        line: dict[str, Any] = {"description": description, "quantity": D(quantity) + offset, "unit_price": D(price),
                                "tax_category": category}
        if description.startswith("Comida"):
            line["is_iva_deductible"] = False
        if renta:
            line["renta_withholding_category"] = renta
        if iva:
            line["iva_withholding_category"] = iva
        lines.append(line)
    return lines


def seed_purchases_demo(*, tenant_id: uuid.UUID) -> str | None:
    """Give a demo tenant months of supplier invoices and expenses once; return what was done (None if nothing)."""
    with tenant_context(tenant_id):
        if session().scalar(select(PurchaseDocument.id).limit(1)) is not None:
            return None
        settings = get_sales_settings(tenant_id=tenant_id)
        country, today = settings.country, settings.today()
        suppliers = _suppliers(country)
        recorded = paid = 0
        for index, offset in enumerate(range(SPAN_DAYS, 0, -EVERY_DAYS)):
            supplier = suppliers[index % len(suppliers)]
            issue_date = today - timedelta(days=offset)
            number = f"{index + 1:03d}-001-{issue_date:%y%m%d}{index:03d}" if country == "EC" else f"P{issue_date:%Y}/{index + 1:04d}"
            draft = services.create_invoice(tenant_id=tenant_id, actor=ACTOR, data={
                "supplier_id": supplier.id, "supplier_number": number, "issue_date": issue_date, "lines": _lines(country, index)})
            document = services.record_invoice(tenant_id=tenant_id, document_id=draft.id, actor=ACTOR,
                                               withholding_date=issue_date + timedelta(days=2) if country == "EC" else None)
            recorded += 1
            if offset > 45:  # older invoices are paid; recent ones still owed (some overdue)
                services.record_payment(tenant_id=tenant_id, document_id=document.id, kind="supplier_invoice",
                                        amount=document.amount_due, actor=ACTOR, paid_on=issue_date + timedelta(days=30))
                paid += 1
        expenses = 0
        for index, offset in enumerate(range(SPAN_DAYS - 3, 0, -EXPENSE_EVERY_DAYS)):
            description, amount, category = EXPENSES[country][index % len(EXPENSES[country])]
            services.create_expense(tenant_id=tenant_id, actor=ACTOR, data={
                "issue_date": today - timedelta(days=offset), "description": description, "amount": D(amount), "tax_category": category})
            expenses += 1
        services.create_invoice(tenant_id=tenant_id, actor=ACTOR, data={
            "supplier_id": suppliers[0].id, "supplier_number": f"BORRADOR-{today:%Y%m%d}", "issue_date": today,
            "lines": _lines(country, 0), "notes": "Pendiente de revisar"})
        return f"{recorded} facturas de proveedor registradas ({paid} pagadas), {expenses} gastos y 1 borrador"
