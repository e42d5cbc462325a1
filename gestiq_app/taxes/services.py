"""Tax catalog use cases: the rate valid on a date (invoice code never hard-codes a rate) and catalog edits.

Edits come from back-office admins only. Periods of one country + tax + category never overlap: the
service checks it under a catalog-wide lock (a transaction-scoped advisory lock on PostgreSQL; SQLite
serializes writers anyway), because no portable constraint expresses "no overlapping date ranges".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError
from sqlalchemy import or_, select, text
from sqlalchemy.exc import IntegrityError

from gestiq_app.audit.services import record_event
from gestiq_app.db import is_unique_violation, session, unit_of_work
from gestiq_app.taxes.exceptions import TaxRateConflictError, TaxRateInvalidError, TaxRateMissingError, TaxRateNotFoundError
from gestiq_app.taxes.models import TaxRate
from gestiq_app.taxes.schemas import TaxRateCreateSchema, TaxRateUpdateSchema
from gestiq_app.tenancy.context import platform_scope
from gestiq_app.tenancy.models import Tenant

#: Key of the advisory lock that serializes catalog edits on PostgreSQL.
CATALOG_LOCK_KEY = 7_301_001
RATE_FIELDS = ("country", "tax_type", "category", "name", "rate", "authority_code", "valid_from", "valid_to")


@dataclass(frozen=True)
class TenantTaxCatalog:
    """The rates of a tenant's country in force on one date."""

    country: str
    date: date
    items: list[TaxRate]


def get_rate(*, country: str, tax_type: str, category: str, on_date: date) -> TaxRate:
    """Return the catalog rate of a category valid on `on_date`, or raise TaxRateNotFoundError."""
    statement = (
        select(TaxRate)
        .where(
            TaxRate.country == country,
            TaxRate.tax_type == tax_type,
            TaxRate.category == category,
            TaxRate.valid_from <= on_date,
            or_(TaxRate.valid_to.is_(None), TaxRate.valid_to >= on_date),
        )
        .order_by(TaxRate.valid_from.desc())
        .limit(1)
    )
    rate = session().scalar(statement)
    if rate is None:
        raise TaxRateNotFoundError(
            f"No hay tipo de {tax_type} «{category}» para {country} en {on_date.isoformat()}",
            errors={"tax_category": [f"Sin tipo impositivo vigente el {on_date.strftime('%d/%m/%Y')}."]},
        )
    return rate


def list_rates(*, country: str | None = None, on_date: date | None = None) -> list[TaxRate]:
    """Return catalog rates, optionally of one country and valid on one date."""
    statement = select(TaxRate).order_by(TaxRate.country, TaxRate.tax_type, TaxRate.category, TaxRate.valid_from)
    if country:
        statement = statement.where(TaxRate.country == country)
    if on_date:
        statement = statement.where(TaxRate.valid_from <= on_date, or_(TaxRate.valid_to.is_(None), TaxRate.valid_to >= on_date))
    return list(session().scalars(statement))


def get_tenant_catalog(*, tenant_id: uuid.UUID, on_date: date | None = None, tax_type: str | None = None) -> TenantTaxCatalog:
    """Return the rates of the tenant's country in force on `on_date` (default: today where the tenant is)."""
    tenant = session().get(Tenant, tenant_id)
    if tenant is None:
        raise TaxRateMissingError("Empresa no encontrada")
    day = on_date or datetime.now(ZoneInfo(tenant.timezone)).date()
    rates = [rate for rate in list_rates(country=tenant.country, on_date=day) if tax_type in (None, rate.tax_type)]
    return TenantTaxCatalog(country=tenant.country, date=day, items=rates)


def list_categories(*, country: str, tax_type: str, in_force_from: date) -> list[str]:
    """Return the categories of a tax of a country that have a rate in force on or after `in_force_from`."""
    statement = (
        select(TaxRate.category)
        .where(TaxRate.country == country, TaxRate.tax_type == tax_type,
               or_(TaxRate.valid_to.is_(None), TaxRate.valid_to >= in_force_from))
        .distinct()
        .order_by(TaxRate.category)
    )
    return list(session().scalars(statement))


