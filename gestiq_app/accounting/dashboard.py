"""The tenant dashboard: sales this month vs last, receivables, top customers, 12 months of sales and purchases.

Every figure is one SQL aggregate (the monthly series are one query each, a SUM(CASE …) per month).
Sales are net bases (invoices minus credit notes, taxes excluded); purchases are the net bases (subtotal) of the
recorded purchase documents (supplier invoices and expenses) by issue date.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from gestiq_app.accounting.reports import money
from gestiq_app.db import session

MONTHS = 12
TOP_CUSTOMERS = 5


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """Return the first day of the last `count` months, oldest first, ending with today's month."""
    starts = []
    year, month = today.year, today.month
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _next_month(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def _monthly(amount: Any, day: Any, starts: list[date]) -> list[Any]:
    return [func.sum(case((and_(day >= start, day < _next_month(start)), amount), else_=literal(0))) for start in starts]


def _sales_documents() -> tuple[Any, Any]:
    from gestiq_app.sales.models import SalesDocument as D

    sign = case((D.kind == "credit_note", -1), else_=1)
    return D, sign


def get_dashboard(*, tenant_id: uuid.UUID, today: date) -> dict[str, Any]:
    """Return the dashboard figures as of `today` (the tenant's local date)."""
    from gestiq_app.sales.queries import overdue_condition
    from gestiq_app.tenancy.models import Tenant

    D, sign = _sales_documents()
    starts = month_starts(today)
    first, end = starts[0], _next_month(starts[-1])
    issued = and_(D.kind.in_(("invoice", "credit_note")), D.state != "draft", D.issue_date >= first, D.issue_date < end)
    sales_row = session().execute(select(*_monthly(sign * D.subtotal, D.issue_date, starts)).select_from(D).where(issued)).one()
    from gestiq_app.purchases.models import PurchaseDocument as P

    purchases_row = session().execute(
        select(*_monthly(P.subtotal, P.issue_date, starts)).select_from(P)
        .where(P.state != "draft", P.issue_date >= first, P.issue_date < end)).one()
    sales, purchases = [money(value) for value in sales_row], [money(value) for value in purchases_row]
    unpaid = and_(D.kind == "invoice", D.state.in_(("issued", "partially_paid")), D.amount_due > 0)
    outstanding, overdue, overdue_count = session().execute(
        select(func.sum(D.amount_due), func.sum(case((overdue_condition(today), D.amount_due), else_=literal(0))),
               func.sum(case((overdue_condition(today), 1), else_=0))).select_from(D).where(unpaid)).one()
    net = func.sum(sign * D.subtotal)
    top = session().execute(select(D.customer_id, func.max(D.customer_name), net).where(issued).group_by(D.customer_id)
                            .order_by(net.desc(), D.customer_id).limit(TOP_CUSTOMERS)).all()
    this_month, last_month = sales[-1], sales[-2]
    change = ((this_month - last_month) / last_month * 100).quantize(Decimal("0.1")) if last_month else None
    currency = session().scalar(select(Tenant.currency).where(Tenant.id == tenant_id))
    return {
        "currency": currency, "today": today,
        "sales_this_month": this_month, "sales_last_month": last_month, "sales_change_percent": change,
        "receivables_outstanding": money(outstanding), "receivables_overdue": money(overdue),
        "overdue_invoices": int(overdue_count or 0),
        "top_customers": [{"customer_id": customer_id, "name": name, "sales": money(amount)} for customer_id, name, amount in top],
        "monthly": [{"month": start.strftime("%Y-%m"), "sales": sale, "purchases": purchase}
                    for start, sale, purchase in zip(starts, sales, purchases)],
    }
