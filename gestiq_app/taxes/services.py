"""Tax catalog queries: the rate valid on a date (invoice code never hard-codes a rate)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from gestiq_app.db import session
from gestiq_app.taxes.exceptions import TaxRateNotFoundError
from gestiq_app.taxes.models import TaxRate


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
