"""Tenant use cases: provision, change status, configure modules."""

from __future__ import annotations

import uuid
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gestiq_app.accounting.chart import ensure_chart
from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work
from gestiq_app.identity.services import add_user
from gestiq_app.tenancy.context import platform_scope, tenant_context
from gestiq_app.tenancy.exceptions import TenantConflictError, TenantInvalidError, TenantNotFoundError
from gestiq_app.tenancy.models import (
    CURRENCY_BY_COUNTRY,
    LOCALE_BY_COUNTRY,
    MODULES,
    TIMEZONE_BY_COUNTRY,
    Plan,
    SectorTemplate,
    Tenant,
    TenantModule,
)
from gestiq_app.tenancy.schemas import TenantCreateSchema, TenantStatusSchema

DEFAULT_SECTOR = "general"


def _validation_error(error: ValidationError) -> TenantInvalidError:
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return TenantInvalidError("Los datos de la empresa no son válidos", errors=messages)  # type: ignore[arg-type]


def create_tenant(*, data: dict[str, Any], actor: str) -> Tenant:
    """Provision a tenant: the company, its modules from the sector template and its owner user."""
    try:
        values = TenantCreateSchema().load(data)
    except ValidationError as error:
        raise _validation_error(error) from error
    with unit_of_work() as current:
        template = _get_sector_template(values.get("sector") or DEFAULT_SECTOR)
        plan = _get_plan(values["plan"]) if values.get("plan") else None
        country = values["country"]
        tenant = Tenant(
            id=uuid.uuid4(),
            slug=values["slug"],
            legal_name=values["legal_name"].strip(),
            tax_id=values["tax_id"],
            country=country,
            currency=CURRENCY_BY_COUNTRY[country],
            locale=LOCALE_BY_COUNTRY[country],
            timezone=TIMEZONE_BY_COUNTRY[country],
            sector_template_id=template.id,
            plan_id=plan.id if plan else None,
            status="active",
        )
        current.add(tenant)
        try:
            current.flush()
        except IntegrityError as error:
            raise TenantConflictError(
                "Ya existe una empresa con ese identificador o NIF/RUC",
                errors={"slug": ["Ya existe una empresa con este identificador o número fiscal."]},
            ) from error
        with tenant_context(tenant.id):
            for module in MODULES:
                current.add(
                    TenantModule(
                        module=module,
                        is_enabled=module in template.default_modules,
                        settings=dict(template.default_settings.get(module, {})),
                    )
                )
            # The country's chart of accounts, so the first invoice can post (accounting module).
            ensure_chart(tenant_id=tenant.id, country=country)
            owner = add_user(
                email=values["owner_email"],
                name=values.get("owner_name") or values["owner_email"].split("@")[0],
                password=values["owner_password"],
                role="owner",
            )
            current.flush()
            record_event(
                actor=actor,
                action="tenant.created",
                entity="tenant",
                entity_id=tenant.id,
                changes={"slug": tenant.slug, "sector": template.code, "owner": owner.email},
            )
            current.flush()
    return tenant


def _get_sector_template(code: str) -> SectorTemplate:
    template = session().scalar(select(SectorTemplate).where(SectorTemplate.code == code))
    if template is None:
        raise TenantInvalidError("Plantilla sectorial desconocida", errors={"sector": [f"No existe la plantilla «{code}»."]})
    return template


def _get_plan(code: str) -> Plan:
    plan = session().scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise TenantInvalidError("Plan desconocido", errors={"plan": [f"No existe el plan «{code}»."]})
    return plan


def get_tenant_by_slug(*, slug: str) -> Tenant:
    """Return the tenant with that slug or raise TenantNotFoundError."""
    tenant = session().scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise TenantNotFoundError("Empresa no encontrada")
    return tenant


def update_tenant_status(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Tenant:
    """Suspend or reactivate a tenant."""
    try:
        values = TenantStatusSchema().load(data)
    except ValidationError as error:
        raise _validation_error(error) from error
    with unit_of_work() as current:
        tenant = current.get(Tenant, tenant_id, with_for_update=True)
        if tenant is None:
            raise TenantNotFoundError("Empresa no encontrada")
        previous = tenant.status
        tenant.status = values["status"]
        record_event(
            actor=actor,
            action="tenant.status_changed",
            entity="tenant",
            entity_id=tenant.id,
            changes={"status": [previous, tenant.status]},
            tenant_id=tenant.id,
        )
    return tenant


def list_enabled_modules(*, tenant_id: uuid.UUID) -> list[str]:
    """Return the modules enabled for a tenant, in the platform's order."""
    with tenant_context(tenant_id):
        rows = session().scalars(select(TenantModule.module).where(TenantModule.is_enabled.is_(True))).all()
    enabled = set(rows)
    return [module for module in MODULES if module in enabled]


def set_module(*, tenant_id: uuid.UUID, module: str, is_enabled: bool, actor: str) -> TenantModule:
    """Enable or disable one module of a tenant."""
    if module not in MODULES:
        raise TenantInvalidError("Módulo desconocido", errors={"module": [f"No existe el módulo «{module}»."]})
    with tenant_context(tenant_id), unit_of_work() as current:
        row = current.scalar(select(TenantModule).where(TenantModule.module == module))
        if row is None:
            row = TenantModule(module=module, is_enabled=is_enabled, settings={})
            current.add(row)
        previous = row.is_enabled
        row.is_enabled = is_enabled
        current.flush()
        record_event(
            actor=actor,
            action="tenant.module_changed",
            entity="tenant_module",
            entity_id=row.id,
            changes={"module": module, "is_enabled": [previous, is_enabled]},
        )
    return row


def list_tenants(*, actor: str) -> list[Tenant]:
    """Return every tenant (platform scope)."""
    with platform_scope(actor=actor, reason="list tenants"):
        return list(session().scalars(select(Tenant).order_by(Tenant.slug)))
