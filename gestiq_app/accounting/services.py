"""Accounting use cases: the chart (list, add sub-accounts), manual entries, reversals and the lock date."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from gestiq_app.accounting.chart import ensure_chart
from gestiq_app.accounting.exceptions import (
    AccountConflictError,
    AccountInvalidError,
    AccountNotFoundError,
    EntryConflictError,
    EntryNotFoundError,
)
from gestiq_app.accounting.journal import LineDraft, post_entry
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.accounting.settings import AccountingSettings, get_accounting_settings, store_lock_date
from gestiq_app.audit.services import record_event
from gestiq_app.db import is_unique_violation, session, unit_of_work
from gestiq_app.tenancy.context import tenant_context


def load_chart(*, tenant_id: uuid.UUID, country: str) -> int:
    """Load the country chart into a tenant (provisioning, migrations of old tenants); return accounts added."""
    with tenant_context(tenant_id), unit_of_work():
        return ensure_chart(tenant_id=tenant_id, country=country)


def list_accounts(*, tenant_id: uuid.UUID) -> list[Account]:
    """Return the tenant's chart ordered by code (a tenant older than accounting gets it on its first posting)."""
    return list(session().scalars(select(Account).order_by(Account.code)))


def get_account(*, tenant_id: uuid.UUID, account_id: uuid.UUID) -> Account:
    """Return one account of the tenant or raise AccountNotFoundError."""
    account = session().scalar(select(Account).where(Account.id == account_id))
    if account is None:
        raise AccountNotFoundError("Cuenta no encontrada")
    return account


def create_account(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Account:
    """Add a sub-account under an account of the chart: same type, code starting with the parent's code."""
    settings = get_accounting_settings(tenant_id=tenant_id)
    with unit_of_work() as current:
        ensure_chart(tenant_id=tenant_id, country=settings.country)
        parent = current.scalar(select(Account).where(Account.code == data["parent_code"]))
        if parent is None:
            raise AccountInvalidError("Cuenta padre desconocida", errors={"parent_code": ["No existe esa cuenta en el plan."]})
        code = data["code"]
        if not code.startswith(parent.code) or code == parent.code:
            raise AccountInvalidError("Código no válido", errors={"code": [f"Debe empezar por {parent.code} y ser más largo."]})
        account = Account(code=code, name=data["name"].strip(), type=parent.type, parent_id=parent.id, is_postable=True,
                          is_system=False)
        current.add(account)
        try:
            current.flush()
        except IntegrityError as error:
            if is_unique_violation(error, "accounts", "tenant_id", "code"):
                raise AccountConflictError("Ya existe una cuenta con ese código", errors={"code": ["Código en uso."]}) from error
            raise
        record_event(actor=actor, action="account.created", entity="account", entity_id=account.id,
                     changes={"code": code, "name": account.name, "parent": parent.code})
    return account


def _entry_query() -> Select:
    return select(JournalEntry)


def list_entries_query(*, filters: dict[str, Any]) -> Select:
    """Return the list query of entries (filters: date range, source type, account)."""
    statement = _entry_query()
    if filters.get("date_from"):
        statement = statement.where(JournalEntry.entry_date >= filters["date_from"])
    if filters.get("date_to"):
        statement = statement.where(JournalEntry.entry_date <= filters["date_to"])
    if filters.get("source_type"):
        statement = statement.where(JournalEntry.source_type == filters["source_type"])
    if filters.get("account_id"):
        statement = statement.where(JournalEntry.id.in_(select(JournalLine.entry_id).where(JournalLine.account_id == filters["account_id"])))
    return statement


def get_entry(*, tenant_id: uuid.UUID, entry_id: uuid.UUID) -> JournalEntry:
    """Return one entry with its lines or raise EntryNotFoundError."""
    entry = session().scalar(select(JournalEntry).where(JournalEntry.id == entry_id))
    if entry is None:
        raise EntryNotFoundError("Asiento no encontrado")
    return entry


def _manual_drafts(lines: list[dict[str, Any]]) -> list[LineDraft]:
    return [LineDraft(amount=line["debit"] - line["credit"], account_id=line.get("account_id"), account_code=line.get("account_code"),
                      party_id=line.get("party_id"), description=line.get("description")) for line in lines]


def create_manual_entry(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> JournalEntry:
    """Post a manual entry (opening balances, payroll, adjustments): balanced, in an open period."""
    with unit_of_work():
        entry = post_entry(tenant_id=tenant_id, entry_date=data["entry_date"], description=data["description"],
                           lines=_manual_drafts(data["lines"]), actor=actor, reference=data.get("reference"))
        record_event(actor=actor, action="journal_entry.created", entity="journal_entry", entity_id=entry.id,
                     changes={"entry_date": entry.entry_date, "description": entry.description})
    return entry


def reverse_entry(*, tenant_id: uuid.UUID, entry_id: uuid.UUID, entry_date: date | None, actor: str) -> JournalEntry:
    """Post the mirror image of an entry (debits become credits) on `entry_date` (default: the entry's date)."""
    with unit_of_work():
        original = get_entry(tenant_id=tenant_id, entry_id=entry_id)
        if original.reversal_of_id is not None:
            raise EntryConflictError("Un asiento de anulación no se puede anular; registre un asiento nuevo")
        if original.source_type is not None:
            # The document is the truth: its entry changes with it (credit note, refund), never on its own.
            raise EntryConflictError("Este asiento procede de un documento: corríjalo con el documento "
                                     "(factura rectificativa, devolución)")
        drafts = [LineDraft(amount=line.credit - line.debit, account_id=line.account_id, party_id=line.party_id,
                            description=line.description) for line in original.lines]
        reversal = post_entry(tenant_id=tenant_id, entry_date=entry_date or original.entry_date,
                              description=f"Anulación: {original.description}"[:300], lines=drafts, actor=actor,
                              reference=original.reference, reversal_of_id=original.id)
        record_event(actor=actor, action="journal_entry.reversed", entity="journal_entry", entity_id=original.id,
                     changes={"reversal_id": reversal.id, "entry_date": reversal.entry_date})
    return reversal


def get_settings(*, tenant_id: uuid.UUID) -> AccountingSettings:
    """Return the tenant's accounting settings."""
    return get_accounting_settings(tenant_id=tenant_id)


def set_lock_date(*, tenant_id: uuid.UUID, lock_date: date | None, actor: str) -> AccountingSettings:
    """Close the books up to `lock_date` (None reopens them); audited."""
    with unit_of_work():
        previous = get_accounting_settings(tenant_id=tenant_id, lock="update").lock_date
        store_lock_date(lock_date)
        record_event(actor=actor, action="accounting.lock_date_changed", entity="tenant_module", entity_id=None,
                     changes={"lock_date": [previous, lock_date]})
    return get_accounting_settings(tenant_id=tenant_id)
