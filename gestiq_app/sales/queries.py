"""List queries of sales documents: lean column selects (no ORM objects, no joins) with filters.

The list reads the customer name and tax id snapshotted on each document instead of joining customers:
an issued invoice must show the customer as invoiced, and a list without joins is also the fastest.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, not_, or_, select

from gestiq_app.db import contains_pattern
from gestiq_app.sales.models import SalesDocument

D = SalesDocument
LIST_COLUMNS = (
    D.id, D.kind, D.full_number, D.customer_id, D.customer_name, D.customer_tax_id, D.issue_date, D.due_date,
    D.currency, D.subtotal, D.total, D.amount_due, D.rectified_document_id,
)
SORTABLE = {
    "issue_date": D.issue_date, "due_date": D.due_date, "number": D.full_number, "total": D.total,
    "customer_name": D.customer_name, "created_at": D.created_at,
}
DEFAULT_SORT = "-issue_date"
#: Every filter list_documents_query reads (none set: the API reuses a prebuilt statement; keep the two in step).
FILTER_ARGUMENTS = ("status", "customer_id", "issue_date_from", "issue_date_to", "rectified_document_id", "q")
CENT = Decimal("0.01")


def overdue_condition(today: date) -> ColumnElement[bool]:
    """Return the SQL test for an unpaid invoice past its due date (the same rule as SalesDocument.status_on)."""
    return and_(D.kind == "invoice", D.state.in_(("issued", "partially_paid")), D.due_date.is_not(None),
                D.due_date < today, D.amount_due > 0)


def status_expression(today: date) -> ColumnElement[str]:
    """Return the shown status: the stored state, or overdue."""
    return case((overdue_condition(today), "overdue"), else_=D.state)


def _status_condition(status: str, today: date) -> ColumnElement[bool]:
    if status == "overdue":
        return overdue_condition(today)
    if status in ("issued", "partially_paid"):
        return and_(D.state == status, not_(overdue_condition(today)))
    return D.state == status


def list_documents_query(*, tenant_id: uuid.UUID, kinds: Sequence[str], filters: dict[str, Any], today: date) -> Select:
    """Return the list query of documents of `kinds` with the status, customer, date and text filters applied."""
    statement = select(*LIST_COLUMNS, status_expression(today).label("status")).where(D.kind.in_(kinds))
    if filters.get("status"):
        statement = statement.where(or_(*(_status_condition(status, today) for status in filters["status"])))
    if filters.get("customer_id"):
        statement = statement.where(D.customer_id == filters["customer_id"])
    if filters.get("issue_date_from"):
        statement = statement.where(D.issue_date >= filters["issue_date_from"])
    if filters.get("issue_date_to"):
        statement = statement.where(D.issue_date <= filters["issue_date_to"])
    if filters.get("rectified_document_id"):
        statement = statement.where(D.rectified_document_id == filters["rectified_document_id"])
    if filters.get("q"):
        pattern = contains_pattern(filters["q"].strip())
        statement = statement.where(or_(D.full_number.ilike(pattern, escape="\\"), D.customer_name.ilike(pattern, escape="\\"),
                                        D.notes.ilike(pattern, escape="\\")))
    return statement


def dump_list_row(row: Any) -> dict[str, Any]:
    """Serialize a list row exactly as schemas.DocumentListItemSchema does, several times faster (pages of 200 rows)."""
    return {
        "id": str(row.id),
        "kind": row.kind,
        "status": row.status,
        "full_number": row.full_number,
        "customer_id": str(row.customer_id),
        "customer_name": row.customer_name,
        "customer_tax_id": row.customer_tax_id,
        "issue_date": row.issue_date.isoformat(),
        "due_date": row.due_date.isoformat() if row.due_date is not None else None,
        "currency": row.currency,
        "subtotal": _money(row.subtotal),
        "total": _money(row.total),
        "amount_due": _money(row.amount_due),
        "rectified_document_id": str(row.rectified_document_id) if row.rectified_document_id is not None else None,
    }


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
