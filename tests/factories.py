"""Factories: valid tax ids, tenants and one row per tenant-scoped model."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from gestiq_app.db import TenantScoped

NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
OWNER_PASSWORD = "owner-password-1"


def random_nif() -> str:
    """Return a valid Spanish DNI-based NIF."""
    number = random.randint(10_000_000, 99_999_999)
    return f"{number}{NIF_LETTERS[number % 23]}"


def random_cedula() -> str:
    """Return a valid Ecuadorian cédula (módulo 10)."""
    province = random.randint(1, 24)
    digits = [province // 10, province % 10, random.randint(0, 5)] + [random.randint(0, 9) for _ in range(6)]
    total = 0
    for index, digit in enumerate(digits):
        product = digit * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    check = (10 - total % 10) % 10
    return "".join(map(str, digits)) + str(check)


def random_ruc() -> str:
    """Return a valid RUC of a natural person (cédula + 001)."""
    return random_cedula() + "001"


def make_tenant(*, country: str = "ES", sector: str = "general", **overrides: Any):  # type: ignore[no-untyped-def]
    """Provision a tenant through the service and return it (owner e-mail owner@<slug>.test)."""
    from gestiq_app.tenancy.services import create_tenant

    slug = overrides.pop("slug", f"t-{uuid.uuid4().hex[:12]}")
    data = {
        "slug": slug,
        "legal_name": f"Empresa {slug}",
        "country": country,
        "tax_id": random_nif() if country == "ES" else random_ruc(),
        "owner_email": f"owner@{slug}.test",
        "owner_password": OWNER_PASSWORD,
        "sector": sector,
        **overrides,
    }
    return create_tenant(data=data, actor="test")


def _tenant_user(index: int) -> Any:
    from gestiq_app.identity.models import TenantUser

    return TenantUser(email=f"user{index}-{uuid.uuid4().hex[:6]}@x.test", name="Usuario", password_hash="x", role="viewer")


def _tenant_module(index: int) -> Any:
    from gestiq_app.tenancy.models import TenantModule

    # Provisioning creates every module; factory rows are inserted on a bare tenant (see make_bare_tenant).
    return TenantModule(module="crm", is_enabled=True, settings={"factory": index})


def _audit_event(index: int) -> Any:
    from gestiq_app.audit.models import AuditEvent

    return AuditEvent(actor="test", action=f"test.{index}", entity="test", changes={})


#: One builder per tenant-scoped model; a new model without one makes the isolation tests fail.
ROW_FACTORIES: dict[str, Callable[[int], Any]] = {
    "TenantUser": _tenant_user,
    "TenantModule": _tenant_module,
    "AuditEvent": _audit_event,
}


def make_bare_tenant():  # type: ignore[no-untyped-def]
    """Insert a tenant row without provisioning (no modules, no users) and return it."""
    from gestiq_app.db import unit_of_work
    from gestiq_app.tenancy.models import Tenant

    slug = f"bare-{uuid.uuid4().hex[:10]}"
    with unit_of_work() as current:
        tenant = Tenant(
            id=uuid.uuid4(), slug=slug, legal_name=slug, tax_id=random_nif(), country="ES",
            currency="EUR", locale="es-ES", timezone="Europe/Madrid", status="active",
        )
        current.add(tenant)
    return tenant


def tenant_scoped_classes() -> list[type]:
    """Return every mapped TenantScoped class, sorted by name."""
    from gestiq_app import models  # noqa: F401
    from gestiq_app.db import Base

    return sorted(
        {mapper.class_ for mapper in Base.registry.mappers if issubclass(mapper.class_, TenantScoped)},
        key=lambda cls: cls.__name__,
    )
