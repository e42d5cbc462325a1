"""E-invoicing persistence: the tenant's signing certificate and the submissions to the tax authorities."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gestiq_app.db import Base, TenantScoped, Timestamped
from gestiq_app.einvoicing.es_verifactu.models import VerifactuChainHead, VerifactuRecord  # noqa: F401 - one import path

CHANNELS = ("sri", "verifactu")
STATES = ("pending", "sending", "retry_wait", "authorized", "accepted", "rejected", "failed")
#: States a submission never leaves on its own: only a changed document or configuration re-arms them.
FINAL_STATES = ("authorized", "accepted", "rejected", "failed")


class EinvoiceCertificate(TenantScoped, Timestamped, Base):
    """The tenant's electronic-signature certificate (.p12), encrypted at rest with its password.

    One per tenant (upserted on the unique key); used to sign SRI comprobantes and for mutual TLS with the AEAT.
    """

    __tablename__ = "einvoice_certificates"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_einvoice_certificates_tenant_id"),)

    encrypted_p12: Mapped[str] = mapped_column(Text)
    encrypted_password: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(500))
    serial_number: Mapped[str] = mapped_column(String(80))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64))
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[str] = mapped_column(String(200))


class EinvoiceSubmission(TenantScoped, Timestamped, Base):
    """One document (or VERI*FACTU record) on its way to the SRI or the AEAT.

    States: pending → sending → authorized (SRI) / accepted (AEAT) | rejected (final until the document or the
    configuration changes: the document and config fingerprints record what was tried) | retry_wait (next_attempt_at, exponential
    backoff) → failed after GESTIQ_EINVOICE_MAX_ATTEMPTS. Every transition is a compare-and-set UPDATE.
    """

    __tablename__ = "einvoice_submissions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel", "document_id", "document_kind", name="uq_einvoice_submissions_document"),
        CheckConstraint("channel IN ('sri', 'verifactu')", name="channel"),
        CheckConstraint(
            "state IN ('pending', 'sending', 'retry_wait', 'authorized', 'accepted', 'rejected', 'failed')", name="state"
        ),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    channel: Mapped[str] = mapped_column(String(10))
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    document_kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(64), index=True)
    environment: Mapped[int] = mapped_column(Integer, default=1)
    verifactu_record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    signed_payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    authority_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    document_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    config_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    authorization_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    authorized_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    authorized_xml: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    #: Read-only link for the back office (no foreign key: tenants are a platform table).
    #: Loaded lazily: a joined load would put the nullable side of an outer join under FOR UPDATE.
    tenant = relationship("Tenant", primaryjoin="foreign(EinvoiceSubmission.tenant_id) == Tenant.id", viewonly=True,
                          lazy="select")

    @property
    def is_final(self) -> bool:
        """Tell whether the submission waits for nothing (done, or waiting for a change)."""
        return self.state in FINAL_STATES


__all__ = ["CHANNELS", "FINAL_STATES", "STATES", "EinvoiceCertificate", "EinvoiceSubmission", "VerifactuChainHead",
           "VerifactuRecord"]
