"""Products and services of a tenant."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped, Versioned

PRODUCT_KINDS = ("product", "service")


class Product(TenantScoped, Timestamped, Versioned, Base):
    """A product or service; its tax category names a tax-catalog category (e.g. general, reducido)."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sku"),
        CheckConstraint("kind IN ('product', 'service')", name="kind"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
    )

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(10), default="product")
    unit: Mapped[str] = mapped_column(String(20), default="unidad")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))
    cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 4), nullable=True)
    tax_category: Mapped[str] = mapped_column(String(30), default="general")
    barcode: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    #: Read-only link to the owning tenant for the back office (no foreign key, like the audit log).
    tenant = relationship("Tenant", primaryjoin="foreign(Product.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"
