"""Purchase documents (supplier invoices and expenses), their lines, taxes, withholdings, attachments, and
the Ecuadorian comprobante de retención with its numbering series.

Relationships follow the sales models: only the id column is named as foreign and tenant_id is compared
as extra join criteria, while the composite foreign keys (tenant_id, …) hold in the database.
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
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped, Versioned

KINDS = ("supplier_invoice", "expense")
STATES = ("draft", "recorded", "partially_paid", "paid")
WITHHOLDING_KINDS = ("iva", "renta")
#: What a recorded document may still change: payments and the states they lead to.
MUTABLE_AFTER_RECORD = frozenset({"state", "amount_paid", "amount_due", "version", "updated_at"})
AMOUNT = Numeric(14, 2)
RATE = Numeric(7, 4)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _child_of_document(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "document_id"], ["purchase_documents.tenant_id", "purchase_documents.id"],
                                ondelete="CASCADE", name=f"fk_{table}_document")


class PurchaseDocument(TenantScoped, Timestamped, Versioned, Base):
    """A supplier invoice (the supplier's own number and date) or an expense receipt, with frozen totals."""

    __tablename__ = "purchase_documents"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "supplier_id"], ["suppliers.tenant_id", "suppliers.id"]),
        UniqueConstraint("tenant_id", "supplier_id", "supplier_number"),
        Index("ix_purchase_documents_tenant_kind_issue_date", "tenant_id", "kind", "issue_date"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("kind = 'expense' OR (supplier_id IS NOT NULL AND supplier_number IS NOT NULL)", name="supplier_invoice_has_supplier"),
        CheckConstraint(
            "subtotal >= 0 AND tax_total >= 0 AND deductible_tax_total >= 0 AND deductible_tax_total <= tax_total"
            " AND withholding_total >= 0 AND total >= 0 AND amount_paid >= 0 AND amount_due >= 0",
            name="amounts",
        ),
        # Compared within half a cent: SQLite stores NUMERIC as binary floating point (PostgreSQL is exact).
        CheckConstraint("ABS(total - subtotal - tax_total) < 0.005", name="total"),
        CheckConstraint("due_date IS NULL OR due_date >= issue_date", name="due_date"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    #: The supplier as it was when the document was last saved; frozen when recorded.
    supplier_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    supplier_tax_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    #: The supplier's own invoice number (receipt number for expenses, optional there).
    supplier_number: Mapped[str | None] = mapped_column(String(60), nullable=True)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(String(300), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Account code chosen by the user for the whole document (lines may name their own); None: country default.
    expense_account: Mapped[str | None] = mapped_column(String(20), nullable=True)
    #: Document default of the lines' deductibility of IVA (a line may override it).
    is_iva_deductible: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Ecuador: número de autorización of the supplier's electronic invoice (docSustento of the retención).
    authorization_number: Mapped[str | None] = mapped_column(String(49), nullable=True)
    subtotal: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    tax_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    deductible_tax_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    withholding_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    amount_paid: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    amount_due: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    supplier = relationship(
        "Supplier", primaryjoin="and_(Supplier.id == foreign(PurchaseDocument.supplier_id), "
        "Supplier.tenant_id == PurchaseDocument.tenant_id)", lazy="raise_on_sql",
    )
    lines: Mapped[list[PurchaseDocumentLine]] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseDocumentLine.document_id), "
        "PurchaseDocument.tenant_id == PurchaseDocumentLine.tenant_id)",
        order_by="PurchaseDocumentLine.position", cascade="all, delete-orphan", back_populates="document",
    )
    taxes: Mapped[list[PurchaseDocumentTax]] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseDocumentTax.document_id), "
        "PurchaseDocument.tenant_id == PurchaseDocumentTax.tenant_id)",
        order_by="(PurchaseDocumentTax.rate.desc(), PurchaseDocumentTax.category, PurchaseDocumentTax.is_deductible.desc())",
        cascade="all, delete-orphan", back_populates="document",
    )
    withholdings: Mapped[list[PurchaseWithholdingLine]] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseWithholdingLine.document_id), "
        "PurchaseDocument.tenant_id == PurchaseWithholdingLine.tenant_id)",
        order_by="(PurchaseWithholdingLine.kind.desc(), PurchaseWithholdingLine.code)",
        cascade="all, delete-orphan", back_populates="document",
    )
    attachments: Mapped[list[PurchaseAttachment]] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseAttachment.document_id), "
        "PurchaseDocument.tenant_id == PurchaseAttachment.tenant_id)",
        order_by="PurchaseAttachment.created_at", cascade="all, delete-orphan", back_populates="document",
    )
    tenant = relationship("Tenant", primaryjoin="foreign(PurchaseDocument.tenant_id) == Tenant.id", viewonly=True)

    @property
    def is_draft(self) -> bool:
        """Tell whether the document can still be edited or deleted."""
        return self.state == "draft"

    def status_on(self, today: date) -> str:
        """Return the state shown to users: an unpaid recorded document past its due date is overdue."""
        if (self.state in ("recorded", "partially_paid") and self.due_date is not None and self.due_date < today
                and self.amount_due > 0):
            return "overdue"
        return self.state

    def __str__(self) -> str:
        label = "Gasto" if self.kind == "expense" else "Factura"
        return f"{label} {self.supplier_number or str(self.id)[:8]} {self.supplier_name or ''}".strip()


