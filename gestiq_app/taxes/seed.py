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

#: Ecuador, retención de IVA (ficha técnica de comprobantes electrónicos, tabla de retenciones de IVA):
#: percent of the IVA withheld -> SRI codigoRetencion.
EC_IVA_WITHHOLDING_CODES = (("10", "9"), ("20", "10"), ("30", "1"), ("50", "11"), ("70", "2"), ("100", "3"))
#: Ecuador, retención en la fuente de renta (the SRI's table of concepts): category, code, percent, name.
#: Only concepts whose current rate two independent sources agree on; admins add the others (e.g. 304,
#: 307, 320) in the catalog with their dates. Rates as in force in 2026; earlier periods are not modelled.
EC_RENTA_WITHHOLDING_CODES = (
    ("honorarios", "303", "10", "Honorarios profesionales y dietas"),
    ("bienes_muebles", "312", "1.75", "Transferencia de bienes muebles de naturaleza corporal"),
    ("no_sujeto", "332", "0", "Pagos de bienes o servicios no sujetos a retención"),
    ("otras", "3440", "2.75", "Otras retenciones aplicables el 2,75 %"),
)

#: Spain: IVA 21/10/4/0, recargo de equivalencia tied to each IVA category, IRPF 15/7.
#: Ecuador: IVA 15 % since 2024-04-01 (12 % before), 5 %, 0 %, no objeto, exento (SRI codigoPorcentaje);
#: the buyer's retenciones de IVA and renta with their SRI codes.
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
    *[
        {"country": "EC", "tax_type": "ret_iva", "category": f"iva_{percent}", "name": f"Retención del {percent} % del IVA",
         "rate": D(percent), "authority_code": code, "valid_from": START}
        for percent, code in EC_IVA_WITHHOLDING_CODES
    ],
    *[
        {"country": "EC", "tax_type": "ret_renta", "category": category, "name": name, "rate": D(rate), "authority_code": code,
         "valid_from": START}
        for category, code, rate, name in EC_RENTA_WITHHOLDING_CODES
    ],
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
