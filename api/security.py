"""Who is calling: cookie JWTs (tenant users, back-office admins) or integration tokens; permission checks."""

from __future__ import annotations

import functools
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import g, request

from api.errors import ApiProblem
from gestiq_app.identity.exceptions import AuthenticationError
from gestiq_app.identity.permissions import PERMISSION_MODULES, permissions_of_role
from gestiq_app.identity.sessions import ADMIN, TENANT, decode
from gestiq_app.tenancy.context import bind_tenant

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_TOKEN_PREFIX = "gqt_"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of an API request."""

    kind: str
    user_id: str
    tenant_id: uuid.UUID | None = None
    role: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    api_token_id: uuid.UUID | None = None
    #: The tenant's enabled modules, read with the session check (None: not loaded, e.g. integration tokens).
    modules: frozenset[str] | None = None

    @property
    def actor(self) -> str:
        """Return the audit actor string."""
        if self.api_token_id:
            return f"api_token:{self.api_token_id}"
        return f"{'admin' if self.kind == ADMIN else 'user'}:{self.user_id}"

    @property
    def idempotency_scope(self) -> str:
        """Return the owner of Idempotency-Keys (a key is private to its caller)."""
        return self.actor


def _check_csrf(claims: dict[str, Any]) -> None:
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get("X-CSRF-TOKEN", "")
    expected = claims.get("csrf", "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise ApiProblem(403, "Falta la cabecera X-CSRF-TOKEN o no coincide con la sesión.", slug="csrf-failed")


def _tenant_principal_from_cookie() -> Principal:
    from gestiq_app.identity.auth_services import check_session

    claims = decode(request.cookies.get("access_token"), csrf_value=None, expected_type="access", expected_kind=TENANT)
    _check_csrf(claims)
    tenant_id = uuid.UUID(claims["tid"])
    bind_tenant(tenant_id)
    # One query: user active, session version current, tenant active, and the tenant's modules (for @require).
    user_id = uuid.UUID(claims["sub"])
    checked = check_session(tenant_id=tenant_id, user_id=user_id, session_version=claims.get("ver"))
    return Principal(kind=TENANT, user_id=str(user_id), tenant_id=tenant_id, role=checked.role,
                     permissions=permissions_of_role(checked.role), modules=checked.modules)


def _principal_from_api_token(raw: str) -> Principal:
    from gestiq_app.identity.token_services import authenticate_api_token

    token = authenticate_api_token(raw)
    return Principal(kind=TENANT, user_id=str(token.created_by_id), tenant_id=token.tenant_id, role=None,
                     permissions=frozenset(token.permissions), api_token_id=token.id)


def _admin_principal_from_cookie() -> Principal:
    from gestiq_app.admin.api_auth_services import get_active_admin

    claims = decode(request.cookies.get("admin_access_token"), csrf_value=None, expected_type="access", expected_kind=ADMIN)
    _check_csrf(claims)
    admin = get_active_admin(user_id=int(claims["sub"]), session_version=claims.get("ver"))
    return Principal(kind=ADMIN, user_id=str(admin.id), role=",".join(role.name for role in admin.roles))


def current_principal() -> Principal:
    """Authenticate the request once (tenant cookie or Bearer integration token) and return the caller."""
    cached = getattr(g, "principal", None)
    if cached is not None:
        return cached
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        principal = _principal_from_api_token(authorization[len("Bearer "):].strip())
    else:
        principal = _tenant_principal_from_cookie()
    g.principal = principal
    g.user_id = principal.actor
    return principal


def current_admin() -> Principal:
    """Authenticate a back-office admin from the admin cookies."""
    cached = getattr(g, "principal", None)
    if cached is not None and cached.kind == ADMIN:
        return cached
    principal = _admin_principal_from_cookie()
    g.principal = principal
    g.user_id = principal.actor
    return principal


def require(permission: str) -> Callable[[F], F]:
    """Allow a tenant endpoint only to callers with `permission` whose tenant has the permission's module on."""
    if permission not in PERMISSION_MODULES:
        raise ValueError(f"unknown permission {permission}")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            module = PERMISSION_MODULES[permission]
            if module is not None:
                enabled = principal.modules
                if enabled is None:
                    from gestiq_app.tenancy.services import list_enabled_modules

                    enabled = frozenset(list_enabled_modules(tenant_id=principal.tenant_id))  # type: ignore[arg-type]
                if module not in enabled:
                    raise ApiProblem(403, f"El módulo «{module}» no está activado para esta empresa.", slug="module-not-enabled")
            if permission not in principal.permissions:
                raise ApiProblem(403, f"No tiene permiso para esta acción ({permission}).", slug="permission-denied")
            return view(*args, **kwargs)

        wrapper._gestiq_permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def authenticated(view: F) -> F:
    """Allow any authenticated tenant user (own profile, own session)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal()
        if principal.api_token_id is not None:
            raise ApiProblem(403, "Las claves de integración no pueden usar este recurso.", slug="permission-denied")
        return view(*args, **kwargs)

    wrapper._gestiq_permission = "authenticated"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def admin_only(view: F) -> F:
    """Allow authenticated back-office users only."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_admin()
        return view(*args, **kwargs)

    wrapper._gestiq_permission = "admin"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def public(view: F) -> F:
    """Mark an endpoint as deliberately public (login, password reset, webhooks, telemetry)."""
    view._gestiq_permission = "public"  # type: ignore[attr-defined]
    return view


__all__ = ["AuthenticationError", "Principal", "admin_only", "authenticated", "current_admin", "current_principal", "public", "require"]
