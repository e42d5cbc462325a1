"""What sales needs to know about the tenant: country (tax rules), currency, local date, IRPF category."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from sqlalchemy import and_, select

from gestiq_app.db import session
from gestiq_app.tenancy.exceptions import TenantNotFoundError
from gestiq_app.tenancy.models import Tenant, TenantModule

#: IRPF category used when the tenant's sales settings name none (catalog: profesional 15 %).
DEFAULT_IRPF_CATEGORY = "profesional"


@dataclass(frozen=True)
class SalesSettings:
    """A tenant's sales settings, read once per request."""

    tenant_id: uuid.UUID
    country: str
    currency: str
    timezone: str
    irpf_category: str

    def today(self) -> date:
        """Return today's date where the tenant is (due dates and overdue flip at local midnight)."""
        return datetime.now(ZoneInfo(self.timezone)).date()


def get_sales_settings(*, tenant_id: uuid.UUID) -> SalesSettings:
    """Return the tenant's sales settings (cached for the current request)."""
    cache_key = f"sales_settings_{tenant_id}"
    if has_request_context() and cache_key in g:
        return g.get(cache_key)
    statement = (
        select(Tenant.country, Tenant.currency, Tenant.timezone, TenantModule.settings)
        .outerjoin(TenantModule, and_(TenantModule.tenant_id == Tenant.id, TenantModule.module == "sales"))
        .where(Tenant.id == tenant_id)
    )
    row = session().execute(statement).first()
    if row is None:
        raise TenantNotFoundError("Empresa no encontrada")
    module_settings = row.settings or {}
    settings = SalesSettings(
        tenant_id=tenant_id,
        country=row.country,
        currency=row.currency,
        timezone=row.timezone,
        irpf_category=str(module_settings.get("irpf_category") or DEFAULT_IRPF_CATEGORY),
    )
    if has_request_context():
        setattr(g, cache_key, settings)
    return settings


def tenant_today(*, tenant_id: uuid.UUID) -> date:
    """Return today's date in the tenant's time zone."""
    return get_sales_settings(tenant_id=tenant_id).today()
