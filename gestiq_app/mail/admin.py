"""Back-office view of the e-mail outbox (where mail waits, or stays, in the embedded default)."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.mail.models import OutboundEmail


class OutboundEmailView(ReadOnlyModelView):
    """Outgoing e-mails of every tenant."""

    datamodel = UUIDSQLAInterface(OutboundEmail)
    list_title = "Correo saliente"
    show_title = "Correo"
    list_columns = ["created_at", "tenant_id", "to_address", "subject", "state", "attempts", "sent_at"]
    show_columns = ["created_at", "tenant_id", "to_address", "cc_addresses", "subject", "body_text", "attachments", "state", "attempts",
                    "last_error", "sent_at"]
    search_columns = ["to_address", "subject", "state", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = {
        "created_at": "Fecha", "tenant_id": "Empresa (id)", "to_address": "Para", "subject": "Asunto", "body_text": "Texto",
        "cc_addresses": "CC", "attachments": "Adjuntos",
        "state": "Estado", "attempts": "Intentos", "last_error": "Último error", "sent_at": "Enviado",
    }
