"""Tenant users: the people of a tenant who use the PWA and the API (never the back office)."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped
from gestiq_app.tenancy.models import Tenant

TENANT_ROLES: tuple[str, ...] = ("owner", "admin", "accountant", "sales", "viewer")


class TenantUser(TenantScoped, Timestamped, Base):
    """A user of one tenant; the e-mail is unique within the tenant."""

    __tablename__ = "tenant_users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        CheckConstraint("role IN ('owner', 'admin', 'accountant', 'sales', 'viewer')", name="role"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    tenant: Mapped[Tenant] = relationship()

    def __str__(self) -> str:
        return self.email
