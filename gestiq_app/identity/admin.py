"""Back-office screen of tenant users: list across tenants, reset password, deactivate."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect
from flask_appbuilder.actions import action
from werkzeug.wrappers import Response

from gestiq_app.admin.views_base import UUIDSQLAInterface, admin_actor
from gestiq_app.admin.views_base import ReadOnlyModelView
from gestiq_app.identity.models import TenantUser
from gestiq_app.identity.services import deactivate_user, reset_user_password


class TenantUserView(ReadOnlyModelView):
    """Tenant users (read-only list; password reset and deactivation as audited actions)."""

    datamodel = UUIDSQLAInterface(TenantUser)
    list_title = "Usuarios de empresas"
    show_title = "Usuario"
    base_permissions = ["can_list", "can_show", "can_reset_password", "can_deactivate"]
    list_columns = ["tenant", "email", "name", "role", "is_active", "created_at"]
    show_columns = ["tenant", "email", "name", "role", "is_active", "created_at", "updated_at"]
    search_columns = ["tenant", "email", "name", "role", "is_active"]
    label_columns = {
        "tenant": "Empresa",
        "email": "Correo",
        "name": "Nombre",
        "role": "Rol",
        "is_active": "Activo",
        "created_at": "Alta",
        "updated_at": "Modificado",
    }

    @action("reset_password", "Restablecer contraseña", "¿Generar una contraseña temporal nueva?", "fa-key", multiple=False)
    def reset_password(self, item: Any) -> Response:
        """Give the user a temporary password, shown once to the operator."""
        items = item if isinstance(item, list) else [item]
        for user in items:
            temporary = reset_user_password(tenant_id=user.tenant_id, user_id=user.id, actor=admin_actor())
            flash(f"Contraseña temporal de {user.email}: {temporary}", "info")
        return redirect(self.get_redirect())

    @action("deactivate", "Desactivar", "¿Desactivar los usuarios seleccionados?", "fa-ban")
    def deactivate(self, items: Any) -> Response:
        """Deactivate the selected users."""
        items = items if isinstance(items, list) else [items]
        for user in items:
            deactivate_user(tenant_id=user.tenant_id, user_id=user.id, actor=admin_actor())
        flash(f"{len(items)} usuario(s) desactivado(s)", "success")
        return redirect(self.get_redirect())
