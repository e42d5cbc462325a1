"""Builders for accounting tests: stand-in purchase and payment objects, journal readers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import platform_scope, tenant_context


@dataclass
class PurchaseTax:
    """A purchase tax row exactly as the domain event documents it."""

    tax_type: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    is_deductible: bool = True


@dataclass
class Withholding:
    """A purchase withholding row as documented."""

    kind: str
    code: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass
class Purchase:
    """A stand-in purchase document carrying exactly the documented attributes."""

    tenant_id: uuid.UUID
    subtotal: Decimal
    tax_total: Decimal
    withholding_total: Decimal
    total: Decimal
    kind: str = "supplier_invoice"
    supplier_id: uuid.UUID | None = field(default_factory=uuid.uuid4)
    supplier_number: str = "P-001"
    issue_date: date = date(2026, 3, 10)
    currency: str = "EUR"
    expense_account: str | None = None
    taxes: list[PurchaseTax] = field(default_factory=list)
    withholdings: list[Withholding] = field(default_factory=list)
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class Payment:
    """A stand-in payment row (documented attributes)."""

    tenant_id: uuid.UUID
    amount: Decimal
    customer_id: uuid.UUID
    method: str = "bank_transfer"
    paid_on: date = date(2026, 3, 20)
    currency: str = "EUR"
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class Refund:
    """A stand-in refund row (documented attributes)."""

    tenant_id: uuid.UUID
    amount: Decimal
    refunded_on: date = date(2026, 3, 25)
    currency: str = "EUR"
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def entry_lines(tenant: Any, *, source_id: uuid.UUID | None = None, entry_id: uuid.UUID | None = None) -> list[tuple[str, Decimal, Decimal]]:
    """Return (account code, debit, credit) of an entry, by source document or id, in line order."""
    tenant_id = tenant.id
    db.session.expunge_all()
    with tenant_context(tenant_id):
        statement = (select(Account.code, JournalLine.debit, JournalLine.credit)
                     .join(JournalEntry, (JournalEntry.id == JournalLine.entry_id) & (JournalEntry.tenant_id == JournalLine.tenant_id))
                     .join(Account, (Account.id == JournalLine.account_id) & (Account.tenant_id == JournalLine.tenant_id))
                     .order_by(JournalLine.position))
        statement = statement.where(JournalEntry.source_id == source_id) if source_id else statement.where(JournalEntry.id == entry_id)
        rows = [(code, Decimal(debit), Decimal(credit)) for code, debit, credit in db.session.execute(statement)]
    db.session.rollback()
    return rows


def journal_snapshot(tenant_id: uuid.UUID) -> dict[str, Any]:
    """Return every journal row of a tenant (for "nothing changed" checks)."""
    db.session.expunge_all()
    with platform_scope(actor="test", reason="snapshot"):
        snapshot = {
            model.__tablename__: sorted(
                tuple(str(value) for value in row)
                for row in db.session.execute(select(*model.__table__.columns).where(model.tenant_id == tenant_id))
            )
            for model in (JournalEntry, JournalLine, Account)
        }
    db.session.rollback()
    return snapshot


def emit_in_unit_of_work(tenant: Any, event: str, **payload: Any) -> None:
    """Emit a domain event inside a unit of work of the tenant, as the purchases/payments services do."""
    from gestiq_app import domain_events
    from gestiq_app.db import unit_of_work

    with tenant_context(tenant.id), unit_of_work():
        domain_events.emit(event, **payload)
