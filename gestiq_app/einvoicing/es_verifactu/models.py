"""VERI*FACTU billing records (append-only, chained by huella) and the per-issuer chain head used as a lock."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Integer, Numeric, String, UniqueConstraint, Uuid, event
from sqlalchemy.orm import Mapped, mapped_column

from gestiq_app.db import Base, TenantScoped, utcnow

RECORD_TYPES = ("alta", "anulacion")


class VerifactuRecord(TenantScoped, Base):
    """A registro de facturación (alta or anulación), immutable once written.

    Every field that enters the huella is a column (issuer_nif, invoice_number, issue_date, invoice_type,
    total_tax, total_amount, previous_huella, generated_at as the exact FechaHoraHusoGenRegistro string);
    the rest of the XML (description, breakdown, recipients, software) is kept in `details`. Submission
    state lives in einvoice_submissions, so this table is never updated: a PostgreSQL trigger refuses
    UPDATE, DELETE and TRUNCATE, the runtime role has no UPDATE/DELETE grant, and the ORM refuses too.
    """

    __tablename__ = "verifactu_records"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issuer_nif", "sequence", name="uq_verifactu_records_issuer_sequence"),
        UniqueConstraint("tenant_id", "previous_record_id", name="uq_verifactu_records_previous_record"),
        ForeignKeyConstraint(["tenant_id", "previous_record_id"], ["verifactu_records.tenant_id", "verifactu_records.id"],
                             name="fk_verifactu_records_previous_record"),
        CheckConstraint("record_type IN ('alta', 'anulacion')", name="record_type"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(
            "record_type = 'anulacion' OR (invoice_type IS NOT NULL AND total_tax IS NOT NULL AND total_amount IS NOT NULL)",
            name="alta_has_amounts",
        ),
    )

    issuer_nif: Mapped[str] = mapped_column(String(9))
    issuer_name: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(10))
    invoice_number: Mapped[str] = mapped_column(String(60))
    issue_date: Mapped[date] = mapped_column(Date)
    invoice_type: Mapped[str | None] = mapped_column(String(2), nullable=True)
    total_tax: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    previous_record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    previous_huella: Mapped[str] = mapped_column(String(64), default="")
    huella: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[str] = mapped_column(String(25))
    source_document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VerifactuChainHead(TenantScoped, Base):
    """The last record of one issuer's chain; locked FOR UPDATE while a record is appended."""

    __tablename__ = "verifactu_chain_heads"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issuer_nif", name="uq_verifactu_chain_heads_issuer"),
        ForeignKeyConstraint(["tenant_id", "last_record_id"], ["verifactu_records.tenant_id", "verifactu_records.id"],
                             name="fk_verifactu_chain_heads_last_record"),
    )

    issuer_nif: Mapped[str] = mapped_column(String(9))
    last_record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    last_huella: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class VerifactuRecordImmutableError(RuntimeError):
    """Raised when code tries to change or delete a VERI*FACTU record."""


@event.listens_for(VerifactuRecord, "before_update")
def _refuse_update(mapper: object, connection: object, target: VerifactuRecord) -> None:
    raise VerifactuRecordImmutableError("Los registros VERI*FACTU no se pueden modificar")


@event.listens_for(VerifactuRecord, "before_delete")
def _refuse_delete(mapper: object, connection: object, target: VerifactuRecord) -> None:
    raise VerifactuRecordImmutableError("Los registros VERI*FACTU no se pueden borrar")
