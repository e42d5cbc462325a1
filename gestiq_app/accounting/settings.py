"""Accounting settings of a tenant (the lock date), kept in the `accounting` module's settings.

Posting reads the lock date with a shared row lock and changing it takes an exclusive one (PostgreSQL), so an
entry can never commit into a period that was closed while it was being posted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from gestiq_app.db import session
from gestiq_app.tenancy.exceptions import TenantNotFoundError
from gestiq_app.tenancy.models import Tenant, TenantModule

MODULE = "accounting"


@dataclass(frozen=True)
class AccountingSettings:
    """What posting needs to know about the tenant."""

    tenant_id: uuid.UUID
    country: str
    currency: str
    lock_date: date | None


def _module_row(*, lock: str | None) -> TenantModule | None:
    statement = select(TenantModule).where(TenantModule.module == MODULE)
    if lock == "share":
        statement = statement.with_for_update(read=True)
    elif lock == "update":
        statement = statement.with_for_update()
    return session().scalar(statement)


def get_accounting_settings(*, tenant_id: uuid.UUID, lock: str | None = None) -> AccountingSettings:
    """Return the tenant's country, currency and lock date (`lock`: "share" while posting, "update" to change it)."""
    tenant = session().execute(select(Tenant.country, Tenant.currency).where(Tenant.id == tenant_id)).first()
    if tenant is None:
        raise TenantNotFoundError("Empresa no encontrada")
    row = _module_row(lock=lock)
    raw = (row.settings or {}).get("lock_date") if row is not None else None
    return AccountingSettings(tenant_id=tenant_id, country=tenant.country, currency=tenant.currency,
                              lock_date=date.fromisoformat(raw) if raw else None)


def store_lock_date(lock_date: date | None) -> TenantModule:
    """Write the lock date into the module row (locked for update); the caller owns the transaction."""
    row = _module_row(lock="update")
    if row is None:
        row = TenantModule(module=MODULE, is_enabled=True, settings={})
        session().add(row)
    row.settings = {**(row.settings or {}), "lock_date": lock_date.isoformat() if lock_date else None}
    return row
