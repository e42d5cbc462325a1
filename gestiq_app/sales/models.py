"""Sales documents (quotes, invoices, credit notes), their lines and tax breakdown, and numbering series.

Relationships name only the id column as foreign (`foreign(...)`) and compare tenant_id as extra join
criteria: the composite foreign keys hold in the database, while tenant_id is stamped by the tenant
guard instead of being copied by several relationships at once (SQLAlchemy's "overlapping foreign keys").
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped, Versioned

DOCUMENT_KINDS = ("quote", "invoice", "credit_note")
STATES_BY_KIND = {
    "quote": ("draft", "converted"),
    "invoice": ("draft", "issued", "partially_paid", "paid", "rectified", "voided"),
    "credit_note": ("draft", "issued"),
}
#: What an issued invoice may still change: payments, credits and the states they lead to.
MUTABLE_AFTER_ISSUE = frozenset({"state", "amount_paid", "amount_credited", "amount_due", "version", "updated_at",
                                 "voided_at", "void_reason"})
#: app: issued here; import: a legacy invoice brought by an import batch (keeps the old system's number, never sent to
#: SRI / VERI*FACTU: the old system declared it).
ORIGINS = ("app", "import")
RECTIFICATION_TYPES = ("R1", "R2", "R3", "R4", "R5")
RECTIFICATION_METHODS = ("sustitucion", "diferencias")
TAX_TYPES = ("iva", "recargo", "irpf")
AMOUNT = Numeric(14, 2)
RATE = Numeric(7, 4)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class DocumentSeries(TenantScoped, Timestamped, Versioned, Base):
    """A numbering series of one document kind; issuing locks its row to take the next number."""

    __tablename__ = "document_series"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "prefix"),
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint("next_number >= 1", name="next_number"),
        CheckConstraint("number_width >= 1 AND number_width <= 12", name="number_width"),
    )

    kind: Mapped[str] = mapped_column(String(12))
    prefix: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    is_yearly_reset: Mapped[bool] = mapped_column(Boolean, default=True)
    number_width: Mapped[int] = mapped_column(Integer, default=6)
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    #: Year of the last number taken (yearly series restart at 1 when the year moves on).
    current_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Issue date of the last numbered document: numbers and dates must grow together.
    last_issue_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"


class SalesDocument(TenantScoped, Timestamped, Versioned, Base):
    """A quote, invoice or credit note: header, frozen totals and, once issued, its number."""

    __tablename__ = "sales_documents"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "series_id"], ["document_series.tenant_id", "document_series.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "rectified_document_id"], ["sales_documents.tenant_id", "sales_documents.id"],
            name="fk_sales_documents_rectified_document",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "source_quote_id"], ["sales_documents.tenant_id", "sales_documents.id"],
            name="fk_sales_documents_source_quote",
        ),
        UniqueConstraint("tenant_id", "series_id", "year", "number"),
        Index("ix_sales_documents_tenant_kind_issue_date", "tenant_id", "kind", "issue_date"),
        Index("ix_sales_documents_tenant_customer", "tenant_id", "customer_id"),
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(
            " OR ".join(f"(kind = '{kind}' AND {_in('state', states)})" for kind, states in STATES_BY_KIND.items()),
            name="state",
        ),
        CheckConstraint("state = 'draft' OR number IS NOT NULL", name="numbered_unless_draft"),
        CheckConstraint("(number IS NULL) = (year IS NULL) AND (number IS NULL) = (full_number IS NULL)", name="number_parts"),
        CheckConstraint("number IS NULL OR number >= 1", name="number"),
        CheckConstraint(
            "subtotal >= 0 AND tax_total >= 0 AND recargo_total >= 0 AND withholding_total >= 0 AND total >= 0"
            " AND amount_paid >= 0 AND amount_credited >= 0 AND amount_due >= 0",
            name="amounts",
        ),
        CheckConstraint("(kind = 'credit_note') = (rectified_document_id IS NOT NULL)", name="rectifies_invoice"),
        CheckConstraint("rectification_type IS NULL OR " + _in("rectification_type", RECTIFICATION_TYPES), name="rectification_type"),
        CheckConstraint("rectification_method IS NULL OR " + _in("rectification_method", RECTIFICATION_METHODS),
                        name="rectification_method"),
        CheckConstraint("due_date IS NULL OR due_date >= issue_date", name="due_date"),
        CheckConstraint(_in("origin", ORIGINS), name="origin"),
    )

    kind: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    series_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    full_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: The customer as it was when the draft was last saved; frozen when issued.
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_tax_id: Mapped[str] = mapped_column(String(20))
    issue_date: Mapped[date] = mapped_column(Date)
    #: Invoices: payment due date. Quotes: valid until.
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    subtotal: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    tax_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    recargo_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    withholding_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    amount_paid: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    amount_credited: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    amount_due: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    rectified_document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    rectification_type: Mapped[str | None] = mapped_column(String(2), nullable=True)
    rectification_method: Mapped[str | None] = mapped_column(String(12), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    source_quote_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Voided (anulada) invoices: when and why; the number stays taken.
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    origin: Mapped[str] = mapped_column(String(10), default="app", server_default="app")

    customer = relationship(
        "Customer", primaryjoin="and_(Customer.id == foreign(SalesDocument.customer_id), "
        "Customer.tenant_id == SalesDocument.tenant_id)", lazy="raise_on_sql",
    )
    series = relationship(
        "DocumentSeries", primaryjoin="and_(DocumentSeries.id == foreign(SalesDocument.series_id), "
        "DocumentSeries.tenant_id == SalesDocument.tenant_id)", lazy="raise_on_sql",
    )
    lines: Mapped[list[SalesDocumentLine]] = relationship(
        primaryjoin="and_(SalesDocument.id == foreign(SalesDocumentLine.document_id), "
        "SalesDocument.tenant_id == SalesDocumentLine.tenant_id)",
        order_by="SalesDocumentLine.position", cascade="all, delete-orphan", back_populates="document",
    )
    taxes: Mapped[list[SalesDocumentTax]] = relationship(
        primaryjoin="and_(SalesDocument.id == foreign(SalesDocumentTax.document_id), "
        "SalesDocument.tenant_id == SalesDocumentTax.tenant_id)",
        order_by="(SalesDocumentTax.tax_type, SalesDocumentTax.rate.desc(), SalesDocumentTax.category)",
        cascade="all, delete-orphan", back_populates="document",
    )
    #: Read-only link for the back office (no foreign key to the platform table needed).
    tenant = relationship("Tenant", primaryjoin="foreign(SalesDocument.tenant_id) == Tenant.id", viewonly=True)

    @property
    def is_draft(self) -> bool:
        """Tell whether the document can still be edited or deleted."""
        return self.state == "draft"

    def status_on(self, today: date) -> str:
        """Return the state shown to users: an unpaid invoice past its due date is overdue."""
        if (self.kind == "invoice" and self.state in ("issued", "partially_paid") and self.due_date is not None
                and self.due_date < today and self.amount_due > 0):
            return "overdue"
        return self.state

    def __str__(self) -> str:
        return self.full_number or f"Borrador {str(self.id)[:8]}"


class SalesDocumentLine(TenantScoped, Base):
    """One line of a sales document, with a snapshot of the tax rates used to price it."""

    __tablename__ = "sales_document_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "source_line_id"], ["sales_document_lines.tenant_id", "sales_document_lines.id"],
            name="fk_sales_document_lines_source_line",
        ),
        Index("ix_sales_document_lines_tenant_document", "tenant_id", "document_id"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount_percent"),
        CheckConstraint("base_amount >= 0", name="base_amount"),
        CheckConstraint("tax_rate >= 0 AND (recargo_rate IS NULL OR recargo_rate >= 0)"
                        " AND (withholding_rate IS NULL OR withholding_rate >= 0)", name="rates"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    tax_category: Mapped[str] = mapped_column(String(30))
    #: Services bear IRPF withholding (ES professional customers); goods bear recargo de equivalencia.
    is_service: Mapped[bool] = mapped_column(Boolean, default=False)
    tax_rate: Mapped[Decimal] = mapped_column(RATE)
    tax_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    recargo_rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)
    withholding_rate: Mapped[Decimal | None] = mapped_column(RATE, nullable=True)
    withholding_category: Mapped[str | None] = mapped_column(String(30), nullable=True)
    base_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    #: Credit-note lines: the invoice line they credit.
    source_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)

    document: Mapped[SalesDocument] = relationship(
        primaryjoin="and_(SalesDocument.id == foreign(SalesDocumentLine.document_id), "
        "SalesDocument.tenant_id == SalesDocumentLine.tenant_id)", back_populates="lines",
    )

    def __str__(self) -> str:
        return self.description


class SalesDocumentTax(TenantScoped, Base):
    """One line of a document's tax breakdown: bases grouped by tax type, category and rate."""

    __tablename__ = "sales_document_taxes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"], ondelete="CASCADE"),
        Index("ix_sales_document_taxes_tenant_document", "tenant_id", "document_id"),
        CheckConstraint(_in("tax_type", TAX_TYPES), name="tax_type"),
        CheckConstraint("base >= 0 AND amount >= 0 AND rate >= 0", name="amounts"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    tax_type: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(30))
    rate: Mapped[Decimal] = mapped_column(RATE)
    #: SRI codigoPorcentaje for Ecuadorian IVA; empty elsewhere.
    authority_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    base: Mapped[Decimal] = mapped_column(AMOUNT)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)

    document: Mapped[SalesDocument] = relationship(
        primaryjoin="and_(SalesDocument.id == foreign(SalesDocumentTax.document_id), "
        "SalesDocument.tenant_id == SalesDocumentTax.tenant_id)", back_populates="taxes",
    )

    def __str__(self) -> str:
        return f"{self.tax_type} {self.rate} %"


class DocumentImmutableError(RuntimeError):
    """Raised when code tries to change the fiscal content of an issued document, or delete it."""


def _committed_state(target: SalesDocument) -> str:
    history = inspect(target).attrs.state.history
    return history.deleted[0] if history.deleted else target.state


@event.listens_for(SalesDocument, "before_update")
def _refuse_changes_after_issue(mapper: object, connection: object, target: SalesDocument) -> None:
    if _committed_state(target) == "draft":
        return
    changed = {attribute.key for attribute in inspect(target).attrs if attribute.history.has_changes()}
    forbidden = changed - MUTABLE_AFTER_ISSUE
    if forbidden:
        raise DocumentImmutableError(f"Documento emitido: no se puede cambiar {', '.join(sorted(forbidden))}")


@event.listens_for(SalesDocument, "before_delete")
def _refuse_delete_after_issue(mapper: object, connection: object, target: SalesDocument) -> None:
    if _committed_state(target) != "draft":
        raise DocumentImmutableError("Solo se pueden borrar borradores")
