"""Queue e-mails in the outbox and send them (SMTP when configured; the outbox alone in the embedded default)."""

from __future__ import annotations

import smtplib
import uuid
from typing import Any
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from flask import current_app
from sqlalchemy import select

from gestiq_app import storage
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.mail.models import OutboundEmail

SMTP_TIMEOUT_SECONDS = 15


def queue_email(*, to_address: str, subject: str, body_text: str, cc_addresses: list[str] | None = None,
                attachments: list[dict[str, Any]] | None = None) -> OutboundEmail:
    """Add an e-mail to the current tenant's outbox (inside the caller's transaction); sent after commit.

    `attachments` name files of the tenant's storage ({"key", "filename", "content_type"}); they are read
    when the e-mail is sent, so the outbox row stays small.
    """
    email = OutboundEmail(to_address=to_address, subject=subject, body_text=body_text, state="queued",
                          cc_addresses=list(cc_addresses or []), attachments=list(attachments or []))
    session().add(email)
    session().flush()
    if current_app.config["GESTIQ_SMTP_URL"]:
        from gestiq_app.mail.tasks import enqueue_after_commit

        enqueue_after_commit(email.tenant_id, email.id)
    return email


def send_email(*, email_id: uuid.UUID) -> str:
    """Send one queued e-mail by SMTP; return its new state (sent, queued for retry, or failed)."""
    url = urlparse(current_app.config["GESTIQ_SMTP_URL"])
    with unit_of_work() as current:
        email = current.scalar(select(OutboundEmail).where(OutboundEmail.id == email_id).with_for_update())
        if email is None or email.state == "sent":
            return "sent" if email else "missing"
        message = EmailMessage()
        message["From"] = current_app.config["GESTIQ_MAIL_FROM"]
        message["To"] = email.to_address
        message["Subject"] = email.subject
        if email.cc_addresses:
            message["Cc"] = ", ".join(email.cc_addresses)
        message.set_content(email.body_text)
        add_attachments(message, email)
        email.attempts += 1
        try:
            smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
            with smtp_class(url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25), timeout=SMTP_TIMEOUT_SECONDS) as client:
                if url.scheme == "smtp" and url.port == 587:
                    client.starttls()
                if url.username:
                    client.login(unquote(url.username), unquote(url.password or ""))
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            email.last_error = f"{type(error).__name__}: {error}"
            email.state = "failed" if email.attempts >= 5 else "queued"
            return email.state
        email.state, email.sent_at, email.last_error = "sent", utcnow(), None
    return "sent"


def add_attachments(message: EmailMessage, email: OutboundEmail) -> None:
    """Attach the e-mail's stored files to `message` (a missing file is an error: the e-mail would lie)."""
    for attachment in email.attachments or []:
        maintype, _, subtype = str(attachment.get("content_type") or "application/octet-stream").partition("/")
        message.add_attachment(storage.read_bytes(email.tenant_id, attachment["key"]), maintype=maintype,
                               subtype=subtype or "octet-stream", filename=attachment.get("filename") or attachment["key"].rsplit("/", 1)[-1])
