"""Back-office support views of sales documents: read-only, across tenants.

They list and show only (`ReadOnlyModelView`): FAB creates no add/edit/delete permission for them, so
not even an Admin can change or delete an invoice here; issued invoices are also guarded by the model.
"""

from __future__ import annotations

from flask_appbuilder.models.sqla.filters import FilterInFunction

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.sales.models import SalesDocument, SalesDocumentLine

INVOICE_KINDS = ["invoice", "credit_note"]


def _invoice_kinds() -> list[str]:
    return INVOICE_KINDS


class SalesDocumentLineView(ReadOnlyModelView):
    """Lines of a document, shown under the document."""

    datamodel = UUIDSQLAInterface(SalesDocumentLine)
    list_title = "Líneas"
    list_columns = ["position", "description", "quantity", "unit_price", "discount_percent", "tax_category", "tax_rate",
                    "recargo_rate", "withholding_rate", "base_amount"]
    base_order = ("position", "asc")
    label_columns = {
        "position": "Nº", "description": "Descripción", "quantity": "Cantidad", "unit_price": "Precio",
        "discount_percent": "Dto. %", "tax_category": "Categoría", "tax_rate": "IVA %", "recargo_rate": "Recargo %",
        "withholding_rate": "IRPF %", "base_amount": "Base",
    }


class InvoiceSupportView(ReadOnlyModelView):
    """Invoices and credit notes of every tenant, for support."""

    datamodel = UUIDSQLAInterface(SalesDocument)
    base_filters = [["kind", FilterInFunction, _invoice_kinds]]
    related_views = [SalesDocumentLineView]
    list_title = "Facturas"
    show_title = "Factura"
    list_columns = ["tenant", "kind", "full_number", "issue_date", "customer_name", "subtotal", "tax_total", "total", "state"]
    show_columns = [
        "tenant", "tenant_id", "id", "kind", "state", "full_number", "issue_date", "due_date", "issued_at", "customer_name",
        "customer_tax_id", "currency", "subtotal", "tax_total", "recargo_total", "withholding_total", "total", "amount_paid",
        "amount_credited", "amount_due", "rectified_document_id", "rectification_type", "rectification_method", "reason",
        "notes", "created_at", "updated_at",
    ]
    search_columns = ["tenant", "kind", "state", "full_number", "customer_name", "customer_tax_id", "issue_date"]
    base_order = ("issue_date", "desc")
    label_columns = {
        "tenant": "Empresa", "tenant_id": "Empresa (id)", "kind": "Tipo", "state": "Estado", "full_number": "Número",
        "issue_date": "Fecha", "due_date": "Vencimiento", "issued_at": "Emitida el", "customer_name": "Cliente",
        "customer_tax_id": "NIF/RUC del cliente", "currency": "Moneda", "subtotal": "Base imponible", "tax_total": "IVA",
        "recargo_total": "Recargo", "withholding_total": "Retención", "total": "Total", "amount_paid": "Cobrado",
        "amount_credited": "Rectificado", "amount_due": "Pendiente", "rectified_document_id": "Rectifica a",
        "rectification_type": "Tipo de rectificativa", "rectification_method": "Método", "reason": "Motivo", "notes": "Notas",
        "created_at": "Creada", "updated_at": "Actualizada",
    }
