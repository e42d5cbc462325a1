"""Integration tokens, password reset and invitations (single-use tokens sent by e-mail)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from gestiq_app.audit.services import record_event
from gestiq_app.crypto import sha256_hex
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.identity.exceptions import AuthenticationError, UserConflictError, UserInvalidError, UserNotFoundError
from gestiq_app.identity.models import ApiToken, TenantUser, UserToken
from gestiq_app.identity.permissions import ALL_PERMISSIONS, permissions_of_role
from gestiq_app.identity.services import add_user, hash_password
from gestiq_app.identity.sessions import TENANT, revoke_all_families
from gestiq_app.mail.services import queue_email
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant

from gestiq_app.identity.sessions import _aware  # noqa: E402 - shared helper

RESET_LIFETIME = timedelta(hours=1)
INVITATION_LIFETIME = timedelta(days=7)
BAD_TOKEN = "El enlace no es válido, ya se usó o ha caducado."


def _new_secret_token(tenant_id: uuid.UUID) -> str:
    """Return `<tenant hex>.<secret>`: the tenant part tells which tenant to look in, the secret proves it."""
    return f"{tenant_id.hex}.{secrets.token_urlsafe(32)}"


def _split_token(raw: str) -> tuple[uuid.UUID, str]:
    tenant_hex, _, secret = raw.strip().partition(".")
    try:
        tenant_id = uuid.UUID(hex=tenant_hex)
    except ValueError as error:
        raise AuthenticationError(BAD_TOKEN) from error
    if not secret:
        raise AuthenticationError(BAD_TOKEN)
    return tenant_id, raw.strip()


# --- integration tokens -------------------------------------------------------------------------

def create_api_token(*, tenant_id: uuid.UUID, creator_id: uuid.UUID, name: str, permissions: list[str]) -> tuple[ApiToken, str]:
    """Create a named token limited to `permissions` (a subset of the creator's) and return it with its secret."""
    with tenant_context(tenant_id), unit_of_work() as current:
        creator = current.get(TenantUser, creator_id)
        allowed = permissions_of_role(creator.role) if creator else frozenset()
        unknown = sorted(set(permissions) - ALL_PERMISSIONS)
        excess = sorted(set(permissions) - allowed - set(unknown))
        if unknown or excess or not permissions:
            problems = [f"Permiso desconocido: {p}" for p in unknown] + [f"No puede conceder {p}" for p in excess]
            raise UserInvalidError("Permisos no válidos", errors={"permissions": problems or ["Indique al menos un permiso."]})
        secret = f"gqt_{tenant_id.hex}_{secrets.token_urlsafe(32)}"
        token = ApiToken(name=name.strip(), prefix=secret[:12], token_hash=sha256_hex(secret), permissions=sorted(set(permissions)),
                         created_by_id=creator_id)
        current.add(token)
        current.flush()
        record_event(actor=f"user:{creator_id}", action="api_token.created", entity="api_token", entity_id=token.id,
                     changes={"name": token.name, "permissions": token.permissions})
    return token, secret


def list_api_tokens(*, tenant_id: uuid.UUID) -> list[ApiToken]:
    """Return the tenant's integration tokens, newest first."""
    with tenant_context(tenant_id):
        return list(session().scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))


def revoke_api_token(*, tenant_id: uuid.UUID, token_id: uuid.UUID, actor: str) -> ApiToken:
    """Revoke an integration token (idempotent)."""
    with tenant_context(tenant_id), unit_of_work() as current:
        token = current.get(ApiToken, token_id)
        if token is None:
            raise UserNotFoundError("Clave de integración no encontrada")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            record_event(actor=actor, action="api_token.revoked", entity="api_token", entity_id=token.id)
    return token


def authenticate_api_token(raw: str) -> ApiToken:
    """Return the active token for a Bearer secret `gqt_<tenant hex>_<secret>` and bind its tenant."""
    from gestiq_app.tenancy.context import bind_tenant

    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "gqt":
        raise AuthenticationError("Clave de integración no válida.")
    try:
        tenant_id = uuid.UUID(hex=parts[1])
    except ValueError as error:
        raise AuthenticationError("Clave de integración no válida.") from error
    bind_tenant(tenant_id)
    current = session()
    token = current.scalar(select(ApiToken).where(ApiToken.token_hash == sha256_hex(raw)))
    tenant = current.get(Tenant, tenant_id)
    if token is None or token.revoked_at is not None or tenant is None or not tenant.is_active:
        raise AuthenticationError("Clave de integración no válida o revocada.")
    creator = current.get(TenantUser, token.created_by_id)
    if creator is None or not creator.is_active:
        raise AuthenticationError("Clave de integración no válida o revocada.")
    current.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=utcnow()))
    current.commit()
    bind_tenant(tenant_id)
    return token


# --- password reset -----------------------------------------------------------------------------

