"""Tenant authentication use cases: login (with TOTP), refresh, logout, password change."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask_jwt_extended import create_access_token
from sqlalchemy import and_, bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from gestiq_app.audit.services import record_event
from gestiq_app.crypto import decrypt, encrypt, sha256_hex
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.identity import two_factor
from gestiq_app.identity.exceptions import AuthenticationError, SecondFactorError, UserInvalidError
from gestiq_app.identity.models import RecoveryCode, TenantUser
from gestiq_app.identity.permissions import permissions_of_role
from gestiq_app.identity.services import hash_password
from gestiq_app.identity.sessions import MFA, TENANT, IssuedTokens, issue_tokens, revoke_all_families
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant, TenantModule
from gestiq_app.tenancy.services import list_enabled_modules

BAD_CREDENTIALS = "Empresa, correo o contraseña incorrectos."
#: Checked when the user does not exist, so a missing account costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


@dataclass
class LoginResult:
    """What a login step produced: tokens, or a second-factor challenge."""

    user: TenantUser | None = None
    tenant: Tenant | None = None
    tokens: IssuedTokens | None = None
    mfa_token: str | None = None
    enrollment: dict[str, str] | None = None
    recovery_codes: list[str] = field(default_factory=list)


def access_claims(user: TenantUser) -> dict[str, Any]:
    """Return the claims carried by a tenant user's tokens."""
    return {"ver": user.session_version, "role": user.role}


def _find_user(tenant_slug: str, email: str) -> tuple[Tenant | None, TenantUser | None]:
    tenant = session().scalar(select(Tenant).where(Tenant.slug == tenant_slug.strip().lower()))
    if tenant is None or not tenant.is_active:
        return None, None
    with tenant_context(tenant.id):
        user = session().scalar(select(TenantUser).where(TenantUser.email == email.strip().lower()))
    return tenant, user


def login(*, tenant_slug: str, email: str, password: str) -> LoginResult:
    """Check the password; return tokens, or a second-factor challenge when TOTP is on or required."""
    tenant, user = _find_user(tenant_slug, email)
    is_valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password) if password else False
    if tenant is None or user is None or not is_valid or not user.is_active:
        session().rollback()
        raise AuthenticationError(BAD_CREDENTIALS)
    if user.is_totp_enabled or tenant.require_two_factor:
        result = LoginResult(user=user, tenant=tenant, mfa_token=_mfa_token(user))
        if not user.is_totp_enabled:
            result.enrollment = _start_enrollment(tenant.id, user.id, email=user.email)
        session().rollback()
        return result
    return LoginResult(user=user, tenant=tenant, tokens=_complete_login(tenant.id, user.id))


def _mfa_token(user: TenantUser) -> str:
    from datetime import timedelta

    return create_access_token(
        identity=str(user.id),
        additional_claims={"kind": MFA, "tid": str(user.tenant_id), "ver": user.session_version},
        expires_delta=timedelta(minutes=5),
    )


def _start_enrollment(tenant_id: uuid.UUID, user_id: uuid.UUID, *, email: str) -> dict[str, str]:
    secret = two_factor.new_secret()
    with tenant_context(tenant_id), unit_of_work() as current:
        user = current.get(TenantUser, user_id)
        user.totp_secret_encrypted = encrypt(secret)
    return {"totp_secret": secret, "otpauth_uri": two_factor.provisioning_uri(secret, account=email)}


def _complete_login(tenant_id: uuid.UUID, user_id: uuid.UUID) -> IssuedTokens:
    with tenant_context(tenant_id), unit_of_work() as current:
        user = current.get(TenantUser, user_id)
        user.last_login_at = utcnow()
        tokens = issue_tokens(kind=TENANT, subject=str(user.id), claims=access_claims(user), tenant_id=tenant_id)
        record_event(actor=f"user:{user.id}", action="auth.login", entity="tenant_user", entity_id=user.id)
    return tokens


