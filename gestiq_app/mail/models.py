"""Outgoing e-mail: every message is written to an outbox row, sent by a job when SMTP is configured."""

from __future__ import annotations

from datetime import datetime

from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gestiq_app.db import Base, TenantScoped, utcnow


class OutboundEmail(TenantScoped, Base):
    """An e-mail of a tenant (platform mail uses the platform tenant id)."""

    __tablename__ = "outbound_emails"

    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    cc_addresses: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: Files of the tenant's storage to attach: [{"key": ..., "filename": ..., "content_type": ...}].
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    state: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
