"""Tenant users and their credentials: refresh-token families, one-time tokens, API tokens, 2FA."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped, utcnow
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
    #: Bumped on logout-everywhere, password change and deactivation: older access tokens stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(400), nullable=True)
    is_totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: The TOTP time step of the last accepted code: a code of that step or earlier is a replay.
    totp_last_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    tenant: Mapped[Tenant] = relationship()

    def __str__(self) -> str:
        return self.email


class RefreshToken(TenantScoped, Base):
    """One refresh token of a rotation family; reusing a used one revokes the whole family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["tenant_users.tenant_id", "tenant_users.id"], ondelete="CASCADE"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    family_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UserToken(TenantScoped, Base):
    """A single-use, expiring token sent by e-mail (password reset, invitation); only its hash is kept."""

    __tablename__ = "user_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["tenant_users.tenant_id", "tenant_users.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "token_hash"),
        CheckConstraint("purpose IN ('password_reset', 'invitation')", name="purpose"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RecoveryCode(TenantScoped, Base):
    """A hashed one-time 2FA recovery code."""

    __tablename__ = "recovery_codes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["tenant_users.tenant_id", "tenant_users.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "user_id", "code_hash"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiToken(TenantScoped, Timestamped, Base):
    """A named integration token: shown once, stored hashed, scoped to permissions, revocable."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        ForeignKeyConstraint(["tenant_id", "created_by_id"], ["tenant_users.tenant_id", "tenant_users.id"]),
    )

    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def is_active(self) -> bool:
        """Tell whether the token may still be used."""
        return self.revoked_at is None


class AdminRefreshToken(Base):
    """A refresh token of a back-office (FAB) user; platform table, same rotation rules."""

    __tablename__ = "admin_refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    family_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AdminSecondFactor(Base):
    """TOTP enrolment of a back-office user (required for every back-office admin)."""

    __tablename__ = "admin_second_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    totp_secret_encrypted: Mapped[str] = mapped_column(String(400))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_counter: Mapped[int] = mapped_column(Integer, default=0)
    recovery_code_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