def overlaps(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Tell whether two closed date periods (None: open-ended) share at least one day."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def describe_period(start: date, end: date | None) -> str:
    """Describe a period in Spanish: «del 01/01/2000 al 31/03/2024» or «desde el 01/04/2024, sin fin»."""
    if end is None:
        return f"desde el {start.strftime('%d/%m/%Y')}, sin fin"
    return f"del {start.strftime('%d/%m/%Y')} al {end.strftime('%d/%m/%Y')}"


def _load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)  # type: ignore[return-value]
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise TaxRateInvalidError("El tipo impositivo no es válido.", errors=messages) from error  # type: ignore[arg-type]


def _lock_catalog() -> None:
    current = session()
    if current.get_bind().dialect.name == "postgresql":
        current.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CATALOG_LOCK_KEY})


def _check_overlap(values: dict[str, Any], *, tax_rate_id: uuid.UUID | None) -> None:
    statement = select(TaxRate).where(
        TaxRate.country == values["country"], TaxRate.tax_type == values["tax_type"], TaxRate.category == values["category"]
    ).order_by(TaxRate.valid_from)
    for other in session().scalars(statement):
        if other.id != tax_rate_id and overlaps(values["valid_from"], values["valid_to"], other.valid_from, other.valid_to):
            period = describe_period(other.valid_from, other.valid_to)
            raise TaxRateConflictError(
                f"El periodo se solapa con «{other.name}» ({period}).",
                errors={"valid_from": [f"Se solapa con «{other.name}» ({period}): cierre antes ese periodo."]},
            )


def check_tax_rate(*, data: dict[str, Any], tax_rate_id: uuid.UUID | None = None) -> dict[str, Any]:
    """Check a catalog entry (fields, then overlaps) without writing; return the normalized values."""
    values = _load(TaxRateCreateSchema() if tax_rate_id is None else TaxRateUpdateSchema(), data)
    with session().no_autoflush:  # an edit form may have changed the row in place: never write it from here
        _check_overlap(values, tax_rate_id=tax_rate_id)
    return values


def _save(rate: TaxRate, values: dict[str, Any], *, tax_rate_id: uuid.UUID | None) -> None:
    _lock_catalog()
    _check_overlap(values, tax_rate_id=tax_rate_id)
    for name in RATE_FIELDS:
        setattr(rate, name, values[name])
    session().add(rate)
    try:
        session().flush()
    except IntegrityError as error:
        if is_unique_violation(error, "tax_rates", "country", "tax_type", "category", "valid_from"):
            raise TaxRateConflictError("Ya hay un tipo de esa categoría que empieza ese día.",
                                       errors={"valid_from": ["Ya hay un tipo de esa categoría que empieza ese día."]}) from error
        raise


def create_tax_rate(*, data: dict[str, Any], actor: str) -> TaxRate:
    """Add a rate to the catalog (its period may not overlap another of the same country, tax and category)."""
    values = _load(TaxRateCreateSchema(), data)
    with platform_scope(actor=actor, reason="tax catalog edit"), unit_of_work():
        rate = TaxRate()
        _save(rate, values, tax_rate_id=None)
        record_event(actor=actor, action="tax_rate.created", entity="tax_rate", entity_id=rate.id, changes=values)
    return rate


def update_tax_rate(*, tax_rate_id: uuid.UUID, data: dict[str, Any], actor: str) -> TaxRate:
    """Change a catalog rate (same overlap rule as when adding one)."""
    values = _load(TaxRateUpdateSchema(), data)
    with platform_scope(actor=actor, reason="tax catalog edit"), unit_of_work() as current:
        rate = current.get(TaxRate, tax_rate_id)
        if rate is None:
            raise TaxRateMissingError("No existe ese tipo impositivo.")
        before = {name: getattr(rate, name) for name in RATE_FIELDS}
        _save(rate, values, tax_rate_id=tax_rate_id)
        changes = {name: [before[name], values[name]] for name in RATE_FIELDS if before[name] != values[name]}
        record_event(actor=actor, action="tax_rate.updated", entity="tax_rate", entity_id=rate.id, changes=changes)
    return rate
