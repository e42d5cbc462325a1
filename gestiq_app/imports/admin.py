"""Back-office monitoring of import batches across tenants (read-only): state, counts, timings, errors."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.imports.models import ImportBatch

LABELS = {
    "created_at": "Creado", "updated_at": "Actualizado", "tenant": "Empresa", "tenant_id": "Empresa (id)", "kind": "Tipo",
    "source_name": "Origen", "state": "Estado", "duplicate_policy": "Duplicados", "options": "Opciones de lectura",
    "headers": "Columnas", "mapping": "Asignación de columnas", "file_size": "Tamaño (bytes)", "total_items": "Filas",
    "processed_items": "Filas validadas", "promoted_items": "Filas importadas", "chunks_done": "Bloques importados",
    "timings": "Tiempos", "error": "Error", "created_by": "Creado por",
}


class ImportBatchView(ReadOnlyModelView):
    """Import batches of every tenant, filterable by state, kind and tenant (a stuck `promoting` batch shows here)."""

    datamodel = UUIDSQLAInterface(ImportBatch)
    list_title = "Importaciones"
    show_title = "Lote de importación"
    list_columns = ["created_at", "tenant", "kind", "source_name", "state", "total_items", "processed_items", "promoted_items", "updated_at"]
    show_columns = ["created_at", "updated_at", "tenant", "tenant_id", "kind", "source_name", "state", "duplicate_policy", "options",
                    "headers", "mapping", "file_size", "total_items", "processed_items", "promoted_items", "chunks_done", "timings",
                    "error", "created_by"]
    search_columns = ["tenant", "state", "kind", "source_name", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = LABELS
