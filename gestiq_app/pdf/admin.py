"""Back-office view of bulk PDF exports (support: which export failed, for whom, why)."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.pdf.models import PdfExport


class PdfExportView(ReadOnlyModelView):
    """Bulk PDF exports of every tenant."""

    datamodel = UUIDSQLAInterface(PdfExport)
    list_title = "Exportaciones de PDF"
    show_title = "Exportación de PDF"
    list_columns = ["created_at", "tenant_id", "state", "done", "total", "size_bytes", "finished_at"]
    show_columns = ["created_at", "tenant_id", "requested_by", "state", "done", "total", "storage_key", "size_bytes", "error",
                    "finished_at"]
    search_columns = ["state", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = {
        "created_at": "Fecha", "tenant_id": "Empresa (id)", "requested_by": "Solicitada por", "state": "Estado", "done": "Hechas",
        "total": "Total", "storage_key": "Archivo", "size_bytes": "Tamaño (bytes)", "error": "Error", "finished_at": "Terminada",
    }