def complete_second_factor(*, claims: dict[str, Any], code: str) -> LoginResult:
    """Finish a login with a TOTP or recovery code (enrolling TOTP on first use); refuse wrong or replayed codes."""
    tenant_id, user_id = uuid.UUID(claims["tid"]), uuid.UUID(claims["sub"])
    recovery_codes: list[str] = []
    with tenant_context(tenant_id), unit_of_work() as current:
        user = current.get(TenantUser, user_id, with_for_update=True)
        tenant = current.get(Tenant, tenant_id)
        if user is None or not user.is_active or user.session_version != claims.get("ver") or not user.totp_secret_encrypted:
            raise AuthenticationError(BAD_CREDENTIALS)
        counter = two_factor.accepted_counter(decrypt(user.totp_secret_encrypted), code, last_counter=user.totp_last_counter)
        if counter is not None:
            user.totp_last_counter = counter
            if not user.is_totp_enabled:
                user.is_totp_enabled = True
                recovery_codes = _replace_recovery_codes(user)
                record_event(actor=f"user:{user.id}", action="auth.totp_enabled", entity="tenant_user", entity_id=user.id)
        elif not (user.is_totp_enabled and _use_recovery_code(user, code)):
            record_event(actor=f"user:{user.id}", action="auth.second_factor_failed", entity="tenant_user", entity_id=user.id)
            current.commit()
            raise SecondFactorError("Código de verificación incorrecto o ya utilizado.")
    tokens = _complete_login(tenant_id, user_id)
    return LoginResult(user=user, tenant=tenant, tokens=tokens, recovery_codes=recovery_codes)


def _replace_recovery_codes(user: TenantUser) -> list[str]:
    current = session()
    for old in current.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        current.delete(old)
    codes = two_factor.new_recovery_codes()
    for code in codes:
        current.add(RecoveryCode(user_id=user.id, code_hash=sha256_hex(two_factor.normalize_recovery_code(code))))
    return codes


def _use_recovery_code(user: TenantUser, code: str) -> bool:
    digest = sha256_hex(two_factor.normalize_recovery_code(code))
    row = session().scalar(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest, RecoveryCode.used_at.is_(None))
    )
    if row is None:
        return False
    row.used_at = utcnow()
    record_event(actor=f"user:{user.id}", action="auth.recovery_code_used", entity="tenant_user", entity_id=user.id)
    return True


def get_active_user(*, tenant_id: uuid.UUID, user_id: uuid.UUID, session_version: int | None) -> TenantUser:
    """Return the token's user if the user, the tenant and the session are still valid."""
    user = session().get(TenantUser, user_id)
    if user is None or not user.is_active or (session_version is not None and user.session_version != session_version):
        raise AuthenticationError("La sesión ya no es válida. Inicia sesión de nuevo.")
    tenant = session().get(Tenant, tenant_id)
    if tenant is None or not tenant.is_active:
        raise AuthenticationError("La empresa está suspendida.")
    return user


@dataclass(frozen=True)
class SessionCheck:
    """What an API request needs from a valid session: the user's role and the tenant's enabled modules."""

    role: str
    modules: frozenset[str]


def _session_check_statement() -> Any:
    users, tenants, modules = TenantUser.__table__, Tenant.__table__, TenantModule.__table__
    return (
        select(users.c.role, users.c.is_active, users.c.session_version, tenants.c.status, modules.c.module)
        .select_from(users)
        .join(tenants, tenants.c.id == users.c.tenant_id)
        .outerjoin(modules, and_(modules.c.tenant_id == users.c.tenant_id, modules.c.is_enabled.is_(True)))
        .where(users.c.tenant_id == bindparam("tenant_id"), users.c.id == bindparam("user_id"))
    )


#: Built once: the statement is the same for every request, only its parameters change.
_SESSION_CHECK = _session_check_statement()


def check_session(*, tenant_id: uuid.UUID, user_id: uuid.UUID, session_version: int | None) -> SessionCheck:
    """Validate a tenant access token's user, tenant and session version in ONE query, without ORM objects.

    The per-request check of every cookie-authenticated API call, with the same rules and messages as
    get_active_user, evaluated against the database on every request (nothing is cached across requests,
    so a logout, a deactivation or a suspended tenant refuses the very next call). It also returns the
    tenant's enabled modules (one row per module: a LEFT JOIN, so a tenant without modules still has its row).
    A Core statement on the session's connection: the tenant is an explicit parameter (the ORM guard only
    rewrites ORM statements) and PostgreSQL's row-level security still applies to the transaction.
    """
    rows = session().connection().execute(_SESSION_CHECK, {"tenant_id": tenant_id, "user_id": user_id}).all()
    if not rows:
        raise AuthenticationError("La sesión ya no es válida. Inicia sesión de nuevo.")
    role, is_active, version, tenant_status, _ = rows[0]
    if not is_active or (session_version is not None and version != session_version):
        raise AuthenticationError("La sesión ya no es válida. Inicia sesión de nuevo.")
    if tenant_status != "active":
        raise AuthenticationError("La empresa está suspendida.")
    return SessionCheck(role=role, modules=frozenset(row[4] for row in rows if row[4] is not None))


