"""Back-office screens of tenants, plans, sector templates and module configuration."""

from __future__ import annotations

from typing import Any

from flask import flash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from gestiq_app.admin.views_base import UUIDSQLAInterface, AuditedModelView, admin_actor
from gestiq_app.tenancy.exceptions import DomainError
from gestiq_app.tenancy.models import Plan, SectorTemplate, Tenant, TenantModule
from gestiq_app.tenancy.services import create_tenant


class AdminFormError(ValueError):
    """A business-rule error shown to the operator as the form's message."""


def label_of(field: str) -> str:
    """Return the Spanish label of a tenant form field."""
    return TenantView.label_columns.get(field, field)


class TenantDataModel(UUIDSQLAInterface):
    """Datamodel whose `add` provisions the tenant through the service (modules, owner, audit)."""

    def add(self, item: Any, raise_exception: bool = False) -> bool:
        """Provision a tenant from the admin form."""
        self.session.rollback()
        try:
            tenant = create_tenant(
                data={
                    "slug": item.slug,
                    "legal_name": item.legal_name,
                    "country": item.country,
                    "tax_id": item.tax_id,
                    "sector": item.sector_template.code if item.sector_template else None,
                    "plan": item.plan.code if item.plan else None,
                    "owner_email": getattr(item, "owner_email", ""),
                    "owner_name": getattr(item, "owner_name", None),
                    "owner_password": getattr(item, "owner_password", ""),
                },
                actor=admin_actor(),
            )
        except DomainError as error:
            # FAB 5.3 shows the text of an exception raised by datamodel.add as the flash message.
            details = "; ".join(f"{label_of(field)}: {' '.join(map(str, msgs))}" for field, msgs in error.errors.items())
            raise AdminFormError(f"{error.message}. {details}".strip()) from error
        item.id = tenant.id
        return True


class TenantView(AuditedModelView):
    """Tenants: creating one provisions its modules and first owner."""

    datamodel = TenantDataModel(Tenant)
    list_title = "Empresas"
    show_title = "Empresa"
    add_title = "Nueva empresa"
    edit_title = "Editar empresa"
    list_columns = ["slug", "legal_name", "tax_id", "country", "status", "plan", "created_at"]
    search_columns = ["slug", "legal_name", "tax_id", "country", "status"]
    order_columns = ["slug", "legal_name", "country", "status", "created_at"]
    add_columns = ["slug", "legal_name", "country", "tax_id", "sector_template", "plan", "owner_email", "owner_name", "owner_password"]
    edit_columns = ["legal_name", "timezone", "status", "plan"]
    show_columns = ["id", "slug", "legal_name", "tax_id", "country", "currency", "locale", "timezone", "status", "sector_template", "plan", "created_at", "updated_at"]
    label_columns = {
        "slug": "Identificador",
        "legal_name": "Razón social",
        "tax_id": "NIF / RUC",
        "country": "País",
        "currency": "Moneda",
        "timezone": "Zona horaria",
        "status": "Estado",
        "plan": "Plan",
        "sector_template": "Plantilla sectorial",
        "created_at": "Alta",
        "updated_at": "Modificada",
        "owner_email": "Correo del propietario",
        "owner_name": "Nombre del propietario",
        "owner_password": "Contraseña inicial del propietario",
    }
    add_form_extra_fields = {
        "owner_email": StringField("Correo del propietario", validators=[DataRequired(), Email()]),
        "owner_name": StringField("Nombre del propietario", validators=[Length(max=200)]),
        "owner_password": PasswordField("Contraseña inicial del propietario", validators=[DataRequired(), Length(min=10)]),
    }

    add_row_message = "Empresa creada con su propietario y sus módulos"

    def post_add(self, item: Any) -> None:
        """Skip the generic audit: the provisioning service already audited the creation."""


class TenantBillingView(AuditedModelView):
    """Plan and status of tenants, for the Billing role."""

    datamodel = UUIDSQLAInterface(Tenant)
    route_base = "/billing/tenants"
    list_title = "Facturación de empresas"
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["slug", "legal_name", "status", "plan"]
    show_columns = ["slug", "legal_name", "status", "plan"]
    edit_columns = ["status", "plan"]
    label_columns = TenantView.label_columns


class PlanView(AuditedModelView):
    """Subscription plans."""

    datamodel = UUIDSQLAInterface(Plan)
    list_title = "Planes"
    list_columns = ["code", "name", "monthly_price", "currency", "is_active"]
    add_columns = edit_columns = ["code", "name", "monthly_price", "currency", "is_active"]
    label_columns = {"code": "Código", "name": "Nombre", "monthly_price": "Precio mensual", "currency": "Moneda", "is_active": "Activo"}


class SectorTemplateView(AuditedModelView):
    """Sector templates: default modules and settings."""

    datamodel = UUIDSQLAInterface(SectorTemplate)
    list_title = "Plantillas sectoriales"
    list_columns = ["code", "name", "default_modules"]
    add_columns = edit_columns = ["code", "name", "default_modules", "default_settings"]
    label_columns = {"code": "Código", "name": "Nombre", "default_modules": "Módulos", "default_settings": "Ajustes por defecto"}


class TenantModuleView(AuditedModelView):
    """Module configuration per tenant."""

    datamodel = UUIDSQLAInterface(TenantModule)
    list_title = "Módulos por empresa"
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["tenant", "module", "is_enabled"]
    search_columns = ["tenant", "module", "is_enabled"]
    edit_columns = ["is_enabled", "settings"]
    label_columns = {"tenant": "Empresa", "module": "Módulo", "is_enabled": "Activado", "settings": "Ajustes"}


def flash_error(message: str) -> None:
    """Show an error banner in the admin."""
    flash(message, "danger")
