"""Import batches, their staged items and the lineage of what each promoted item created or updated."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped

KINDS = ("customers", "suppliers", "products", "documents", "opening_balances", "invoices", "supplier_invoices")
#: Kinds whose rows are invoice lines grouped into invoices by number (`imports/invoices.py`).
GROUPED_KINDS = ("invoices", "supplier_invoices")
#: created → ingested → validating → validated → promoting → promoted → rolled_back; any step may end in failed.
STATES = ("created", "ingested", "validating", "validated", "promoting", "promoted", "rolled_back", "failed")
#: needs_review: a document whose classification or fields are not sure enough (documents batches only; absent from the counts of other kinds).
ITEM_STATUSES = ("pending", "valid", "invalid", "needs_review", "skipped", "promoted")
DUPLICATE_POLICIES = ("skip", "update", "error")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class ImportBatch(TenantScoped, Timestamped, Base):
    """One import: its source file or rows, the header mapping, its state and its counters.

    The state moves only by compare-and-set (`services._move`), so a repeated or concurrent task finds the
    batch already claimed and does nothing.
    """

    __tablename__ = "import_batches"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(_in("duplicate_policy", DUPLICATE_POLICIES), name="duplicate_policy"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="created", index=True)
    duplicate_policy: Mapped[str] = mapped_column(String(10), default="error")
    #: Parsing options: delimiter, encoding, sheet, decimal_separator (detected values are written back).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Source headers in file order, and header -> target field (None = ignored); editable before validation.
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    total_items: Mapped[int] = mapped_column(Integer, default=0)
    processed_items: Mapped[int] = mapped_column(Integer, default=0)
    promoted_items: Mapped[int] = mapped_column(Integer, default=0)
    chunks_done: Mapped[int] = mapped_column(Integer, default=0)
    #: Stage timestamps (ISO strings): ingested_at, validation_started_at, validated_at, promotion_started_at, promoted_at…
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")

    #: Read-only link to the owning tenant for the back office.
    tenant = relationship("Tenant", primaryjoin="foreign(ImportBatch.tenant_id) == Tenant.id", viewonly=True, lazy="select")

    def __str__(self) -> str:
        return f"{self.kind} · {self.source_name}"


class ImportItem(TenantScoped, Base):
    """One source row: raw cells, the normalized data it maps to, its status and per-field errors."""

    __tablename__ = "import_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "batch_id", "row_number", name="uq_import_items_tenant_id_batch_id_row_number"),
        ForeignKeyConstraint(["tenant_id", "batch_id"], ["import_batches.tenant_id", "import_batches.id"], ondelete="CASCADE"),
        CheckConstraint(_in("status", ITEM_STATUSES), name="status"),
        # No index on status, data or errors and free room on every page: validation and promotion rewrite each item
        # in place (HOT updates, no index entries written); queries by status read a batch in row order by the key.
        {"postgresql_with": {"fillfactor": 40}},
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    #: Line of the source file where the row starts (1 = header line of a CSV), or position in a JSON list.
    row_number: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: True once a user fixed `data` by hand: revalidation keeps it instead of re-mapping `raw`.
    is_edited: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    #: {field: [{"code": …, "message": …}]}
    errors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    natural_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: "create" or "update" (duplicate policy `update`), decided by validation.
    action: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: The id of the existing entity to update (action "update").
    target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)

    # Joined on the ids alone (globally unique UUIDs) so the relationship never writes tenant_id (the guard stamps it);
    # promotion and validation write items with set-based SQL, not through this relationship.
    batch: Mapped[ImportBatch] = relationship(primaryjoin="foreign(ImportItem.batch_id) == ImportBatch.id", lazy="select")


def _item_id(context: Any) -> uuid.UUID:
    return context.get_current_parameters()["item_id"]


class ImportLineage(TenantScoped, Base):
    """What a promoted item did: one row per item, so a repeated chunk can never create twice.

    The row's id IS its item's id (checked): the primary key (tenant_id, id) is the "one per item" key, with no second
    unique index. No foreign keys: each cost the promotion statement a per-row trigger (a quarter of its time with
    both); lineage is written only by promotion, from the items it locked, and deleted with its batch explicitly
    (`services.delete_batch`, rollback) or with the tenant (`ops.erase_tenant`).
    """

    __tablename__ = "import_lineage"
    __table_args__ = (
        CheckConstraint("id = item_id", name="id_is_item_id"),
        CheckConstraint("action IN ('created', 'updated')", name="action"),
        Index("ix_import_lineage_tenant_id_batch_id", "tenant_id", "batch_id"),
        Index("ix_import_lineage_tenant_id_entity_id", "tenant_id", "entity_id"),
    )

    #: The item's id (default: the row's item_id).
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=_item_id)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    item_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(10))
    #: Values before an update (to restore them on rollback).
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    batch: Mapped[ImportBatch] = relationship(primaryjoin="foreign(ImportLineage.batch_id) == ImportBatch.id", lazy="select")
    item: Mapped[ImportItem] = relationship(primaryjoin="foreign(ImportLineage.item_id) == ImportItem.id", lazy="select")
