"""Customers and suppliers of a tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped, Versioned
from gestiq_app.tenancy.models import Tenant

TAX_ID_TYPES = ("nif", "nie", "cif", "vat_eu", "passport", "cedula", "ruc", "consumidor_final")
#: Fiscal flags that only mean something for a party of that country.
FLAGS_BY_COUNTRY: dict[str, tuple[str, ...]] = {
    "ES": ("has_recargo_equivalencia", "is_irpf_professional"),
    "EC": ("is_contribuyente_especial", "is_rimpe"),
}


def party_constraints(table: str) -> tuple:
    """Return the constraints every party table has."""
    return (
        UniqueConstraint("tenant_id", "tax_id", name=f"uq_{table}_tenant_id_tax_id"),
        CheckConstraint(
            "tax_id_type IN ('nif', 'nie', 'cif', 'vat_eu', 'passport', 'cedula', 'ruc', 'consumidor_final')",
            name="tax_id_type",
        ),
        CheckConstraint("payment_terms_days >= 0 AND payment_terms_days <= 365", name="payment_terms"),
    )


class PartyFields:
    """What customers and suppliers share."""

    legal_name: Mapped[str] = mapped_column(String(200))
    trade_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    country: Mapped[str] = mapped_column(String(2))
    tax_id_type: Mapped[str] = mapped_column(String(20))
    tax_id: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: {"street", "city", "postal_code", "province", "country"}; more in `addresses`.
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Spain
    has_recargo_equivalencia: Mapped[bool] = mapped_column(Boolean, default=False)
    is_irpf_professional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ecuador
    is_contribuyente_especial: Mapped[bool] = mapped_column(Boolean, default=False)
    is_rimpe: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:  # noqa: N805
        """Unique tax id per tenant; known id types; payment terms in range."""
        return party_constraints(cls.__tablename__)  # type: ignore[attr-defined]

    @declared_attr
    def tenant(cls) -> Mapped[Tenant]:  # noqa: N805
        """Read-only link to the owning tenant for the back office (no foreign key, like the audit log)."""
        return relationship("Tenant", primaryjoin=f"foreign({cls.__name__}.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.tax_id})"


class Customer(PartyFields, TenantScoped, Timestamped, Versioned, Base):
    """A customer; its optional default price list must belong to the same tenant (composite foreign key)."""

    __tablename__ = "customers"
    __table_args__ = (
        *party_constraints("customers"),
        ForeignKeyConstraint(["tenant_id", "price_list_id"], ["price_lists.tenant_id", "price_lists.id"]),
        Index("ix_customers_tenant_id_price_list_id", "tenant_id", "price_list_id"),
    )

    price_list_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class Supplier(PartyFields, TenantScoped, Timestamped, Versioned, Base):
    """A supplier."""

    __tablename__ = "suppliers"
