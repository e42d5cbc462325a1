"""The catalog's initial rates (ES and EC), inserted when missing; admins edit them afterwards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.db import unit_of_work
from gestiq_app.taxes.models import TaxRate

D = Decimal
START = date(2000, 1, 1)

#: Spain: IVA 21/10/4/0, recargo de equivalencia tied to each IVA category, IRPF 15/7.
#: Ecuador: IVA 15 % since 2024-04-01 (12 % before), 5 %, 0 %, no objeto, exento (SRI codigoPorcentaje).
INITIAL_RATES: list[dict[str, Any]] = [
    {"country": "ES", "tax_type": "iva", "category": "general", "name": "IVA general", "rate": D("21"), "valid_from": START},
    {"country": "ES", "tax_type": "iva", "category": "reducido", "name": "IVA reducido", "rate": D("10"), "valid_from": START},
    {"country": "ES", "tax_type": "iva", "category": "superreducido", "name": "IVA superreducido", "rate": D("4"), "valid_from": START},
    {"country": "ES", "tax_type": "iva", "category": "cero", "name": "IVA 0 %", "rate": D("0"), "valid_from": START},
    {"country": "ES", "tax_type": "iva", "category": "exento", "name": "Exento de IVA", "rate": D("0"), "valid_from": START},
    {"country": "ES", "tax_type": "recargo", "category": "general", "name": "Recargo de equivalencia 5,2 %", "rate": D("5.2"), "valid_from": START},
    {"country": "ES", "tax_type": "recargo", "category": "reducido", "name": "Recargo de equivalencia 1,4 %", "rate": D("1.4"), "valid_from": START},
    {"country": "ES", "tax_type": "recargo", "category": "superreducido", "name": "Recargo de equivalencia 0,5 %", "rate": D("0.5"), "valid_from": START},
    {"country": "ES", "tax_type": "recargo", "category": "cero", "name": "Sin recargo", "rate": D("0"), "valid_from": START},
    {"country": "ES", "tax_type": "recargo", "category": "exento", "name": "Sin recargo", "rate": D("0"), "valid_from": START},
    {"country": "ES", "tax_type": "irpf", "category": "profesional", "name": "Retención IRPF 15 %", "rate": D("15"), "valid_from": START},
    {"country": "ES", "tax_type": "irpf", "category": "profesional_inicio", "name": "Retención IRPF 7 % (inicio de actividad)", "rate": D("7"), "valid_from": START},
    {"country": "EC", "tax_type": "iva", "category": "general", "name": "IVA 12 %", "rate": D("12"), "authority_code": "2",
     "valid_from": START, "valid_to": date(2024, 3, 31)},
    {"country": "EC", "tax_type": "iva", "category": "general", "name": "IVA 15 %", "rate": D("15"), "authority_code": "4",
     "valid_from": date(2024, 4, 1)},
    {"country": "EC", "tax_type": "iva", "category": "reducido", "name": "IVA 5 %", "rate": D("5"), "authority_code": "5", "valid_from": date(2024, 4, 1)},
    {"country": "EC", "tax_type": "iva", "category": "cero", "name": "IVA 0 %", "rate": D("0"), "authority_code": "0", "valid_from": START},
    {"country": "EC", "tax_type": "iva", "category": "no_objeto", "name": "No objeto de IVA", "rate": D("0"), "authority_code": "6", "valid_from": START},
    {"country": "EC", "tax_type": "iva", "category": "exento", "name": "Exento de IVA", "rate": D("0"), "authority_code": "7", "valid_from": START},
]


def ensure_tax_rates() -> int:
    """Insert the initial rates that are missing (by country, type, category and start date); return how many."""
    added = 0
    with unit_of_work() as current:
        existing = {(r.country, r.tax_type, r.category, r.valid_from) for r in current.scalars(select(TaxRate))}
        for data in INITIAL_RATES:
            key = (data["country"], data["tax_type"], data["category"], data["valid_from"])
            if key not in existing:
                current.add(TaxRate(**data))
                added += 1
    return added
