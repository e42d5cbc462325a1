"""Payments persistence: provider accounts (encrypted credentials), payments, refunds, payment requests, provider events.

Money invariant of a payment (a CHECK): amount = applied_amount + credit_amount + amount_refunded. The part
applied to an invoice counts as paid on it; the rest is customer credit (overpayment). A refund takes from the
credit first, then from the applied part, so the invoice's outstanding amount grows back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped

PROVIDERS = ("stripe", "payphone", "kushki")
MANUAL_METHODS = ("bank_transfer", "cash", "card_terminal")
METHODS = MANUAL_METHODS + PROVIDERS
REQUEST_STATES = ("open", "failed", "paid", "cancelled")
#: Forward-only rank of request states: an event may only move a request up (failed -> paid, never paid -> failed).
REQUEST_STATE_RANK = {"open": 0, "failed": 1, "cancelled": 1, "paid": 2}
EVENT_STATES = ("received", "processing", "processed", "ignored", "failed")
AMOUNT = Numeric(14, 2)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class PaymentProviderAccount(TenantScoped, Timestamped, Base):
    """A tenant's account with one provider: its credentials as one Fernet token (never shown back) and public settings."""

    __tablename__ = "payment_provider_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "provider"),
        CheckConstraint(_in("provider", PROVIDERS), name="provider"),
    )

    provider: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Fernet token (gestiq_app.crypto) of a JSON object of secrets (API key, webhook secret, token).
    credentials_encrypted: Mapped[str] = mapped_column(Text)
    #: Names of the secrets that are set (shown as "configured", never their values).
    secret_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Non-secret settings (store id, public merchant id, environment).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(200), default="")

    #: Read-only link for the back office.
    tenant = relationship("Tenant", primaryjoin="foreign(PaymentProviderAccount.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return self.provider


class Payment(TenantScoped, Timestamped, Base):
    """Money received from a customer: manual (transfer, cash, terminal) or through a provider, once per provider reference."""

    __tablename__ = "payments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        UniqueConstraint("tenant_id", "method", "provider_reference"),
        Index("ix_payments_tenant_document", "tenant_id", "document_id"),
        Index("ix_payments_tenant_customer", "tenant_id", "customer_id"),
        CheckConstraint(_in("method", METHODS), name="method"),
        CheckConstraint("amount > 0 AND applied_amount >= 0 AND credit_amount >= 0 AND amount_refunded >= 0", name="amounts"),
        CheckConstraint("amount = applied_amount + credit_amount + amount_refunded", name="balanced"),
    )

    document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    method: Mapped[str] = mapped_column(String(20))
    #: The provider's id of the money movement (Stripe PaymentIntent, Payphone transaction, Kushki ticket); None for manual ones.
    provider_reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    applied_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    credit_amount: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    amount_refunded: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))

    customer = relationship("Customer", primaryjoin="and_(Customer.id == foreign(Payment.customer_id), "
                            "Customer.tenant_id == Payment.tenant_id)", lazy="raise_on_sql")
    #: Read-only link for the back office.
    tenant = relationship("Tenant", primaryjoin="foreign(Payment.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.method})"


class Refund(TenantScoped, Timestamped, Base):
    """Money given back on a payment (total or partial), once per provider refund id."""

    __tablename__ = "refunds"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "payment_id"], ["payments.tenant_id", "payments.id"]),
        UniqueConstraint("tenant_id", "payment_id", "provider_reference"),
        Index("ix_refunds_tenant_payment", "tenant_id", "payment_id"),
        CheckConstraint("amount > 0", name="amount"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_on: Mapped[date] = mapped_column(Date)
    provider_reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))

    payment = relationship("Payment", primaryjoin="and_(Payment.id == foreign(Refund.payment_id), "
                           "Payment.tenant_id == Refund.tenant_id)", lazy="raise_on_sql")

    def __str__(self) -> str:
        return f"-{self.amount} {self.currency}"


class PaymentRequest(TenantScoped, Timestamped, Base):
    """A request for payment of an invoice at a provider (Checkout Session, Payphone link, Kushki charge).

    `operation_id` is ours: the provider's Idempotency-Key / clientTransactionId derive from it, so a retried
    create never makes two sessions. The state only moves forward (REQUEST_STATE_RANK).
    """

    __tablename__ = "payment_requests"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "document_id"], ["sales_documents.tenant_id", "sales_documents.id"]),
        UniqueConstraint("tenant_id", "provider", "provider_reference"),
        UniqueConstraint("tenant_id", "operation_id"),
        Index("ix_payment_requests_tenant_document", "tenant_id", "document_id"),
        CheckConstraint(_in("provider", PROVIDERS), name="provider"),
        CheckConstraint(_in("state", REQUEST_STATES), name="state"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    provider: Mapped[str] = mapped_column(String(20))
    operation_id: Mapped[str] = mapped_column(String(64))
    provider_reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(12), default="open")
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    document = relationship("SalesDocument", primaryjoin="and_(SalesDocument.id == foreign(PaymentRequest.document_id), "
                            "SalesDocument.tenant_id == PaymentRequest.tenant_id)", lazy="raise_on_sql")

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency}"


class ProviderEvent(TenantScoped, Base):
    """A verified provider notification, stored once per provider event id (insert-or-ignore), processed by a task."""

    __tablename__ = "payment_provider_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "provider", "event_id"),
        CheckConstraint(_in("provider", PROVIDERS), name="provider"),
        CheckConstraint(_in("state", EVENT_STATES), name="state"),
    )

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="received", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When a task claimed it: a run that died leaves it `processing`; the sweeper reclaims it after a lease.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    #: Read-only link for the back office.
    tenant = relationship("Tenant", primaryjoin="foreign(ProviderEvent.tenant_id) == Tenant.id", viewonly=True)

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
