"""Bulk PDF exports: one row per requested zip, holding its state and progress (the task only moves it on)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gestiq_app.db import Base, TenantScoped, Timestamped

EXPORT_STATES = ("queued", "running", "done", "failed")


class PdfExport(TenantScoped, Timestamped, Base):
    """A zip of invoice PDFs being built (or built) for the tenant."""

    __tablename__ = "pdf_exports"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        CheckConstraint("total >= 0 AND done >= 0 AND done <= total", name="progress"),
    )

    state: Mapped[str] = mapped_column(String(12), default="queued")
    #: The invoices to export, fixed when the export is requested (a later filter match is not added).
    document_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def percent(self) -> int:
        """Return the progress as a whole percentage (100 when there was nothing to do)."""
        return 100 if self.total == 0 else (self.done * 100) // self.total

    def __str__(self) -> str:
        return f"Exportación {str(self.id)[:8]} ({self.state})"

    def as_summary(self) -> dict[str, Any]:
        """Return the fields the API shows."""
        return {"id": self.id, "state": self.state, "total": self.total, "done": self.done, "percent": self.percent,
                "size_bytes": self.size_bytes, "error": self.error, "created_at": self.created_at, "finished_at": self.finished_at}


def new_export_id() -> uuid.UUID:
    """Return a fresh export id."""
    return uuid.uuid4()
