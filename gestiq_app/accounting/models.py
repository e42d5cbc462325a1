"""Chart of accounts and the journal (entries and their lines).

An entry is written unposted with its lines, then flagged `is_posted` in the same transaction; from then on
it is append-only (a reversal entry undoes it). Balance is enforced three times: by the service, by a
PostgreSQL constraint trigger deferred to commit, and on SQLite by a trigger on the `is_posted` update
(SQLite cannot defer a check to commit). See the migration and docs/modules/accounting.md.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped

ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")
AMOUNT = Numeric(14, 2)


class Account(TenantScoped, Timestamped, Base):
    """One account of a tenant's chart: loaded from the country template, or a sub-account the tenant added."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        # Deferred: a tenant archive restores rows in key order, children possibly before their parent.
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["accounts.tenant_id", "accounts.id"], name="fk_accounts_parent",
                             deferrable=True, initially="DEFERRED"),
        CheckConstraint("type IN ('asset', 'liability', 'equity', 'income', 'expense')", name="type"),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: Group accounts (1, 40, 4.1…) only total their children; entries go to postable accounts.
    is_postable: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Loaded from the country template (the tenant's own sub-accounts are not).
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)

    #: Read-only link for the back office (no foreign key to the platform table needed).
    tenant = relationship("Tenant", primaryjoin="foreign(Account.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(TenantScoped, Timestamped, Base):
    """A journal entry: a date, a description and balanced lines; posted once per source document."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source_type", "source_id"),
        UniqueConstraint("tenant_id", "reversal_of_id"),
        ForeignKeyConstraint(["tenant_id", "reversal_of_id"], ["journal_entries.tenant_id", "journal_entries.id"],
                             name="fk_journal_entries_reversal_of", deferrable=True, initially="DEFERRED"),
        Index("ix_journal_entries_tenant_entry_date", "tenant_id", "entry_date"),
        CheckConstraint("(source_type IS NULL) = (source_id IS NULL)", name="source"),
    )

    entry_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300))
    #: The document that produced it ("sales_document", "purchase_document", "payment", "refund",
    #: "purchase_payment"); None: manual.
    source_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    source_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(60), nullable=True)
    reversal_of_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    is_posted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_by: Mapped[str] = mapped_column(String(120), default="system")

    lines: Mapped[list[JournalLine]] = relationship(
        primaryjoin="and_(JournalEntry.id == foreign(JournalLine.entry_id), JournalEntry.tenant_id == JournalLine.tenant_id)",
        order_by="JournalLine.position", cascade="all, delete-orphan", back_populates="entry",
    )
    tenant = relationship("Tenant", primaryjoin="foreign(JournalEntry.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.entry_date} {self.description}"


class JournalLine(TenantScoped, Base):
    """One side of an entry: an account and either a debit or a credit, optionally for a party."""

    __tablename__ = "journal_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
        Index("ix_journal_lines_tenant_entry", "tenant_id", "entry_id"),
        Index("ix_journal_lines_tenant_account", "tenant_id", "account_id"),
        CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0", name="amounts"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    debit: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    credit: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    #: Customer or supplier id (no foreign key: a party may be either).
    party_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Tax lines (IVA, recargo, withholdings): the rate and taxable base, for the VAT return figures.
    tax_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4), nullable=True)
    tax_base: Mapped[Decimal | None] = mapped_column(AMOUNT, nullable=True)

    entry: Mapped[JournalEntry] = relationship(
        primaryjoin="and_(JournalEntry.id == foreign(JournalLine.entry_id), JournalEntry.tenant_id == JournalLine.tenant_id)",
        back_populates="lines",
    )
    account = relationship(
        "Account", primaryjoin="and_(Account.id == foreign(JournalLine.account_id), Account.tenant_id == JournalLine.tenant_id)",
    )

    def __str__(self) -> str:
        return f"{self.debit} / {self.credit}"


class PostedEntryImmutableError(RuntimeError):
    """Raised when code tries to change or delete a posted entry or its lines (post a reversal instead)."""


def _was_posted(entry: JournalEntry | None) -> bool:
    if entry is None:
        return False
    history = inspect(entry).attrs.is_posted.history
    return bool(history.deleted[0]) if history.deleted else bool(entry.is_posted)


@event.listens_for(JournalEntry, "before_update")
@event.listens_for(JournalEntry, "before_delete")
def _refuse_posted_entry_changes(mapper: object, connection: object, target: JournalEntry) -> None:
    if _was_posted(target):
        raise PostedEntryImmutableError("Asiento contabilizado: no se puede modificar; registre un asiento de anulación")


@event.listens_for(JournalLine, "before_update")
@event.listens_for(JournalLine, "before_delete")
def _refuse_posted_line_changes(mapper: object, connection: object, target: JournalLine) -> None:
    if target.entry is not None and _was_posted(target.entry):
        raise PostedEntryImmutableError("Asiento contabilizado: no se puede modificar; registre un asiento de anulación")
