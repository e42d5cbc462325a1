"""Webhook subscriptions, deliveries (one per event and subscription) and their attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKeyConstraint, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped, utcnow

EVENTS: tuple[str, ...] = ("invoice.issued", "invoice.paid", "payment.received", "import.completed", "einvoice.authorized", "einvoice.rejected", "ping")
DELIVERY_STATES: tuple[str, ...] = ("pending", "succeeded", "failed")


class WebhookSubscription(TenantScoped, Timestamped, Base):
    """A URL of the tenant that receives some events, signed with its own secret."""

    __tablename__ = "webhook_subscriptions"

    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Fernet token (gestiq_app.crypto) of the signing secret; the secret is shown once, at creation.
    secret_encrypted: Mapped[str] = mapped_column(String(400))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(TenantScoped, Base):
    """One event to one subscription: its state moves pending -> succeeded | failed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "subscription_id"], ["webhook_subscriptions.tenant_id", "webhook_subscriptions.id"],
                             ondelete="CASCADE", name="fk_webhook_deliveries_subscription"),
        CheckConstraint("state IN ('pending', 'succeeded', 'failed')", name="state"),
    )

    subscription_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    #: The same for every delivery of one published event (and for its replays): receivers deduplicate on it.
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    replay_of_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    subscription: Mapped[WebhookSubscription] = relationship()


class WebhookAttempt(TenantScoped, Base):
    """One HTTP attempt of a delivery: status code (or network error) and the start of the response body."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "delivery_id"], ["webhook_deliveries.tenant_id", "webhook_deliveries.id"],
                             ondelete="CASCADE", name="fk_webhook_attempts_delivery"),
    )

    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    delivery: Mapped[WebhookDelivery] = relationship()
