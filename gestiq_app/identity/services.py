"""Tenant user use cases."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work
from gestiq_app.identity.exceptions import UserConflictError, UserInvalidError, UserNotFoundError
from gestiq_app.identity.models import TENANT_ROLES, TenantUser
from gestiq_app.tenancy.context import tenant_context

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password with werkzeug's default (scrypt)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInvalidError(
            "Contraseña demasiado corta", errors={"password": [f"Mínimo {MIN_PASSWORD_LENGTH} caracteres."]}
        )
    return generate_password_hash(password)


def add_user(*, email: str, name: str, password: str, role: str) -> TenantUser:
    """Add a user to the current tenant inside the caller's transaction."""
    if role not in TENANT_ROLES:
        raise UserInvalidError("Rol desconocido", errors={"role": [f"Use uno de: {', '.join(TENANT_ROLES)}."]})
    normalized = email.strip().lower()
    current = session()
    exists = current.scalar(select(func.count()).select_from(TenantUser).where(TenantUser.email == normalized))
    if exists:
        raise UserConflictError("Ya existe un usuario con ese correo", errors={"email": ["Ya existe en esta empresa."]})
    user = TenantUser(email=normalized, name=name.strip(), password_hash=hash_password(password), role=role, is_active=True)
    current.add(user)
    return user


def create_user(*, tenant_id: uuid.UUID, email: str, name: str, password: str, role: str, actor: str) -> TenantUser:
    """Create a tenant user in its own transaction."""
    with tenant_context(tenant_id), unit_of_work() as current:
        user = add_user(email=email, name=name, password=password, role=role)
        try:
            current.flush()
        except IntegrityError as error:
            raise UserConflictError("Ya existe un usuario con ese correo", errors={"email": ["Ya existe en esta empresa."]}) from error
        record_event(actor=actor, action="user.created", entity="tenant_user", entity_id=user.id, changes={"email": user.email, "role": role})
    return user


def _get_user(user_id: uuid.UUID) -> TenantUser:
    user = session().get(TenantUser, user_id)
    if user is None:
        raise UserNotFoundError("Usuario no encontrado")
    return user


def reset_user_password(*, tenant_id: uuid.UUID, user_id: uuid.UUID, actor: str) -> str:
    """Give a user a new random temporary password and return it (shown once to the operator)."""
    temporary = secrets.token_urlsafe(12)
    with tenant_context(tenant_id), unit_of_work():
        user = _get_user(user_id)
        from gestiq_app.identity.sessions import TENANT, revoke_all_families

        user.password_hash = hash_password(temporary)
        user.session_version += 1
        revoke_all_families(kind=TENANT, user_id=user.id)
        record_event(actor=actor, action="user.password_reset", entity="tenant_user", entity_id=user.id)
    return temporary


def deactivate_user(*, tenant_id: uuid.UUID, user_id: uuid.UUID, actor: str) -> TenantUser:
    """Deactivate a user: they can no longer log in or use their tokens."""
    with tenant_context(tenant_id), unit_of_work():
        user = _get_user(user_id)
        if user.is_active:
            from gestiq_app.identity.sessions import TENANT, revoke_all_families

            user.is_active = False
            user.session_version += 1
            revoke_all_families(kind=TENANT, user_id=user.id)
            record_event(actor=actor, action="user.deactivated", entity="tenant_user", entity_id=user.id, changes={"is_active": [True, False]})
    return user
