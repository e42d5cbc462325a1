"""/api/v1/tenant: users and invitations, integration tokens, security settings."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.db import session, unit_of_work
from gestiq_app.audit.services import record_event
from gestiq_app.identity import token_services
from gestiq_app.identity.models import TenantUser
from gestiq_app.identity.schemas import (
    ApiTokenCreateSchema,
    ApiTokenSchema,
    InvitationCreateSchema,
    SecuritySettingsSchema,
    TenantUserSchema,
)
from gestiq_app.tenancy.models import Tenant

blp = Blueprint("tenant_users", __name__, url_prefix="/api/v1/tenant", description="Usuarios, claves de integración y seguridad")


@blp.route("/users")
class Users(MethodView):
    """The tenant's users."""

    @require("users:read")
    @blp.response(200, TenantUserSchema(many=True))
    def get(self) -> Any:
        """List the users of the tenant, by e-mail."""
        return session().scalars(select(TenantUser).order_by(TenantUser.email)).all()


@blp.route("/users/invitations")
class Invitations(MethodView):
    """Invite users by e-mail."""

    @require("users:write")
    @idempotent
    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, TenantUserSchema)
    @blp.alt_response(409, description="Ya existe un usuario con ese correo")
    def post(self, data: dict[str, Any]) -> Any:
        """Create an inactive user and e-mail an invitation (7 days)."""
        principal = current_principal()
        return token_services.invite_user(tenant_id=principal.tenant_id, inviter_id=uuid.UUID(principal.user_id),  # type: ignore[arg-type]
                                          email=data["email"], name=data["name"], role=data["role"])


@blp.route("/api-tokens")
class ApiTokens(MethodView):
    """Integration tokens for scripts (Authorization: Bearer)."""

    @require("api_tokens:write")
    @blp.response(200, ApiTokenSchema(many=True))
    def get(self) -> Any:
        """List the tokens (never their secrets)."""
        return token_services.list_api_tokens(tenant_id=current_principal().tenant_id)  # type: ignore[arg-type]

    @require("api_tokens:write")
    @idempotent
    @blp.arguments(ApiTokenCreateSchema)
    @blp.response(201, ApiTokenSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a token; its secret is in this response only."""
        principal = current_principal()
        token, secret = token_services.create_api_token(tenant_id=principal.tenant_id, creator_id=uuid.UUID(principal.user_id),  # type: ignore[arg-type]
                                                        name=data["name"], permissions=data["permissions"])
        token.token = secret  # shown in this response only; never stored
        return token


@blp.route("/api-tokens/<uuid:token_id>")
class ApiTokenItem(MethodView):
    """One integration token."""

    @require("api_tokens:write")
    @blp.response(204)
    @blp.alt_response(404, description="No existe")
    def delete(self, token_id: uuid.UUID) -> Any:
        """Revoke the token."""
        principal = current_principal()
        token_services.revoke_api_token(tenant_id=principal.tenant_id, token_id=token_id, actor=principal.actor)  # type: ignore[arg-type]
        return ""


@blp.route("/settings/security")
class SecuritySettings(MethodView):
    """Tenant-wide security settings."""

    @require("users:read")
    @blp.response(200, SecuritySettingsSchema)
    def get(self) -> Any:
        """Return whether a second factor is required of every user."""
        return session().get(Tenant, current_principal().tenant_id)

    @require("settings:write")
    @blp.arguments(SecuritySettingsSchema)
    @blp.response(200, SecuritySettingsSchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Require (or stop requiring) a second factor of every user."""
        principal = current_principal()
        with unit_of_work() as current:
            tenant = current.get(Tenant, principal.tenant_id, with_for_update=True)
            previous = tenant.require_two_factor
            tenant.require_two_factor = data["require_two_factor"]
            record_event(actor=principal.actor, action="tenant.security_changed", entity="tenant", entity_id=tenant.id,
                         changes={"require_two_factor": [previous, tenant.require_two_factor]})
        return tenant
