"""Back-office support views of purchases: read-only, across tenants.

`ReadOnlyModelView`: FAB creates no add/edit/delete permission for them, so support can look at a
supplier invoice, its lines and its comprobante de retención but never change them (recorded documents
are also guarded by the model).
"""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.purchases.models import PurchaseDocument, PurchaseDocumentLine, PurchaseWithholding

DOCUMENT_LABELS = {
    "tenant": "Empresa", "tenant_id": "Empresa (id)", "kind": "Tipo", "state": "Estado", "supplier_number": "Número del proveedor",
    "issue_date": "Fecha", "due_date": "Vencimiento", "recorded_at": "Registrada el", "supplier_name": "Proveedor",
    "supplier_tax_id": "NIF/RUC del proveedor", "currency": "Moneda", "description": "Descripción", "expense_account": "Cuenta de gasto",
    "is_iva_deductible": "IVA deducible", "authorization_number": "Autorización SRI", "subtotal": "Base imponible", "tax_total": "IVA",
    "deductible_tax_total": "IVA deducible (importe)", "withholding_total": "Retenciones", "total": "Total", "amount_paid": "Pagado",
    "amount_due": "Pendiente", "notes": "Notas", "created_at": "Creada", "updated_at": "Actualizada",
}


class PurchaseDocumentLineView(ReadOnlyModelView):
    """Lines of a purchase document, shown under the document."""

    datamodel = UUIDSQLAInterface(PurchaseDocumentLine)
    list_title = "Líneas"
    list_columns = ["position", "description", "quantity", "unit_price", "discount_percent", "tax_category", "tax_rate",
                    "is_iva_deductible", "renta_withholding_category", "iva_withholding_category", "base_amount"]
    base_order = ("position", "asc")
    label_columns = {
        "position": "Nº", "description": "Descripción", "quantity": "Cantidad", "unit_price": "Precio", "discount_percent": "Dto. %",
        "tax_category": "Categoría", "tax_rate": "IVA %", "is_iva_deductible": "Deducible",
        "renta_withholding_category": "Retención renta", "iva_withholding_category": "Retención IVA", "base_amount": "Base",
    }


class PurchaseSupportView(ReadOnlyModelView):
    """Supplier invoices and expenses of every tenant, for support."""

    datamodel = UUIDSQLAInterface(PurchaseDocument)
    related_views = [PurchaseDocumentLineView]
    list_title = "Compras y gastos"
    show_title = "Documento de compra"
    list_columns = ["tenant", "kind", "supplier_number", "issue_date", "supplier_name", "subtotal", "tax_total", "total", "state"]
    show_columns = ["tenant", "tenant_id", "id", "kind", "state", "supplier_number", "issue_date", "due_date", "recorded_at",
                    "supplier_name", "supplier_tax_id", "currency", "description", "expense_account", "is_iva_deductible",
                    "authorization_number", "subtotal", "tax_total", "deductible_tax_total", "withholding_total", "total",
                    "amount_paid", "amount_due", "notes", "created_at", "updated_at"]
    search_columns = ["tenant", "kind", "state", "supplier_number", "supplier_name", "supplier_tax_id", "issue_date"]
    base_order = ("issue_date", "desc")
    label_columns = DOCUMENT_LABELS


class WithholdingSupportView(ReadOnlyModelView):
    """Comprobantes de retención (Ecuador) of every tenant, for support."""

    datamodel = UUIDSQLAInterface(PurchaseWithholding)
    list_title = "Comprobantes de retención"
    show_title = "Comprobante de retención"
    list_columns = ["tenant_id", "establishment", "emission_point", "sequential", "issue_date", "supplier_name", "total"]
    show_columns = ["tenant_id", "id", "document_id", "establishment", "emission_point", "sequential", "issue_date", "fiscal_period",
                    "supplier_name", "supplier_tax_id", "supplier_tax_id_type", "total", "created_at"]
    search_columns = ["supplier_name", "supplier_tax_id", "issue_date", "sequential"]
    base_order = ("issue_date", "desc")
    label_columns = {
        "tenant_id": "Empresa (id)", "document_id": "Factura (id)", "establishment": "Establecimiento", "emission_point": "Punto de emisión",
        "sequential": "Secuencial", "issue_date": "Fecha", "fiscal_period": "Periodo fiscal", "supplier_name": "Proveedor",
        "supplier_tax_id": "Identificación", "supplier_tax_id_type": "Tipo de identificación", "total": "Total retenido",
        "created_at": "Creado",
    }
