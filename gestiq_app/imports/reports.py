"""The errors report: invalid rows with their source cells and messages, as a CSV to fix and upload again."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator

from sqlalchemy import select

from gestiq_app.db import session
from gestiq_app.imports.models import ImportItem
from gestiq_app.imports.services import _get
from gestiq_app.tenancy.context import tenant_context

#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection): prefix it with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
PAGE = 1000
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*%?$")


def safe_cell(value: object) -> str:
    """Return a cell's text, neutralized if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if _PLAIN_NUMBER.match(text):
        return text  # -3,00 is a number, not a formula
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def format_errors(errors: dict) -> str:
    """Return «field: message; …» for one item."""
    parts = []
    for field, entries in (errors or {}).items():
        for entry in entries:
            message = entry.get("message") if isinstance(entry, dict) else str(entry)
            parts.append(f"{field}: {message}")
    return "; ".join(parts)


def iter_errors_csv(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> Iterator[str]:
    """Yield the report (UTF-8 with BOM, `;`-separated as Spanish spreadsheets expect) a page of items at a time."""
    with tenant_context(tenant_id):
        batch = _get(batch_id)
        headers = list(batch.headers or [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["fila", *(safe_cell(header) for header in headers), "errores"])
    yield "\ufeff" + buffer.getvalue()
    last = -1
    while True:
        with tenant_context(tenant_id):
            items = session().execute(
                select(ImportItem.row_number, ImportItem.raw, ImportItem.errors)
                .where(ImportItem.batch_id == batch_id, ImportItem.status.in_(("invalid", "needs_review")), ImportItem.row_number > last)
                .order_by(ImportItem.row_number).limit(PAGE)).all()
            session().rollback()
        if not items:
            return
        buffer.seek(0)
        buffer.truncate()
        for row_number, raw, errors in items:
            writer.writerow([row_number, *(safe_cell((raw or {}).get(header, "")) for header in headers), safe_cell(format_errors(errors))])
        yield buffer.getvalue()
        last = items[-1][0]
