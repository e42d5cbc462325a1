"""Platform table of failed background jobs, written by Huey's error signal (see gestiq_app.ops.job_signals)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from gestiq_app.db import Base, utcnow


class JobFailure(Base):
    """One failed run of a Huey task: what ran, with which (secret-free) arguments, and the error."""

    __tablename__ = "job_failures"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    task_name: Mapped[str] = mapped_column(String(200), index=True)
    task_id: Mapped[str] = mapped_column(String(64))
    #: Printable arguments with secret-looking values masked.
    args_summary: Mapped[str] = mapped_column(Text, default="")
    #: The real arguments, kept only when none was masked (then the job can be retried from the back office).
    task_args: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(Text)
    #: Huey itself will run the task again (it had retries left when it failed).
    will_retry: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retried_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    @property
    def is_retryable(self) -> bool:
        """Tell whether the back office may enqueue the task again."""
        return self.task_args is not None and self.retried_at is None
