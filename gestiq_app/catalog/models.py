"""Products and services of a tenant, and its price lists."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint, Uuid
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


class PriceList(TenantScoped, Timestamped, Versioned, Base):
    """A named set of special prices (e.g. «Mayoristas»); customers may have one as their default."""

    __tablename__ = "price_lists"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    #: Read-only link to the owning tenant for the back office.
    tenant = relationship("Tenant", primaryjoin="foreign(PriceList.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class PriceListItem(TenantScoped, Timestamped, Base):
    """The price of one product in one price list (before taxes); at most one per list and product."""

    __tablename__ = "price_list_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "price_list_id", "product_id"),
        ForeignKeyConstraint(["tenant_id", "price_list_id"], ["price_lists.tenant_id", "price_lists.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"], ondelete="CASCADE"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        # The unique key serves lookups by list; this one serves the foreign-key check when a product is deleted.
        Index("ix_price_list_items_tenant_id_product_id", "tenant_id", "product_id"),
    )

    price_list_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4))

    # Joined on the ids alone (globally unique UUIDs) so the relationships never write tenant_id, which the
    # tenant guard stamps; the composite foreign keys above keep both sides in one tenant.
    price_list: Mapped[PriceList] = relationship(primaryjoin="foreign(PriceListItem.price_list_id) == PriceList.id")
    product: Mapped[Product] = relationship(primaryjoin="foreign(PriceListItem.product_id) == Product.id", lazy="joined")