class PurchaseDocumentLine(TenantScoped, Base):
    """One line of a purchase document, with a snapshot of the IVA rate and the withholdings it bears."""

    __tablename__ = "purchase_document_lines"
    __table_args__ = (
        _child_of_document("purchase_document_lines"),
        ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"]),
        Index("ix_purchase_document_lines_tenant_document", "tenant_id", "document_id"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount_percent"),
        CheckConstraint("base_amount >= 0 AND tax_rate >= 0", name="amounts"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    tax_category: Mapped[str] = mapped_column(String(30))
    tax_rate: Mapped[Decimal] = mapped_column(RATE)
    tax_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    is_iva_deductible: Mapped[bool] = mapped_column(Boolean, default=True)
    expense_account: Mapped[str | None] = mapped_column(String(20), nullable=True)
    #: Ecuador: catalog categories of the retención de renta (ret_renta) and de IVA (ret_iva) on this line.
    renta_withholding_category: Mapped[str | None] = mapped_column(String(30), nullable=True)
    iva_withholding_category: Mapped[str | None] = mapped_column(String(30), nullable=True)
    base_amount: Mapped[Decimal] = mapped_column(AMOUNT)

    document: Mapped[PurchaseDocument] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseDocumentLine.document_id), "
        "PurchaseDocument.tenant_id == PurchaseDocumentLine.tenant_id)", back_populates="lines",
    )

    def __str__(self) -> str:
        return self.description


class PurchaseDocumentTax(TenantScoped, Base):
    """One line of the IVA breakdown: bases grouped by category, rate and deductibility."""

    __tablename__ = "purchase_document_taxes"
    __table_args__ = (
        _child_of_document("purchase_document_taxes"),
        Index("ix_purchase_document_taxes_tenant_document", "tenant_id", "document_id"),
        CheckConstraint("tax_type = 'iva'", name="tax_type"),
        CheckConstraint("base >= 0 AND amount >= 0 AND rate >= 0", name="amounts"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    tax_type: Mapped[str] = mapped_column(String(12), default="iva")
    category: Mapped[str] = mapped_column(String(30))
    rate: Mapped[Decimal] = mapped_column(RATE)
    authority_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    is_deductible: Mapped[bool] = mapped_column(Boolean, default=True)
    base: Mapped[Decimal] = mapped_column(AMOUNT)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)

    document: Mapped[PurchaseDocument] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseDocumentTax.document_id), "
        "PurchaseDocument.tenant_id == PurchaseDocumentTax.tenant_id)", back_populates="taxes",
    )

    def __str__(self) -> str:
        return f"IVA {self.rate} %{'' if self.is_deductible else ' (no deducible)'}"


class PurchaseWithholdingLine(TenantScoped, Base):
    """One withholding the buyer applies (Ecuador): renta on a base, or IVA on the IVA amount, with its SRI code."""

    __tablename__ = "purchase_document_withholdings"
    __table_args__ = (
        _child_of_document("purchase_document_withholdings"),
        Index("ix_purchase_document_withholdings_tenant_document", "tenant_id", "document_id"),
        CheckConstraint(_in("kind", WITHHOLDING_KINDS), name="kind"),
        CheckConstraint("base >= 0 AND amount >= 0 AND rate >= 0 AND rate <= 100", name="amounts"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(30))
    #: SRI codigoRetencion (renta: 303, 312, 3440…; IVA: 9, 10, 1, 11, 2, 3).
    code: Mapped[str] = mapped_column(String(10))
    rate: Mapped[Decimal] = mapped_column(RATE)
    base: Mapped[Decimal] = mapped_column(AMOUNT)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)

    document: Mapped[PurchaseDocument] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseWithholdingLine.document_id), "
        "PurchaseDocument.tenant_id == PurchaseWithholdingLine.tenant_id)", back_populates="withholdings",
    )

    def __str__(self) -> str:
        return f"Retención {self.kind} {self.code} {self.rate} %"


class WithholdingSeries(TenantScoped, Timestamped, Versioned, Base):
    """The numbering of comprobantes de retención of one establishment and emission point (row locked to number)."""

    __tablename__ = "withholding_series"
    __table_args__ = (
        UniqueConstraint("tenant_id", "establishment", "emission_point"),
        CheckConstraint("next_sequential >= 1 AND next_sequential <= 999999999", name="next_sequential"),
    )

    establishment: Mapped[str] = mapped_column(String(3))
    emission_point: Mapped[str] = mapped_column(String(3))
    next_sequential: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return f"{self.establishment}-{self.emission_point}"


