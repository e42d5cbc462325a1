"""Back-office views of payments across tenants (read-only). Provider secrets are never listed or shown:
the credentials column is not in any column list, only the names of the secrets that are set."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.payments.models import Payment, PaymentProviderAccount, ProviderEvent


class PaymentSupportView(ReadOnlyModelView):
    """Payments of every tenant, for support."""

    datamodel = UUIDSQLAInterface(Payment)
    list_title = "Cobros"
    show_title = "Cobro"
    list_columns = ["paid_on", "tenant", "method", "amount", "applied_amount", "credit_amount", "amount_refunded", "currency"]
    show_columns = ["tenant", "tenant_id", "id", "document_id", "customer_id", "method", "provider_reference", "amount",
                    "applied_amount", "credit_amount", "amount_refunded", "currency", "paid_on", "reference", "recorded_by", "created_at"]
    search_columns = ["tenant", "method", "paid_on", "provider_reference"]
    base_order = ("paid_on", "desc")
    label_columns = {
        "tenant": "Empresa", "tenant_id": "Empresa (id)", "document_id": "Factura (id)", "customer_id": "Cliente (id)",
        "method": "Método", "provider_reference": "Referencia del proveedor", "amount": "Importe", "applied_amount": "Aplicado",
        "credit_amount": "Saldo a favor", "amount_refunded": "Devuelto", "currency": "Moneda", "paid_on": "Fecha",
        "reference": "Referencia", "recorded_by": "Registrado por", "created_at": "Creado",
    }


class PaymentProviderAccountView(ReadOnlyModelView):
    """Which tenants use which provider (secrets: names only)."""

    datamodel = UUIDSQLAInterface(PaymentProviderAccount)
    list_title = "Proveedores de pago"
    show_title = "Proveedor de pago"
    list_columns = ["tenant", "provider", "is_active", "secret_names", "updated_at"]
    show_columns = ["tenant", "tenant_id", "provider", "is_active", "secret_names", "settings", "updated_by", "updated_at"]
    search_columns = ["tenant", "provider", "is_active"]
    base_order = ("updated_at", "desc")
    label_columns = {"tenant": "Empresa", "tenant_id": "Empresa (id)", "provider": "Proveedor", "is_active": "Activo",
                     "secret_names": "Secretos configurados", "settings": "Ajustes", "updated_by": "Actualizado por",
                     "updated_at": "Actualizado"}


class ProviderEventView(ReadOnlyModelView):
    """Provider notifications and how their processing went."""

    datamodel = UUIDSQLAInterface(ProviderEvent)
    list_title = "Notificaciones de pago"
    show_title = "Notificación de pago"
    list_columns = ["received_at", "tenant", "provider", "event_type", "state", "attempts"]
    show_columns = ["tenant", "tenant_id", "provider", "event_id", "event_type", "state", "attempts", "received_at", "processed_at",
                    "last_error"]
    search_columns = ["tenant", "provider", "event_type", "state"]
    base_order = ("received_at", "desc")
    label_columns = {"tenant": "Empresa", "tenant_id": "Empresa (id)", "provider": "Proveedor", "event_id": "Id del evento",
                     "event_type": "Tipo", "state": "Estado", "attempts": "Intentos", "received_at": "Recibido",
                     "processed_at": "Procesado", "last_error": "Último error"}
