"""Back-office screens of customers and suppliers: read-only, across tenants, for support."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.crm.models import Customer, Supplier

PARTY_LABELS = {
    "tenant": "Empresa",
    "legal_name": "Razón social",
    "trade_name": "Nombre comercial",
    "country": "País",
    "tax_id_type": "Tipo de identificación",
    "tax_id": "Identificación fiscal",
    "email": "Correo",
    "phone": "Teléfono",
    "address": "Dirección",
    "addresses": "Otras direcciones",
    "contacts": "Contactos",
    "payment_terms_days": "Días de pago",
    "price_list_id": "Tarifa (id)",
    "tags": "Etiquetas",
    "notes": "Notas",
    "is_active": "Activo",
    "has_recargo_equivalencia": "Recargo de equivalencia",
    "is_irpf_professional": "Profesional con IRPF",
    "is_contribuyente_especial": "Contribuyente especial",
    "is_rimpe": "RIMPE",
    "version": "Versión",
    "created_at": "Alta",
    "updated_at": "Modificado",
}
LIST_COLUMNS = ["tenant", "legal_name", "tax_id", "country", "email", "is_active", "created_at"]
SHOW_COLUMNS = ["tenant", *[name for name in PARTY_LABELS if name not in ("tenant", "price_list_id")]]
SEARCH_COLUMNS = ["tenant", "legal_name", "trade_name", "tax_id", "email", "country", "is_active"]


class CustomerView(ReadOnlyModelView):
    """Customers of every tenant (support reads them to answer tickets)."""

    datamodel = UUIDSQLAInterface(Customer)
    list_title = "Clientes de las empresas"
    show_title = "Cliente"
    list_columns = LIST_COLUMNS
    show_columns = [*SHOW_COLUMNS, "price_list_id"]
    search_columns = SEARCH_COLUMNS
    order_columns = ["legal_name", "tax_id", "country", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = PARTY_LABELS


class SupplierView(ReadOnlyModelView):
    """Suppliers of every tenant."""

    datamodel = UUIDSQLAInterface(Supplier)
    list_title = "Proveedores de las empresas"
    show_title = "Proveedor"
    list_columns = LIST_COLUMNS
    show_columns = SHOW_COLUMNS
    search_columns = SEARCH_COLUMNS
    order_columns = ["legal_name", "tax_id", "country", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = PARTY_LABELS