def request_password_reset(*, tenant_slug: str, email: str) -> None:
    """Send a reset link if the account exists; say nothing either way (the API always answers 202)."""
    tenant = session().scalar(select(Tenant).where(Tenant.slug == tenant_slug.strip().lower()))
    if tenant is None or not tenant.is_active:
        sha256_hex(secrets.token_hex(16))  # similar work on both paths
        return
    with tenant_context(tenant.id), unit_of_work() as current:
        user = current.scalar(select(TenantUser).where(TenantUser.email == email.strip().lower()))
        if user is None or not user.is_active:
            return
        raw = _new_secret_token(tenant.id)
        current.add(UserToken(user_id=user.id, purpose="password_reset", token_hash=sha256_hex(raw), expires_at=utcnow() + RESET_LIFETIME))
        link = f"{current_app.config['GESTIQ_PUBLIC_URL']}/app/password-reset/confirm#token={raw}"
        queue_email(
            to_address=user.email,
            subject="Restablecer tu contraseña de GestiQCloud",
            body_text=(f"Hola {user.name}:\n\nPara elegir una contraseña nueva abre este enlace (caduca en 1 hora):\n{link}\n\n"
                       "Si no lo has pedido tú, ignora este mensaje."),
        )
        record_event(actor=f"user:{user.id}", action="auth.password_reset_requested", entity="tenant_user", entity_id=user.id)


def _consume_token(raw: str, purpose: str) -> tuple[uuid.UUID, UserToken]:
    tenant_id, token = _split_token(raw)
    from gestiq_app.tenancy.context import bind_tenant

    bind_tenant(tenant_id)
    row = session().scalar(
        select(UserToken).where(UserToken.token_hash == sha256_hex(token), UserToken.purpose == purpose).with_for_update()
    )
    if row is None or row.used_at is not None or _aware(row.expires_at) <= utcnow():
        raise AuthenticationError(BAD_TOKEN)
    row.used_at = utcnow()
    return tenant_id, row


def confirm_password_reset(*, token: str, password: str) -> None:
    """Set a new password with a single-use reset token and end every session of the user."""
    tenant_id, _ = _split_token(token)
    with tenant_context(tenant_id), unit_of_work() as current:
        _, row = _consume_token(token, "password_reset")
        user = current.get(TenantUser, row.user_id, with_for_update=True)
        user.password_hash = hash_password(password)
        user.session_version += 1
        revoke_all_families(kind=TENANT, user_id=user.id)
        record_event(actor=f"user:{user.id}", action="auth.password_reset", entity="tenant_user", entity_id=user.id)


# --- invitations --------------------------------------------------------------------------------

def invite_user(*, tenant_id: uuid.UUID, inviter_id: uuid.UUID, email: str, name: str, role: str) -> TenantUser:
    """Create an inactive user and e-mail them an invitation link (7 days)."""
    if role == "owner":
        raise UserInvalidError("Rol no permitido", errors={"role": ["Solo puede haber propietarios creados por la plataforma."]})
    with tenant_context(tenant_id), unit_of_work() as current:
        user = add_user(email=email, name=name, password=secrets.token_urlsafe(24), role=role)
        user.is_active = False
        user.password_hash = "!"  # unusable until the invitation is accepted
        current.flush()
        raw = _new_secret_token(tenant_id)
        current.add(UserToken(user_id=user.id, purpose="invitation", token_hash=sha256_hex(raw), expires_at=utcnow() + INVITATION_LIFETIME))
        tenant = current.get(Tenant, tenant_id)
        link = f"{current_app.config['GESTIQ_PUBLIC_URL']}/app/invitations/accept#token={raw}"
        queue_email(
            to_address=user.email,
            subject=f"Invitación a {tenant.legal_name} en GestiQCloud",
            body_text=f"Hola {user.name}:\n\nTe han invitado a {tenant.legal_name}. Acepta la invitación (caduca en 7 días):\n{link}\n",
        )
        record_event(actor=f"user:{inviter_id}", action="user.invited", entity="tenant_user", entity_id=user.id,
                     changes={"email": user.email, "role": role})
    return user


def accept_invitation(*, token: str, name: str, password: str) -> tuple[uuid.UUID, uuid.UUID]:
    """Activate an invited user with their chosen password; return (tenant id, user id)."""
    tenant_id, _ = _split_token(token)
    with tenant_context(tenant_id), unit_of_work() as current:
        _, row = _consume_token(token, "invitation")
        user = current.get(TenantUser, row.user_id, with_for_update=True)
        if user.is_active and check_password_hash(user.password_hash, password):
            raise UserConflictError("La invitación ya fue aceptada")
        user.password_hash = hash_password(password)
        user.name = name.strip() or user.name
        user.is_active = True
        record_event(actor=f"user:{user.id}", action="user.invitation_accepted", entity="tenant_user", entity_id=user.id)
        return tenant_id, user.id
