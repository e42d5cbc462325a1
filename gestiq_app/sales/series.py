"""Use cases of numbering series: list, read, create and change them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gestiq_app.audit.services import record_event
from gestiq_app.db import is_unique_violation, session, unit_of_work
from gestiq_app.sales.exceptions import SeriesConflictError, SeriesNotFoundError
from gestiq_app.sales.models import DocumentSeries

#: Fields that shape the numbers already given: frozen once the series has numbered a document.
NUMBERING_FIELDS = ("prefix", "is_yearly_reset", "number_width", "next_number")
PREFIX_TAKEN = {"prefix": ["Ya existe una serie de este tipo con ese prefijo."]}


def _flush_refusing_taken_prefix(current: Session) -> None:
    try:
        current.flush()
    except IntegrityError as error:
        if is_unique_violation(error, "document_series", "tenant_id", "kind", "prefix"):
            raise SeriesConflictError("El prefijo ya está en uso", errors=PREFIX_TAKEN) from error
        raise


def list_series_query(*, tenant_id: uuid.UUID, kind: str | None = None) -> Select:
    """Return the query listing the tenant's series, optionally of one kind."""
    statement = select(DocumentSeries)
    if kind:
        statement = statement.where(DocumentSeries.kind == kind)
    return statement


def get_series(*, tenant_id: uuid.UUID, series_id: uuid.UUID) -> DocumentSeries:
    """Return one series or raise SeriesNotFoundError."""
    series = session().get(DocumentSeries, series_id)
    if series is None:
        raise SeriesNotFoundError("Serie no encontrada")
    return series


def create_series(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> DocumentSeries:
    """Create a numbering series (409 when the kind already has that prefix)."""
    with unit_of_work() as current:
        series = DocumentSeries(**data)
        current.add(series)
        _flush_refusing_taken_prefix(current)
        record_event(actor=actor, action="series.created", entity="document_series", entity_id=series.id,
                     changes={key: data[key] for key in sorted(data)})
    return series


def update_series(*, tenant_id: uuid.UUID, series_id: uuid.UUID, data: dict[str, Any], actor: str) -> DocumentSeries:
    """Rename, (de)activate or renumber a series; numbering fields are frozen once it has numbered a document."""
    with unit_of_work() as current:
        statement = (
            select(DocumentSeries).where(DocumentSeries.id == series_id)
            .with_for_update().execution_options(populate_existing=True)
        )
        series = current.scalar(statement)
        if series is None:
            raise SeriesNotFoundError("Serie no encontrada")
        changes = {key: [getattr(series, key), value] for key, value in data.items() if getattr(series, key) != value}
        frozen = sorted(key for key in changes if key in NUMBERING_FIELDS)
        if frozen and series.last_issue_date is not None:
            raise SeriesConflictError(
                "La serie ya ha numerado documentos: no se puede cambiar su numeración",
                errors={key: ["No se puede cambiar en una serie con documentos numerados."] for key in frozen},
            )
        for key, value in data.items():
            setattr(series, key, value)
        _flush_refusing_taken_prefix(current)
        if changes:
            record_event(actor=actor, action="series.updated", entity="document_series", entity_id=series.id, changes=changes)
    return series
