"""Platform reference data (sector templates, plans), upserted by their codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.db import unit_of_work
from gestiq_app.tenancy.models import MODULES, Plan, SectorTemplate

SECTOR_TEMPLATES: list[dict[str, Any]] = [
    {"code": "general", "name": "General (todos los módulos)", "default_modules": list(MODULES), "default_settings": {}},
    {
        "code": "retail",
        "name": "Comercio minorista",
        "default_modules": ["crm", "sales", "purchases", "accounting", "imports", "payments", "einvoicing"],
        "default_settings": {"sales": {"default_payment_terms_days": 0}},
    },
    {
        "code": "services",
        "name": "Servicios profesionales",
        "default_modules": ["crm", "sales", "accounting", "payments", "einvoicing"],
        "default_settings": {"sales": {"default_payment_terms_days": 30}},
    },
    {
        "code": "minimal",
        "name": "Solo facturación",
        "default_modules": ["crm", "sales", "einvoicing"],
        "default_settings": {},
    },
]

PLANS: list[dict[str, Any]] = [
    {"code": "free", "name": "Gratuito", "monthly_price": Decimal("0.00"), "currency": "EUR"},
    {"code": "basic", "name": "Básico", "monthly_price": Decimal("19.00"), "currency": "EUR"},
    {"code": "pro", "name": "Profesional", "monthly_price": Decimal("49.00"), "currency": "EUR"},
]


def ensure_platform_defaults() -> None:
    """Create missing sector templates and plans; existing rows keep the back office's edits."""
    with unit_of_work() as current:
        known_templates = set(current.scalars(select(SectorTemplate.code)))
        for template in SECTOR_TEMPLATES:
            if template["code"] not in known_templates:
                current.add(SectorTemplate(**template))
        known_plans = set(current.scalars(select(Plan.code)))
        for plan in PLANS:
            if plan["code"] not in known_plans:
                current.add(Plan(**plan))