class PurchaseWithholding(TenantScoped, Timestamped, Base):
    """A comprobante de retención (codDoc 07) issued to the supplier of one recorded invoice."""

    __tablename__ = "purchase_withholdings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "document_id"], ["purchase_documents.tenant_id", "purchase_documents.id"],
                             name="fk_purchase_withholdings_document"),
        ForeignKeyConstraint(["tenant_id", "series_id"], ["withholding_series.tenant_id", "withholding_series.id"],
                             name="fk_purchase_withholdings_series"),
        UniqueConstraint("tenant_id", "document_id"),
        UniqueConstraint("tenant_id", "establishment", "emission_point", "sequential"),
        CheckConstraint("sequential >= 1", name="sequential"),
        CheckConstraint("total >= 0", name="total"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    series_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    establishment: Mapped[str] = mapped_column(String(3))
    emission_point: Mapped[str] = mapped_column(String(3))
    sequential: Mapped[int] = mapped_column(Integer)
    issue_date: Mapped[date] = mapped_column(Date)
    #: periodoFiscal, MM/AAAA of the supporting invoice.
    fiscal_period: Mapped[str] = mapped_column(String(7))
    supplier_name: Mapped[str] = mapped_column(String(200))
    supplier_tax_id: Mapped[str] = mapped_column(String(20))
    supplier_tax_id_type: Mapped[str] = mapped_column(String(20))
    total: Mapped[Decimal] = mapped_column(AMOUNT)

    document: Mapped[PurchaseDocument] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseWithholding.document_id), "
        "PurchaseDocument.tenant_id == PurchaseWithholding.tenant_id)",
    )
    series: Mapped[WithholdingSeries] = relationship(
        primaryjoin="and_(WithholdingSeries.id == foreign(PurchaseWithholding.series_id), "
        "WithholdingSeries.tenant_id == PurchaseWithholding.tenant_id)",
    )
    lines: Mapped[list[PurchaseWithholdingLine]] = relationship(
        primaryjoin="and_(PurchaseWithholding.document_id == foreign(PurchaseWithholdingLine.document_id), "
        "PurchaseWithholding.tenant_id == PurchaseWithholdingLine.tenant_id)",
        order_by="(PurchaseWithholdingLine.kind.desc(), PurchaseWithholdingLine.code)", viewonly=True, uselist=True,
    )

    @property
    def number(self) -> str:
        """Return the printed number, e.g. 001-001-000000012."""
        return f"{self.establishment}-{self.emission_point}-{self.sequential:09d}"

    def __str__(self) -> str:
        return f"Retención {self.number}"


class PurchaseAttachment(TenantScoped, Timestamped, Base):
    """A scanned or electronic original (PDF or image) of a purchase document, stored with `gestiq_app.storage`."""

    __tablename__ = "purchase_attachments"
    __table_args__ = (
        _child_of_document("purchase_attachments"),
        Index("ix_purchase_attachments_tenant_document", "tenant_id", "document_id"),
        CheckConstraint("size_bytes > 0", name="size_bytes"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    filename: Mapped[str] = mapped_column(String(200))
    #: Sniffed from the content (never the extension or the client's header).
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(120))

    document: Mapped[PurchaseDocument] = relationship(
        primaryjoin="and_(PurchaseDocument.id == foreign(PurchaseAttachment.document_id), "
        "PurchaseDocument.tenant_id == PurchaseAttachment.tenant_id)", back_populates="attachments",
    )

    def __str__(self) -> str:
        return self.filename


class PurchaseImmutableError(RuntimeError):
    """Raised when code tries to change the content of a recorded purchase document, or delete it."""


def _committed_state(target: PurchaseDocument) -> str:
    history = inspect(target).attrs.state.history
    return history.deleted[0] if history.deleted else target.state


@event.listens_for(PurchaseDocument, "before_update")
def _refuse_changes_after_record(mapper: object, connection: object, target: PurchaseDocument) -> None:
    if _committed_state(target) == "draft":
        return
    changed = {attribute.key for attribute in inspect(target).attrs if attribute.history.has_changes()}
    forbidden = changed - MUTABLE_AFTER_RECORD - {"attachments"}
    if forbidden:
        raise PurchaseImmutableError(f"Documento registrado: no se puede cambiar {', '.join(sorted(forbidden))}")


@event.listens_for(PurchaseDocument, "before_delete")
def _refuse_delete_after_record(mapper: object, connection: object, target: PurchaseDocument) -> None:
    if _committed_state(target) != "draft":
        raise PurchaseImmutableError("Solo se pueden borrar borradores")