def logout(*, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """End every session of the user: revoke all refresh families and invalidate access tokens."""
    with tenant_context(tenant_id), unit_of_work() as current:
        user = current.get(TenantUser, user_id, with_for_update=True)
        if user is None:
            return
        user.session_version += 1
        revoked = revoke_all_families(kind=TENANT, user_id=user.id)
        record_event(actor=f"user:{user.id}", action="auth.logout", entity="tenant_user", entity_id=user.id, changes={"revoked_tokens": revoked})


def change_password(*, tenant_id: uuid.UUID, user_id: uuid.UUID, current_password: str, new_password: str) -> IssuedTokens:
    """Change the password, end every other session, and return fresh tokens for this one."""
    with tenant_context(tenant_id), unit_of_work() as current:
        user = current.get(TenantUser, user_id, with_for_update=True)
        if user is None or not check_password_hash(user.password_hash, current_password):
            raise UserInvalidError("La contraseña actual no es correcta", errors={"current_password": ["No es correcta."]})
        user.password_hash = hash_password(new_password)
        user.session_version += 1
        revoke_all_families(kind=TENANT, user_id=user.id)
        record_event(actor=f"user:{user.id}", action="auth.password_changed", entity="tenant_user", entity_id=user.id)
        current.flush()
        return issue_tokens(kind=TENANT, subject=str(user.id), claims=access_claims(user), tenant_id=tenant_id)


def describe_user(user: TenantUser, tenant: Tenant) -> dict[str, Any]:
    """Return the `user` object of /auth/me and login responses."""
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "is_totp_enabled": user.is_totp_enabled,
        "permissions": sorted(permissions_of_role(user.role)),
        "tenant": {
            "id": str(tenant.id),
            "slug": tenant.slug,
            "name": tenant.legal_name,
            "country": tenant.country,
            "locale": tenant.locale,
            "currency": tenant.currency,
            "timezone": tenant.timezone,
            "require_two_factor": tenant.require_two_factor,
            "modules": list_enabled_modules(tenant_id=tenant.id),
        },
    }


def start_totp_enrollment(*, tenant_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, str]:
    """Give a user a new TOTP secret to add to an authenticator app (not active until confirmed)."""
    with tenant_context(tenant_id):
        user = session().get(TenantUser, user_id)
        if user.is_totp_enabled:
            raise UserInvalidError("La verificación en dos pasos ya está activada", errors={"code": ["Desactívela antes de volver a configurarla."]})
        email = user.email
    return _start_enrollment(tenant_id, user_id, email=email)


def confirm_totp_enrollment(*, tenant_id: uuid.UUID, user_id: uuid.UUID, code: str) -> list[str]:
    """Activate TOTP with a first valid code; return the recovery codes (shown once)."""
    with tenant_context(tenant_id), unit_of_work():
        user = session().get(TenantUser, user_id, with_for_update=True)
        if user.is_totp_enabled or not user.totp_secret_encrypted:
            raise UserInvalidError("No hay ninguna configuración pendiente", errors={"code": ["Empiece la configuración de nuevo."]})
        counter = two_factor.accepted_counter(decrypt(user.totp_secret_encrypted), code, last_counter=user.totp_last_counter)
        if counter is None:
            raise UserInvalidError("Código incorrecto", errors={"code": ["El código no es válido."]})
        user.totp_last_counter, user.is_totp_enabled = counter, True
        codes = _replace_recovery_codes(user)
        record_event(actor=f"user:{user.id}", action="auth.totp_enabled", entity="tenant_user", entity_id=user.id)
    return codes


def disable_totp(*, tenant_id: uuid.UUID, user_id: uuid.UUID, code: str) -> None:
    """Turn TOTP off with a valid code, unless the tenant requires a second factor."""
    with tenant_context(tenant_id), unit_of_work():
        user = session().get(TenantUser, user_id, with_for_update=True)
        tenant = session().get(Tenant, tenant_id)
        if tenant.require_two_factor:
            raise UserInvalidError("La empresa exige la verificación en dos pasos", errors={"code": ["No se puede desactivar."]})
        counter = (two_factor.accepted_counter(decrypt(user.totp_secret_encrypted), code, last_counter=user.totp_last_counter)
                   if user.is_totp_enabled and user.totp_secret_encrypted else None)
        if counter is None:
            raise UserInvalidError("Código incorrecto", errors={"code": ["El código no es válido."]})
        user.is_totp_enabled, user.totp_secret_encrypted, user.totp_last_counter = False, None, counter
        for row in session().scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
            session().delete(row)
        record_event(actor=f"user:{user.id}", action="auth.totp_disabled", entity="tenant_user", entity_id=user.id)
