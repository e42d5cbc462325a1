"""`scripts/rotate-secrets` with two keys: every kind of stored secret moves to the newest key; dry run; undecryptable -> exit 1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, update

from gestiq_app import crypto
from gestiq_app.db import unit_of_work, utcnow
from gestiq_app.einvoicing.models import EinvoiceCertificate
from gestiq_app.extensions import db
from gestiq_app.identity.models import TenantUser
from gestiq_app.ops import rotate_secrets
from gestiq_app.payments import credentials
from gestiq_app.payments.models import PaymentProviderAccount
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.webhooks.models import WebhookSubscription
from tests.factories import make_tenant

OLD, NEW, UNKNOWN = Fernet.generate_key().decode(), Fernet.generate_key().decode(), Fernet.generate_key().decode()
PLAIN = {"totp": "JBSWY3DPEHPK3PXP", "webhook": "whsec_rotate_me", "p12": "UDEyLWJ5dGVz", "password": "cert-pass", "token": "pp-token-1"}


def _seed(app: Any) -> Any:
    """A tenant holding one secret of every kind, encrypted with the old key."""
    tenant = make_tenant(country="EC")
    with tenant_context(tenant.id):
        credentials.save_provider_account(tenant_id=tenant.id, provider="payphone", data={"secrets": {"token": PLAIN["token"]}}, actor="test")
        with unit_of_work() as current:
            current.execute(update(TenantUser).values(totp_secret_encrypted=crypto.encrypt(PLAIN["totp"])))
            current.add(WebhookSubscription(url="https://hooks.example.test/r", events=["ping"], secret_encrypted=crypto.encrypt(PLAIN["webhook"])))
            current.add(EinvoiceCertificate(encrypted_p12=crypto.encrypt(PLAIN["p12"]), encrypted_password=crypto.encrypt(PLAIN["password"]),
                                            subject="CN=x", issuer="CN=ca", serial_number="1", fingerprint_sha256="0" * 64,
                                            not_before=utcnow(), not_after=utcnow() + timedelta(days=30), uploaded_by="test"))
    return tenant


def _stored(tenant: Any) -> dict[str, str]:
    db.session.rollback()
    with tenant_context(tenant.id):
        certificate = db.session.scalars(select(EinvoiceCertificate)).one()
        return {
            "totp": db.session.scalars(select(TenantUser.totp_secret_encrypted)).one(),
            "webhook": db.session.scalars(select(WebhookSubscription.secret_encrypted)).one(),
            "p12": certificate.encrypted_p12, "password": certificate.encrypted_password,
            "token": db.session.scalars(select(PaymentProviderAccount.credentials_encrypted)).one(),
        }


def _plain(values: dict[str, str], key: str) -> dict[str, str]:
    fernet = Fernet(key.encode())
    decrypted = {name: fernet.decrypt(value.encode()).decode() for name, value in values.items()}
    decrypted["token"] = decrypted["token"].split('"')[3]  # {"token": "…"}
    return decrypted


def test_rotation_moves_every_secret_to_the_newest_key(app, app_context, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", OLD)
    tenant = _seed(app)
    before = _stored(tenant)
    assert _plain(before, OLD) == PLAIN
    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", f"{NEW},{OLD}")

    assert rotate_secrets.main(["--dry-run", "--tenant", tenant.slug], app=app) == 0
    assert _stored(tenant) == before
    dry = capsys.readouterr().out
    assert "  payment_provider_accounts.credentials_encrypted: 1 por volver a cifrar, 0 ya con la clave nueva" in dry
    assert "Se volverían a cifrar 5 secretos; 0 ya usaban la clave nueva" in dry

    assert rotate_secrets.main(["--tenant", tenant.slug], app=app) == 0
    after = _stored(tenant)
    assert _plain(after, NEW) == PLAIN
    for value in after.values():
        with pytest.raises(InvalidToken):
            Fernet(OLD.encode()).decrypt(value.encode())
    assert "Vueltos a cifrar 5 secretos; 0 ya usaban la clave nueva" in capsys.readouterr().out
    # The app reads them with the new key alone once the old one is dropped.
    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", NEW)
    with tenant_context(tenant.id):
        account = credentials.get_provider_account(provider="payphone")
        assert credentials.load_secrets(account) == {"token": PLAIN["token"]}

    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", f"{NEW},{OLD}")
    assert rotate_secrets.main(["--tenant", tenant.slug], app=app) == 0
    assert "Vueltos a cifrar 0 secretos; 5 ya usaban la clave nueva" in capsys.readouterr().out
    assert _stored(tenant) == after


def test_a_secret_no_key_decrypts_fails_with_exit_1_and_changes_nothing(app, app_context, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", OLD)
    tenant = _seed(app)
    with tenant_context(tenant.id), unit_of_work() as current:
        current.execute(update(WebhookSubscription).values(secret_encrypted=Fernet(UNKNOWN.encode()).encrypt(b"lost").decode()))
    before = _stored(tenant)
    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", f"{NEW},{OLD}")
    assert rotate_secrets.main(["--tenant", tenant.slug], app=app) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "Error: 1 secreto(s) no se pueden descifrar con ninguna clave configurada; no se ha cambiado nada"
    assert "no se puede descifrar con ninguna clave: webhook_subscriptions.secret_encrypted fila" in captured.out
    assert "lost" not in captured.out + captured.err
    assert _stored(tenant) == before


def test_rotation_refuses_to_run_without_configured_keys(app, app_context, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_ENCRYPTION_KEYS", "")
    assert rotate_secrets.main(["--dry-run"], app=app) == 1
    assert capsys.readouterr().err.startswith("Error: GESTIQ_ENCRYPTION_KEYS está vacía")


def test_every_encrypted_column_is_covered() -> None:
    assert [(table.name, [c.name for c in columns]) for table, columns in rotate_secrets.encrypted_columns()] == [
        ("admin_second_factors", ["totp_secret_encrypted"]), ("einvoice_certificates", ["encrypted_p12", "encrypted_password"]),
        ("payment_provider_accounts", ["credentials_encrypted"]), ("tenant_users", ["totp_secret_encrypted"]),
        ("webhook_subscriptions", ["secret_encrypted"])]
