"""Back-office support views of accounting: the charts and journals of every tenant, read-only.

`ReadOnlyModelView`: FAB creates no add/edit/delete permission for them; posted entries are also guarded by
the model and the database (append-only).
"""

from __future__ import annotations

from gestiq_app.accounting.models import Account, JournalEntry, JournalLine
from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface


class AccountSupportView(ReadOnlyModelView):
    """Charts of accounts of every tenant."""

    datamodel = UUIDSQLAInterface(Account)
    list_title = "Cuentas contables"
    show_title = "Cuenta contable"
    list_columns = ["tenant", "code", "name", "type", "is_postable", "is_system"]
    show_columns = ["tenant", "tenant_id", "id", "code", "name", "type", "parent_id", "is_postable", "is_system", "created_at"]
    search_columns = ["tenant", "code", "name", "type", "is_system"]
    base_order = ("code", "asc")
    label_columns = {
        "tenant": "Empresa", "tenant_id": "Empresa (id)", "code": "Código", "name": "Nombre", "type": "Tipo",
        "parent_id": "Cuenta padre", "is_postable": "Admite asientos", "is_system": "Del plan del país", "created_at": "Creada",
    }


class JournalLineSupportView(ReadOnlyModelView):
    """Lines of an entry, shown under the entry."""

    datamodel = UUIDSQLAInterface(JournalLine)
    list_title = "Líneas del asiento"
    list_columns = ["position", "account", "debit", "credit", "party_id", "description", "tax_rate", "tax_base"]
    base_order = ("position", "asc")
    label_columns = {
        "position": "Nº", "account": "Cuenta", "debit": "Debe", "credit": "Haber", "party_id": "Cliente/proveedor",
        "description": "Concepto", "tax_rate": "Tipo %", "tax_base": "Base",
    }


class JournalEntrySupportView(ReadOnlyModelView):
    """Journal entries of every tenant, for support."""

    datamodel = UUIDSQLAInterface(JournalEntry)
    related_views = [JournalLineSupportView]
    list_title = "Asientos contables"
    show_title = "Asiento contable"
    list_columns = ["tenant", "entry_date", "description", "source_type", "reference", "is_posted", "created_by"]
    show_columns = ["tenant", "tenant_id", "id", "entry_date", "description", "source_type", "source_id", "reference",
                    "reversal_of_id", "is_posted", "created_by", "created_at"]
    search_columns = ["tenant", "entry_date", "description", "source_type", "reference", "created_by"]
    base_order = ("entry_date", "desc")
    label_columns = {
        "tenant": "Empresa", "tenant_id": "Empresa (id)", "entry_date": "Fecha", "description": "Concepto",
        "source_type": "Origen", "source_id": "Documento de origen", "reference": "Referencia", "reversal_of_id": "Anula a",
        "is_posted": "Contabilizado", "created_by": "Autor", "created_at": "Creado",
    }
