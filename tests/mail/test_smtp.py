"""Mail leaves through SMTP, after the commit, when GESTIQ_SMTP_URL is set; it stays in the outbox otherwise."""

from __future__ import annotations

import socket
from email import message_from_string
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.mail.models import OutboundEmail
from gestiq_app.tenancy.context import tenant_context


class Recorder:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 - aiosmtpd API
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture()
def smtp_server():  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, recorder
    controller.stop()


def _emails(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return [(e.to_address, e.state, e.attempts) for e in db.session.scalars(select(OutboundEmail))]


def test_password_reset_mail_is_sent_by_smtp(app, client, tenant_pair, smtp_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    port, recorder = smtp_server
    tenant_a, _ = tenant_pair
    monkeypatch.setitem(app.config, "GESTIQ_SMTP_URL", f"smtp://127.0.0.1:{port}")
    response = client.post("/api/v1/tenant/auth/password-reset", json={"tenant": tenant_a.slug, "email": f"owner@{tenant_a.slug}.test"})
    assert response.status_code == 202
    assert len(recorder.messages) == 1
    sender, recipients, content = recorder.messages[0]
    assert recipients == [f"owner@{tenant_a.slug}.test"]
    message = message_from_string(content, policy=default)
    assert message["Subject"] == "Restablecer tu contraseña de GestiQCloud"
    assert "/app/password-reset/confirm#token=" in message.get_content()
    assert _emails(app, tenant_a) == [(f"owner@{tenant_a.slug}.test", "sent", 1)]


def test_an_unreachable_smtp_server_leaves_the_mail_queued_for_retry(app, client, tenant_pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    monkeypatch.setitem(app.config, "GESTIQ_SMTP_URL", "smtp://127.0.0.1:1")
    response = client.post("/api/v1/tenant/auth/password-reset", json={"tenant": tenant_a.slug, "email": f"owner@{tenant_a.slug}.test"})
    assert response.status_code == 202
    [(to_address, state, attempts)] = _emails(app, tenant_a)
    assert (to_address, state) == (f"owner@{tenant_a.slug}.test", "queued")
    assert attempts >= 1
