"""Back-office audit log: read-only and filterable."""

from __future__ import annotations


from gestiq_app.admin.views_base import UUIDSQLAInterface, ReadOnlyModelView
from gestiq_app.audit.models import AuditEvent


class AuditEventView(ReadOnlyModelView):
    """The audit log of every tenant and of the platform."""

    datamodel = UUIDSQLAInterface(AuditEvent)
    list_title = "Registro de auditoría"
    show_title = "Evento de auditoría"
    list_columns = ["created_at", "tenant", "actor", "action", "entity", "entity_id", "request_id"]
    show_columns = ["created_at", "tenant", "tenant_id", "actor", "action", "entity", "entity_id", "changes", "request_id"]
    search_columns = ["tenant", "actor", "action", "entity", "entity_id", "request_id", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = {
        "created_at": "Fecha",
        "tenant": "Empresa",
        "tenant_id": "Empresa (id)",
        "actor": "Autor",
        "action": "Acción",
        "entity": "Entidad",
        "entity_id": "Id de entidad",
        "changes": "Cambios",
        "request_id": "Id de petición",
    }
