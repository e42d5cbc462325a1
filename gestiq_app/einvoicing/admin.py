"""Back-office view of e-invoice submissions across tenants, with the authority's messages (read-only)."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.einvoicing.models import EinvoiceSubmission


class EinvoiceSubmissionView(ReadOnlyModelView):
    """Submissions to the SRI and the AEAT of every tenant, filterable by state, channel and tenant."""

    datamodel = UUIDSQLAInterface(EinvoiceSubmission)
    list_title = "Envíos de facturación electrónica"
    show_title = "Envío"
    list_columns = ["created_at", "tenant", "channel", "document_kind", "reference", "state", "authority_state",
                    "attempts", "next_attempt_at"]
    show_columns = ["created_at", "updated_at", "tenant", "tenant_id", "channel", "document_kind", "document_id", "reference",
                    "environment", "state", "authority_state", "attempts", "last_attempt_at", "next_attempt_at",
                    "messages", "last_error", "authorization_number", "authorized_at", "finished_at"]
    search_columns = ["tenant", "state", "channel", "reference", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = {
        "created_at": "Creado", "updated_at": "Actualizado", "tenant": "Empresa", "tenant_id": "Empresa (id)", "channel": "Canal",
        "document_kind": "Tipo", "document_id": "Documento (id)", "reference": "Clave / huella", "environment": "Ambiente",
        "state": "Estado", "authority_state": "Estado en la administración", "attempts": "Intentos",
        "last_attempt_at": "Último intento", "next_attempt_at": "Próximo intento", "messages": "Mensajes de la administración",
        "last_error": "Último error", "authorization_number": "Nº autorización / CSV", "authorized_at": "Fecha de autorización",
        "finished_at": "Terminado",
    }
