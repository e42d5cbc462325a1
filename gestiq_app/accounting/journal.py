"""Posting a journal entry inside the caller's transaction: the one path every entry takes.

`post_entry` checks the lock date and double entry, adds the entry with its lines, flushes, then flags it
posted (on SQLite the database checks the balance on that update; on PostgreSQL a constraint trigger checks
it at commit). It never commits: the caller's unit of work does, together with the document that posted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gestiq_app.accounting.chart import ROLE_CODES, TEMPLATES, ensure_chart
from gestiq_app.accounting.exceptions import EntryConflictError, EntryInvalidError, PeriodLockedError
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.accounting.settings import AccountingSettings, get_accounting_settings
from gestiq_app.db import is_unique_violation, session

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class LineDraft:
    """One line to post: an account (by id, code or posting role) and a signed amount (positive = debit)."""

    amount: Decimal
    account_id: uuid.UUID | None = None
    account_code: str | None = None
    role: str | None = None
    party_id: uuid.UUID | None = None
    description: str | None = None
    tax_rate: Decimal | None = None
    tax_base: Decimal | None = None


def debit(role: str, amount: Decimal, **extra: object) -> LineDraft:
    """Return a debit line on the account of a posting role."""
    return LineDraft(amount=amount, role=role, **extra)  # type: ignore[arg-type]


def credit(role: str, amount: Decimal, **extra: object) -> LineDraft:
    """Return a credit line on the account of a posting role."""
    return LineDraft(amount=-amount, role=role, **extra)  # type: ignore[arg-type]


def check_open_period(settings: AccountingSettings, entry_date: date) -> None:
    """Refuse a date on or before the lock date."""
    if settings.lock_date is not None and entry_date <= settings.lock_date:
        raise PeriodLockedError(
            f"El periodo está cerrado: no se puede contabilizar con fecha {entry_date:%d/%m/%Y} "
            f"(fecha de cierre {settings.lock_date:%d/%m/%Y}).",
            errors={"entry_date": [f"Debe ser posterior a la fecha de cierre contable ({settings.lock_date.isoformat()})."]},
        )


def _resolve_accounts(settings: AccountingSettings, drafts: list[LineDraft]) -> list[Account | None]:
    codes = {ROLE_CODES[settings.country][d.role] for d in drafts if d.role} | {d.account_code for d in drafts if d.account_code}
    ids = {d.account_id for d in drafts if d.account_id}
    current = session()

    def load() -> tuple[dict[str, Account], dict[uuid.UUID, Account]]:
        rows = current.scalars(select(Account).where((Account.code.in_(codes)) | (Account.id.in_(ids)))).all() if codes or ids else []
        return {row.code: row for row in rows}, {row.id: row for row in rows}

    by_code, by_id = load()
    if any(code not in by_code for code in codes if code in _template_codes(settings.country)):
        # A tenant provisioned before accounting existed: load its chart now, in this transaction.
        ensure_chart(tenant_id=settings.tenant_id, country=settings.country)
        by_code, by_id = load()
    resolved: list[Account | None] = []
    for draft in drafts:
        if draft.account_id is not None:
            resolved.append(by_id.get(draft.account_id))
        else:
            code = ROLE_CODES[settings.country][draft.role] if draft.role else draft.account_code
            resolved.append(by_code.get(code))  # type: ignore[arg-type]
    return resolved


def _template_codes(country: str) -> set[str]:
    return {row.code for row in TEMPLATES[country]}


def validate_lines(drafts: list[LineDraft], accounts: list[Account | None]) -> None:
    """Check double entry: two lines or more, cents only, every account postable, debits equal credits."""
    errors: dict[str, list[str]] = {}
    if len(drafts) < 2:
        errors["lines"] = ["Un asiento necesita al menos dos líneas."]
    for index, (draft, account) in enumerate(zip(drafts, accounts)):
        if account is None:
            errors[f"lines.{index}.account"] = ["La cuenta no existe."]
        elif not account.is_postable:
            errors[f"lines.{index}.account"] = [f"La cuenta {account.code} es de grupo: use una subcuenta."]
        if draft.amount == ZERO:
            errors[f"lines.{index}.amount"] = ["Cada línea debe tener un importe en el debe o en el haber."]
        elif draft.amount != draft.amount.quantize(CENT):
            errors[f"lines.{index}.amount"] = ["Como máximo 2 decimales."]
    total_debit = sum((d.amount for d in drafts if d.amount > 0), ZERO)
    total_credit = sum((-d.amount for d in drafts if d.amount < 0), ZERO)
    if total_debit != total_credit:
        errors["lines"] = errors.get("lines", []) + [f"El asiento no cuadra: debe {total_debit} ≠ haber {total_credit}."]
    if errors:
        raise EntryInvalidError("El asiento no es válido", errors=errors)


def post_entry(*, tenant_id: uuid.UUID, entry_date: date, description: str, lines: list[LineDraft], actor: str,
               source_type: str | None = None, source_id: uuid.UUID | None = None, reference: str | None = None,
               reversal_of_id: uuid.UUID | None = None) -> JournalEntry:
    """Add a balanced, posted entry to the current transaction (no commit); zero lines are dropped."""
    settings = get_accounting_settings(tenant_id=tenant_id, lock="share")
    check_open_period(settings, entry_date)
    drafts = [draft for draft in lines if draft.amount != ZERO]
    accounts = _resolve_accounts(settings, drafts)
    validate_lines(drafts, accounts)
    entry = JournalEntry(
        entry_date=entry_date, description=description[:300], source_type=source_type, source_id=source_id,
        reference=reference[:60] if reference else None, reversal_of_id=reversal_of_id, is_posted=False, created_by=actor,
        lines=[
            JournalLine(position=position, account_id=account.id,  # type: ignore[union-attr]
                        debit=draft.amount if draft.amount > 0 else ZERO, credit=-draft.amount if draft.amount < 0 else ZERO,
                        party_id=draft.party_id, description=(draft.description or "")[:200] or None,
                        tax_rate=draft.tax_rate, tax_base=draft.tax_base)
            for position, (draft, account) in enumerate(zip(drafts, accounts), start=1)
        ],
    )
    current = session()
    current.add(entry)
    try:
        current.flush()
    except IntegrityError as error:
        if is_unique_violation(error, "journal_entries", "tenant_id", "source_type", "source_id"):
            raise EntryConflictError("Este documento ya está contabilizado") from error
        if is_unique_violation(error, "journal_entries", "tenant_id", "reversal_of_id"):
            raise EntryConflictError("Este asiento ya está anulado") from error
        raise
    mark_posted(entry)
    return entry


def mark_posted(entry: JournalEntry) -> None:
    """Flag the flushed entry as posted (the database checks its balance on this update on SQLite)."""
    entry.is_posted = True
    session().flush()
