"""The global tax catalog: rates with effective dates, edited by back-office admins (no tenant_id)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Numeric, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from gestiq_app.db import Base, Timestamped

TAX_TYPES = ("iva", "recargo", "irpf", "ret_iva", "ret_renta")


class TaxRate(Timestamped, Base):
    """One rate of one tax category of one country, valid from a date (to a date, or open-ended)."""

    __tablename__ = "tax_rates"
    __table_args__ = (
        UniqueConstraint("country", "tax_type", "category", "valid_from"),
        CheckConstraint("country IN ('ES', 'EC')", name="country"),
        CheckConstraint("tax_type IN ('iva', 'recargo', 'irpf', 'ret_iva', 'ret_renta')", name="tax_type"),
        CheckConstraint("rate >= 0 AND rate <= 100", name="rate"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    country: Mapped[str] = mapped_column(String(2))
    tax_type: Mapped[str] = mapped_column(String(12))
    #: Category a product or line refers to, e.g. "general", "reducido", "superreducido", "cero", "exento", "no_objeto".
    category: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    #: Authority code (SRI codigoPorcentaje for EC IVA; retention codes), empty where none.
    authority_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    def __str__(self) -> str:
        return f"{self.country} {self.name} {self.rate}%"
