"""Numbering series: default series per kind, and the gapless next number taken under a row lock.

Numbers are taken inside the issuing transaction with `SELECT … FOR UPDATE` on the series row, so
concurrent issues of one series queue on that row; a rolled-back issue gives its number back (no gap),
and `UNIQUE (tenant_id, series_id, year, number)` on documents is the last line of defence.
Within a series, issue dates may not go backwards (Spanish correlative numbering), which also makes a
yearly series' restart at 1 safe: a year once left is never numbered again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app.db import session
from gestiq_app.sales.exceptions import DocumentInvalidError, SeriesInvalidError, SeriesNotFoundError
from gestiq_app.sales.models import DocumentSeries
from gestiq_app.tenancy.context import current_tenant_id

#: Series created when a tenant issues its first document of a kind. Ecuador numbers with the SRI's
#: establecimiento-punto de emisión prefix and nine digits, per document type.
DEFAULT_SERIES: dict[str, dict[str, dict[str, Any]]] = {
    "ES": {
        "invoice": {"prefix": "F", "name": "Facturas", "is_yearly_reset": True, "number_width": 5},
        "credit_note": {"prefix": "R", "name": "Facturas rectificativas", "is_yearly_reset": True, "number_width": 5},
        "quote": {"prefix": "P", "name": "Presupuestos", "is_yearly_reset": True, "number_width": 5},
    },
    "EC": {
        "invoice": {"prefix": "001-001-", "name": "Facturas 001-001", "is_yearly_reset": False, "number_width": 9},
        "credit_note": {"prefix": "001-001-", "name": "Notas de crédito 001-001", "is_yearly_reset": False, "number_width": 9},
        "quote": {"prefix": "P", "name": "Proformas", "is_yearly_reset": True, "number_width": 5},
    },
}
KIND_LABELS = {"invoice": "facturas", "credit_note": "rectificativas", "quote": "presupuestos"}


@dataclass(frozen=True)
class TakenNumber:
    """A number taken from a series."""

    year: int
    number: int
    full_number: str


def format_number(*, prefix: str, is_yearly_reset: bool, number_width: int, year: int, number: int) -> str:
    """Return the printed number: F2026-00001 for yearly series, 001-001-000000001 otherwise."""
    digits = str(number).zfill(number_width)
    return f"{prefix}{year}-{digits}" if is_yearly_reset else f"{prefix}{digits}"


def _oldest_active_series(kind: str) -> DocumentSeries | None:
    statement = (
        select(DocumentSeries)
        .where(DocumentSeries.kind == kind, DocumentSeries.is_active.is_(True))
        .order_by(DocumentSeries.created_at, DocumentSeries.id)
        .limit(1)
    )
    return session().scalar(statement)


def ensure_default_series(*, kind: str, country: str) -> DocumentSeries:
    """Return the kind's default series (its oldest active one), creating the standard one when none exists."""
    series = _oldest_active_series(kind)
    if series is not None:
        return series
    values = {**DEFAULT_SERIES[country][kind], "kind": kind, "tenant_id": current_tenant_id(), "id": uuid.uuid4()}
    insert = postgresql_insert if session().get_bind().dialect.name == "postgresql" else sqlite_insert
    # Two first issues may race to create it: the unique key decides, the loser reads the winner's row.
    session().execute(insert(DocumentSeries).values(**values).on_conflict_do_nothing(index_elements=["tenant_id", "kind", "prefix"]))
    series = _oldest_active_series(kind)
    if series is None:
        raise SeriesInvalidError(
            f"No hay ninguna serie activa de {KIND_LABELS[kind]}",
            errors={"series_id": [f"Active o cree una serie de {KIND_LABELS[kind]}."]},
        )
    return series


def resolve_series(*, kind: str, country: str, series_id: uuid.UUID | None) -> DocumentSeries:
    """Return the series a new document uses: the one asked for (same kind, active) or the default."""
    if series_id is None:
        return ensure_default_series(kind=kind, country=country)
    series = session().get(DocumentSeries, series_id)
    if series is None or series.kind != kind or not series.is_active:
        raise DocumentInvalidError(
            "Serie no válida",
            errors={"series_id": [f"Elija una serie activa de {KIND_LABELS[kind]}."]},
        )
    return series


def take_next_number(*, series_id: uuid.UUID, issue_date: date) -> TakenNumber:
    """Lock the series row and take its next number for a document dated `issue_date`."""
    statement = (
        select(DocumentSeries)
        .where(DocumentSeries.id == series_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    series = session().scalar(statement)
    if series is None:
        raise SeriesNotFoundError("Serie no encontrada")
    if not series.is_active:
        raise DocumentInvalidError("La serie está desactivada", errors={"series_id": ["Elija una serie activa."]})
    if series.last_issue_date is not None and issue_date < series.last_issue_date:
        raise DocumentInvalidError(
            "La fecha es anterior a la del último documento de la serie",
            errors={"issue_date": [f"No puede ser anterior al {series.last_issue_date.strftime('%d/%m/%Y')} en la serie {series.prefix}."]},
        )
    year = issue_date.year
    if series.is_yearly_reset and series.current_year is not None and year > series.current_year:
        series.next_number = 1
    number = series.next_number
    series.next_number = number + 1
    series.current_year = year
    series.last_issue_date = issue_date
    full_number = format_number(prefix=series.prefix, is_yearly_reset=series.is_yearly_reset,
                                number_width=series.number_width, year=year, number=number)
    return TakenNumber(year=year, number=number, full_number=full_number)
