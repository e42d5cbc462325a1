"""A tenant's e-invoicing settings (the `einvoicing` row of tenant_modules) and when e-invoicing is active.

The tenant row holds the legal name, the tax id (RUC / NIF) and the country; everything else the authorities ask
for lives in the JSON settings of the tenant's `einvoicing` module, with these keys and defaults:

- Ecuador: `sri_environment` 1 (pruebas) or 2 (producción), `sri_establishment` "001", `sri_emission_point` "001"
  (used only when the invoice series prefix is not already "EEE-PPP-"), `head_office_address` (dirección matriz,
  required), `establishment_address`, `trade_name`, `is_accounting_required` (obligado a llevar contabilidad),
  `special_taxpayer_number` (contribuyente especial), `rimpe_label`, `sri_payment_method` (formaPago, "20").
- Spain: `verifactu_submission_enabled` (false): whether the chained records are also sent to the AEAT.

When is it active (decided here, documented in docs/modules/einvoicing.md):
- Ecuador: from the moment the tenant uploads its signing certificate. Without one there is nothing the SRI would
  accept, so invoices are issued as before and carry no submission.
- Spain: the VERI*FACTU record chain is ALWAYS kept for Spanish tenants (every invoicing system must keep it);
  the records are queued for the AEAT only when `verifactu_submission_enabled` is true.
Independently, GESTIQ_EINVOICE_SUBMIT=0 (the embedded default) keeps every queued submission pending: nothing
leaves the machine until an operator turns it on.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields
from typing import Any

from flask import current_app
from sqlalchemy import select

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work
from gestiq_app.einvoicing.exceptions import EinvoicingInvalidError
from gestiq_app.einvoicing.models import EinvoiceCertificate
from gestiq_app.tenancy.exceptions import TenantNotFoundError
from gestiq_app.tenancy.models import Tenant, TenantModule

THREE_DIGITS = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class EinvoicingSettings:
    """The e-invoicing settings of one tenant (defaults filled in)."""

    sri_environment: int = 1
    sri_establishment: str = "001"
    sri_emission_point: str = "001"
    head_office_address: str = ""
    establishment_address: str = ""
    trade_name: str = ""
    is_accounting_required: bool = False
    special_taxpayer_number: str = ""
    rimpe_label: str = ""
    sri_payment_method: str = "20"
    verifactu_submission_enabled: bool = False


SETTING_NAMES = tuple(field.name for field in fields(EinvoicingSettings))


def _coerce(values: dict[str, Any]) -> EinvoicingSettings:
    defaults = EinvoicingSettings()
    known = {name: values[name] for name in SETTING_NAMES if name in values and values[name] is not None}
    settings = EinvoicingSettings(**{**{name: getattr(defaults, name) for name in SETTING_NAMES}, **known})
    problems: dict[str, list[str]] = {}
    if settings.sri_environment not in (1, 2):
        problems["sri_environment"] = ["Debe ser 1 (pruebas) o 2 (producción)."]
    for name in ("sri_establishment", "sri_emission_point"):
        if not THREE_DIGITS.match(str(getattr(settings, name))):
            problems[name] = ["Tres dígitos, p. ej. 001."]
    if problems:
        raise EinvoicingInvalidError("Configuración de facturación electrónica no válida.", errors=problems)
    return settings


def get_einvoicing_settings() -> EinvoicingSettings:
    """Return the current tenant's e-invoicing settings (defaults for what is not set)."""
    row = session().scalar(select(TenantModule.settings).where(TenantModule.module == "einvoicing"))
    return _coerce(dict(row or {}))


def update_einvoicing_settings(*, tenant_id: uuid.UUID, changes: dict[str, Any], actor: str) -> EinvoicingSettings:
    """Merge `changes` into the tenant's e-invoicing settings (one transaction, audited)."""
    unknown = sorted(set(changes) - set(SETTING_NAMES))
    if unknown:
        raise EinvoicingInvalidError("Ajustes desconocidos.", errors={name: ["No existe."] for name in unknown})
    with unit_of_work() as current:
        row = current.scalar(select(TenantModule).where(TenantModule.module == "einvoicing").with_for_update())
        if row is None:
            row = TenantModule(module="einvoicing", is_enabled=True, settings={})
            current.add(row)
        merged = {**(row.settings or {}), **changes}
        settings = _coerce(merged)
        row.settings = {**merged, **{name: getattr(settings, name) for name in SETTING_NAMES}}  # keeps other keys
        current.flush()
        record_event(actor=actor, action="einvoicing.settings_changed", entity="tenant_module", entity_id=row.id,
                     changes={key: str(value) for key, value in changes.items()})
    return settings


def current_tenant() -> Tenant:
    """Return the current tenant's row."""
    from gestiq_app.tenancy.context import current_tenant_id

    tenant = session().get(Tenant, current_tenant_id())
    if tenant is None:
        raise TenantNotFoundError("Empresa no encontrada")
    return tenant


def is_sri_active() -> bool:
    """Tell whether the current (Ecuadorian) tenant e-invoices: it has uploaded its signing certificate."""
    return session().scalar(select(EinvoiceCertificate.id).limit(1)) is not None


def is_submission_enabled() -> bool:
    """Tell whether this installation may call the SRI / AEAT at all (GESTIQ_EINVOICE_SUBMIT)."""
    return str(current_app.config.get("GESTIQ_EINVOICE_SUBMIT", "0")) in ("1", "true", "True")
