"""Accounting reports computed with SQL aggregates over the journal and the documents' tax breakdowns.

Every query runs in the caller's tenant context (ORM guard + PostgreSQL RLS): a tenant's report can only
ever see its own entries. Amounts come back as Decimal with cents (SQLite sums are re-quantized).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select

from gestiq_app.accounting.exceptions import AccountNotFoundError, ReportInvalidError
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.accounting.settings import get_accounting_settings
from gestiq_app.db import session

CENT = Decimal("0.01")
A, E, L = Account, JournalEntry, JournalLine
#: Aging buckets: (key, label, days past due from, to) — None = open-ended.
BUCKETS = (("current", "No vencido", None, 0), ("days_1_30", "1–30 días", 1, 30), ("days_31_60", "31–60 días", 31, 60),
           ("days_61_90", "61–90 días", 61, 90), ("days_over_90", "Más de 90 días", 91, None))
INVOICE_KINDS = ("invoice", "credit_note")


def money(value: Any) -> Decimal:
    """Return a database sum as a Decimal with cents (SQLite sums numerics as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def _check_range(date_from: date | None, date_to: date) -> None:
    if date_from is not None and date_from > date_to:
        raise ReportInvalidError("Fechas no válidas", errors={"date_from": ["Debe ser anterior o igual a date_to."]})


def _lines_joined(*columns: Any) -> Select:
    return (select(*columns).select_from(L)
            .join(E, and_(E.id == L.entry_id, E.tenant_id == L.tenant_id))
            .join(A, and_(A.id == L.account_id, A.tenant_id == L.tenant_id))
            .where(E.is_posted.is_(True)))


def _in_period(statement: Select, date_from: date | None, date_to: date) -> Select:
    statement = statement.where(E.entry_date <= date_to)
    return statement.where(E.entry_date >= date_from) if date_from is not None else statement


def account_movements(date_from: date | None, date_to: date) -> list[dict[str, Any]]:
    """Return debit and credit totals per account moved in the period, ordered by code."""
    statement = _in_period(_lines_joined(A.code, A.name, A.type, func.sum(L.debit), func.sum(L.credit)), date_from, date_to)
    rows = session().execute(statement.group_by(A.code, A.name, A.type).order_by(A.code)).all()
    return [{"code": code, "name": name, "type": type_, "debit": money(debit), "credit": money(credit_),
             "balance": money(debit) - money(credit_)} for code, name, type_, debit, credit_ in rows]


def _header(tenant_id: uuid.UUID, **dates: date | None) -> dict[str, Any]:
    settings = get_accounting_settings(tenant_id=tenant_id)
    return {"country": settings.country, "currency": settings.currency, **dates}


def trial_balance(*, tenant_id: uuid.UUID, date_from: date | None, date_to: date) -> dict[str, Any]:
    """Return the sums and balances of every account moved in the period (balanced when debits equal credits)."""
    _check_range(date_from, date_to)
    accounts = account_movements(date_from, date_to)
    total_debit = sum((row["debit"] for row in accounts), Decimal("0.00"))
    total_credit = sum((row["credit"] for row in accounts), Decimal("0.00"))
    return {**_header(tenant_id, date_from=date_from, date_to=date_to), "accounts": accounts, "total_debit": total_debit,
            "total_credit": total_credit, "is_balanced": total_debit == total_credit}


def general_ledger(*, tenant_id: uuid.UUID, account_code: str, date_from: date | None, date_to: date) -> dict[str, Any]:
    """Return an account's opening balance and its lines in the period with the running balance (a window sum)."""
    _check_range(date_from, date_to)
    account = session().scalar(select(A).where(A.code == account_code))
    if account is None:
        raise AccountNotFoundError("Cuenta no encontrada", errors={"account_code": ["No existe esa cuenta en el plan."]})
    opening = Decimal("0.00")
    if date_from is not None:
        opening = money(session().scalar(_lines_joined(func.sum(L.debit - L.credit)).where(L.account_id == account.id,
                                                                                            E.entry_date < date_from)))
    order = (E.entry_date, E.created_at, E.id, L.position)
    running = func.sum(L.debit - L.credit).over(order_by=order, rows=(None, 0))
    statement = _in_period(_lines_joined(E.id, E.entry_date, E.description, E.reference, L.description, L.party_id, L.debit,
                                         L.credit, running), date_from, date_to)
    rows = session().execute(statement.where(L.account_id == account.id).order_by(*order)).all()
    lines = [{"entry_id": entry_id, "entry_date": entry_date, "description": description, "reference": reference,
              "line_description": line_description, "party_id": party_id, "debit": money(debit), "credit": money(credit_),
              "balance": opening + money(balance)}
             for entry_id, entry_date, description, reference, line_description, party_id, debit, credit_, balance in rows]
    closing = lines[-1]["balance"] if lines else opening
    return {**_header(tenant_id, date_from=date_from, date_to=date_to), "account": {"code": account.code, "name": account.name,
            "type": account.type}, "opening_balance": opening, "lines": lines, "closing_balance": closing}


def profit_and_loss(*, tenant_id: uuid.UUID, date_from: date | None, date_to: date) -> dict[str, Any]:
    """Return income and expense accounts of the period and the result (income − expenses)."""
    _check_range(date_from, date_to)
    movements = account_movements(date_from, date_to)
    income = [{**row, "amount": -row["balance"]} for row in movements if row["type"] == "income"]
    expenses = [{**row, "amount": row["balance"]} for row in movements if row["type"] == "expense"]
    total_income = sum((row["amount"] for row in income), Decimal("0.00"))
    total_expenses = sum((row["amount"] for row in expenses), Decimal("0.00"))
    return {**_header(tenant_id, date_from=date_from, date_to=date_to), "income": income, "expenses": expenses,
            "total_income": total_income, "total_expenses": total_expenses, "result": total_income - total_expenses}


def balance_sheet(*, tenant_id: uuid.UUID, as_of: date) -> dict[str, Any]:
    """Return assets, liabilities and equity at a date; the unclosed result of income and expenses joins equity."""
    movements = account_movements(None, as_of)
    sections: dict[str, list[dict[str, Any]]] = {"asset": [], "liability": [], "equity": []}
    result = Decimal("0.00")
    for row in movements:
        if row["type"] == "asset":
            sections["asset"].append({**row, "amount": row["balance"]})
        elif row["type"] in ("liability", "equity"):
            sections[row["type"]].append({**row, "amount": -row["balance"]})
        else:
            result -= row["balance"]
    total = {key: sum((row["amount"] for row in rows), Decimal("0.00")) for key, rows in sections.items()}
    liabilities_and_equity = total["liability"] + total["equity"] + result
    return {**_header(tenant_id, as_of=as_of), "assets": sections["asset"], "liabilities": sections["liability"],
            "equity": sections["equity"], "result_of_the_period": result, "total_assets": total["asset"],
            "total_liabilities": total["liability"], "total_equity": total["equity"] + result,
            "total_liabilities_and_equity": liabilities_and_equity, "is_balanced": total["asset"] == liabilities_and_equity}


def _bucket_sums(amount: Any, reference_date: Any, as_of: date) -> list[Any]:
    """Return one SUM(CASE …) per aging bucket of `amount` by how many days `reference_date` is before `as_of`."""
    sums = []
    for key, _label, days_from, days_to in BUCKETS:
        conditions = []
        if days_from is not None:
            conditions.append(reference_date <= as_of - timedelta(days=days_from))
        if days_to is not None:
            conditions.append(reference_date >= as_of - timedelta(days=days_to))
        sums.append(func.sum(case((and_(*conditions), amount), else_=literal(0))).label(key))
    return sums


def _aged(rows: list[Any], tenant_id: uuid.UUID, as_of: date) -> dict[str, Any]:
    parties = []
    for row in rows:
        buckets = {key: money(getattr(row, key)) for key, *_ in BUCKETS}
        total = sum(buckets.values(), Decimal("0.00"))
        if total != 0:
            parties.append({"party_id": row.party_id, "name": row.name or "", **buckets, "total": total})
    totals = {key: sum((party[key] for party in parties), Decimal("0.00")) for key, *_ in BUCKETS}
    return {**_header(tenant_id, as_of=as_of), "parties": parties, **totals,
            "total": sum(totals.values(), Decimal("0.00"))}


def aged_receivables(*, tenant_id: uuid.UUID, as_of: date) -> dict[str, Any]:
    """Return what each customer owes on unpaid invoices (amount_due), by days past the due date."""
    from gestiq_app.sales.models import SalesDocument as D

    due = func.coalesce(D.due_date, D.issue_date)
    statement = (select(D.customer_id.label("party_id"), func.max(D.customer_name).label("name"), *_bucket_sums(D.amount_due, due, as_of))
                 .where(D.kind == "invoice", D.state.in_(("issued", "partially_paid")), D.amount_due > 0, D.issue_date <= as_of)
                 .group_by(D.customer_id).order_by(func.max(D.customer_name)))
    return _aged(session().execute(statement).all(), tenant_id, as_of)


def aged_payables(*, tenant_id: uuid.UUID, as_of: date) -> dict[str, Any]:
    """Return what is owed to each supplier on recorded purchase documents (amount_due), by days past the due date.

    `amount_due` is what the supplier is owed: total − withholdings − payments (supplier invoices and expenses not
    paid yet); a document without a due date ages from its issue date. Supplier payments post 400/410 debits, so the
    total equals the journal's payable balance.
    """
    from gestiq_app.purchases.models import PurchaseDocument as P

    due = func.coalesce(P.due_date, P.issue_date)
    statement = (select(P.supplier_id.label("party_id"), func.max(P.supplier_name).label("name"), *_bucket_sums(P.amount_due, due, as_of))
                 .where(P.state.in_(("recorded", "partially_paid")), P.amount_due > 0, P.issue_date <= as_of)
                 .group_by(P.supplier_id).order_by(func.max(P.supplier_name)))
    return _aged(session().execute(statement).all(), tenant_id, as_of)
