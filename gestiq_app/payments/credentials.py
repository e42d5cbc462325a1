"""Per-tenant provider accounts: secrets encrypted at rest (write-only), public settings, and the decrypted secrets for one call.

Secrets are one Fernet token of a JSON object (`gestiq_app.crypto`, rotatable with `scripts/rotate-secrets`).
They are never returned by the API, shown in the admin, logged or put in audit events: only their names.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app import crypto
from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.payments.exceptions import PaymentInvalidError, PaymentNotFoundError
from gestiq_app.payments.models import PROVIDERS, PaymentProviderAccount

#: provider -> (required secrets, allowed public settings)
PROVIDER_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "stripe": (("api_key", "webhook_secret"), ()),
    "payphone": (("token",), ("store_id",)),
    "kushki": (("private_merchant_id", "webhook_signature"), ("public_merchant_id",)),
}


def _check(provider: str, secrets: dict[str, str], settings: dict[str, Any]) -> None:
    if provider not in PROVIDERS:
        raise PaymentInvalidError("Proveedor desconocido", errors={"provider": [f"Use uno de: {', '.join(PROVIDERS)}."]})
    required, allowed = PROVIDER_FIELDS[provider]
    unknown = sorted(set(secrets) - set(required))
    if unknown:
        raise PaymentInvalidError("Secreto desconocido", errors={"secrets": [f"No se admite: {', '.join(unknown)}."]})
    missing = [name for name in required if not secrets.get(name)]
    if missing:
        raise PaymentInvalidError("Faltan secretos", errors={"secrets": [f"Obligatorio: {', '.join(missing)}."]})
    bad_settings = sorted(set(settings) - set(allowed))
    if bad_settings:
        raise PaymentInvalidError("Ajuste desconocido", errors={"settings": [f"No se admite: {', '.join(bad_settings)}."]})


def save_provider_account(*, tenant_id: uuid.UUID, provider: str, data: dict[str, Any], actor: str) -> PaymentProviderAccount:
    """Create or update the tenant's account with a provider; secrets not sent keep their stored value."""
    with unit_of_work() as current:
        existing = current.scalars(select(PaymentProviderAccount).where(PaymentProviderAccount.provider == provider)
                                   .with_for_update()).first()
        secrets = dict(_decrypt(existing.credentials_encrypted)) if existing is not None else {}
        secrets.update({name: value for name, value in (data.get("secrets") or {}).items() if value})
        settings = {**(existing.settings if existing is not None else {}), **(data.get("settings") or {})}
        _check(provider, secrets, settings)
        values = {
            "credentials_encrypted": crypto.encrypt(json.dumps(secrets, sort_keys=True)),
            "secret_names": sorted(secrets), "settings": settings, "updated_by": actor[:200], "updated_at": utcnow(),
            "is_active": data.get("is_active", existing.is_active if existing is not None else True),
        }
        insert = pg_insert if current.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(PaymentProviderAccount).values(tenant_id=tenant_id, id=uuid.uuid4(), provider=provider,
                                                          created_at=utcnow(), **values)
        current.execute(statement.on_conflict_do_update(index_elements=["tenant_id", "provider"], set_=values))
        account = current.scalars(select(PaymentProviderAccount).where(PaymentProviderAccount.provider == provider)
                                  .execution_options(populate_existing=True)).one()
        record_event(actor=actor, action="payments.provider_saved", entity="payment_provider_account", entity_id=account.id,
                     changes={"provider": provider, "secret_names": values["secret_names"], "settings": settings,
                              "is_active": values["is_active"]})
    return account


def list_provider_accounts(*, tenant_id: uuid.UUID) -> list[PaymentProviderAccount]:
    """Return the tenant's provider accounts (without secrets)."""
    return list(session().scalars(select(PaymentProviderAccount).order_by(PaymentProviderAccount.provider)))


def get_provider_account(*, provider: str, require_active: bool = True) -> PaymentProviderAccount:
    """Return the current tenant's account with a provider (404 when missing or inactive)."""
    account = session().scalars(select(PaymentProviderAccount).where(PaymentProviderAccount.provider == provider)).first()
    if account is None or (require_active and not account.is_active):
        raise PaymentNotFoundError(f"La empresa no tiene configurado el proveedor de pagos «{provider}».")
    return account


def active_provider() -> PaymentProviderAccount | None:
    """Return the current tenant's first active provider account (stripe, then payphone, then kushki), or None."""
    accounts = {account.provider: account for account in session().scalars(
        select(PaymentProviderAccount).where(PaymentProviderAccount.is_active.is_(True)))}
    return next((accounts[name] for name in PROVIDERS if name in accounts), None)


def _decrypt(token: str) -> dict[str, str]:
    return json.loads(crypto.decrypt(token))


def load_secrets(account: PaymentProviderAccount) -> dict[str, str]:
    """Decrypt an account's secrets for one provider call (never keep or log the result)."""
    return _decrypt(account.credentials_encrypted)
