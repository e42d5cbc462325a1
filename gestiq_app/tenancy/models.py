"""Platform models (tenants, plans, sector templates) and per-tenant module configuration."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped

MODULES: tuple[str, ...] = ("crm", "sales", "purchases", "accounting", "imports", "payments", "einvoicing")
COUNTRIES = ("ES", "EC")
CURRENCY_BY_COUNTRY = {"ES": "EUR", "EC": "USD"}
LOCALE_BY_COUNTRY = {"ES": "es-ES", "EC": "es-EC"}
TIMEZONE_BY_COUNTRY = {"ES": "Europe/Madrid", "EC": "America/Guayaquil"}
TENANT_STATUSES = ("active", "suspended")
#: The tenant id of platform-wide rows that must still be tenant-shaped (e.g. platform audit events).
PLATFORM_TENANT_ID = uuid.UUID(int=0)


class Plan(Timestamped, Base):
    """A subscription plan (platform table)."""

    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    monthly_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class SectorTemplate(Timestamped, Base):
    """A starting configuration for a kind of business: its modules and default settings."""

    __tablename__ = "sector_templates"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    default_modules: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __str__(self) -> str:
        return self.name


class Tenant(Timestamped, Base):
    """A customer company using GestiQCloud (platform table, no tenant_id)."""

    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("country IN ('ES', 'EC')", name="country"),
        CheckConstraint("currency IN ('EUR', 'USD')", name="currency"),
        CheckConstraint("locale IN ('es-ES', 'es-EC')", name="locale"),
        CheckConstraint("status IN ('active', 'suspended')", name="status"),
        UniqueConstraint("country", "tax_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="active")
    sector_template_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sector_templates.id"), nullable=True)
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plans.id"), nullable=True)
    #: Set by the owner: every user of the tenant must use a second factor.
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    sector_template: Mapped[SectorTemplate | None] = relationship()
    plan: Mapped[Plan | None] = relationship()

    @property
    def is_active(self) -> bool:
        """Tell whether the tenant may use the platform."""
        return self.status == "active"

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.slug})"


class TenantModule(TenantScoped, Timestamped, Base):
    """Whether one module is enabled for a tenant, with its settings."""

    __tablename__ = "tenant_modules"
    __table_args__ = (
        UniqueConstraint("tenant_id", "module"),
        CheckConstraint(
            "module IN ('crm', 'sales', 'purchases', 'accounting', 'imports', 'payments', 'einvoicing')",
            name="module",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, index=True)
    module: Mapped[str] = mapped_column(String(30))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    tenant: Mapped[Tenant] = relationship()

    def __str__(self) -> str:
        return self.module
