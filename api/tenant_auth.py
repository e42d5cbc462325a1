"""/api/v1/tenant/auth: login (with TOTP), refresh, logout, me, password reset and change, invitations."""

from __future__ import annotations

import uuid
from typing import Any

from flask import jsonify, make_response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.cookies import clear_session_cookies, set_mfa_cookie, set_session_cookies
from api.ratelimit import client_ip, enforce
from api.security import authenticated, current_principal, public
from gestiq_app.identity import auth_services, token_services
from gestiq_app.identity.exceptions import AuthenticationError
from gestiq_app.identity.schemas import (
    InvitationAcceptSchema,
    LoginResponseSchema,
    LoginSchema,
    MeSchema,
    PasswordChangeSchema,
    PasswordResetConfirmSchema,
    PasswordResetRequestSchema,
    RecoveryCodesSchema,
    SecondFactorSchema,
    TotpEnrollmentSchema,
)
from gestiq_app.identity.sessions import MFA, TENANT, decode, rotate_refresh_token
from gestiq_app.tenancy.context import tenant_context

blp = Blueprint("tenant_auth", __name__, url_prefix="/api/v1/tenant/auth", description="Autenticación de usuarios de empresa")


def _limit_login(tenant: str, email: str) -> None:
    enforce("GESTIQ_RATELIMIT_LOGIN_IP", f"ip:{client_ip()}")
    enforce("GESTIQ_RATELIMIT_LOGIN_ACCOUNT", f"account:{tenant.strip().lower()}:{email.strip().lower()}")


def _login_response(result: auth_services.LoginResult) -> Any:
    if result.tokens is None:
        body = {"user": None, "second_factor_required": True, "enrollment_required": result.enrollment is not None,
                **(result.enrollment or {})}
        response = make_response(jsonify(LoginResponseSchema().dump(body)))
        set_mfa_cookie(response, result.mfa_token or "")
        return response
    with tenant_context(result.tenant.id):  # type: ignore[union-attr]
        user = auth_services.describe_user(result.user, result.tenant)  # type: ignore[arg-type]
    body = {"user": user, "second_factor_required": False, "enrollment_required": False, "recovery_codes": result.recovery_codes}
    response = make_response(jsonify(LoginResponseSchema().dump(body)))
    set_session_cookies(response, result.tokens)
    response.delete_cookie("mfa_token", path="/api/v1/tenant/auth")
    return response


@blp.route("/login")
class Login(MethodView):
    """Log in with tenant, e-mail and password."""

    @public
    @blp.arguments(LoginSchema)
    @blp.response(200, LoginResponseSchema)
    @blp.alt_response(401, description="Credenciales no válidas")
    @blp.alt_response(429, description="Demasiados intentos")
    def post(self, data: dict[str, Any]) -> Any:
        """Check the password; set the session cookies, or ask for the second factor."""
        _limit_login(data["tenant"], data["email"])
        return _login_response(auth_services.login(tenant_slug=data["tenant"], email=data["email"], password=data["password"]))


@blp.route("/login/totp")
class LoginSecondFactor(MethodView):
    """Finish a login with the second factor."""

    @public
    @blp.arguments(SecondFactorSchema)
    @blp.response(200, LoginResponseSchema)
    @blp.alt_response(401, description="Código incorrecto, reutilizado o sesión de verificación caducada")
    def post(self, data: dict[str, Any]) -> Any:
        """Verify a TOTP or recovery code (enrolling on first use) and set the session cookies."""
        claims = decode(request.cookies.get("mfa_token"), csrf_value=None, expected_type="access", expected_kind=MFA)
        enforce("GESTIQ_RATELIMIT_LOGIN_ACCOUNT", f"mfa:{claims['sub']}")
        return _login_response(auth_services.complete_second_factor(claims=claims, code=data["code"]))


@blp.route("/refresh")
class Refresh(MethodView):
    """Rotate the refresh token."""

    @public
    @blp.response(200, MeSchema)
    @blp.alt_response(401, description="Sesión no válida, caducada o reutilizada (la familia queda revocada)")
    def post(self) -> Any:
        """Exchange the refresh cookie (with X-CSRF-TOKEN = csrf_refresh_token) for a new session."""
        enforce("GESTIQ_RATELIMIT_LOGIN_IP", f"ip:{client_ip()}")
        claims = decode(request.cookies.get("refresh_token"), csrf_value=request.headers.get("X-CSRF-TOKEN") or "missing",
                        expected_type="refresh", expected_kind=TENANT)
        tenant_id, user_id = uuid.UUID(claims["tid"]), uuid.UUID(claims["sub"])
        with tenant_context(tenant_id):
            user = auth_services.get_active_user(tenant_id=tenant_id, user_id=user_id, session_version=None)
            tokens = rotate_refresh_token(kind=TENANT, claims=claims, build_claims=lambda: auth_services.access_claims(user),
                                          actor=f"user:{user_id}")
            response = make_response(jsonify(MeSchema().dump(auth_services.describe_user(user, user.tenant))))
        set_session_cookies(response, tokens)
        return response


@blp.route("/logout")
class Logout(MethodView):
    """End every session of the user."""

    @authenticated
    @blp.response(204)
    def post(self) -> Any:
        """Revoke all refresh-token families, invalidate access tokens and clear the cookies."""
        principal = current_principal()
        auth_services.logout(tenant_id=principal.tenant_id, user_id=uuid.UUID(principal.user_id))  # type: ignore[arg-type]
        response = make_response("", 204)
        clear_session_cookies(response)
        return response


@blp.route("/me")
class Me(MethodView):
    """The authenticated user."""

    @authenticated
    @blp.response(200, MeSchema)
    @blp.alt_response(401, description="No autenticado")
    def get(self) -> Any:
        """Return the user, its permissions and its tenant with the enabled modules."""
        principal = current_principal()
        user = auth_services.get_active_user(tenant_id=principal.tenant_id, user_id=uuid.UUID(principal.user_id),  # type: ignore[arg-type]
                                             session_version=None)
        return auth_services.describe_user(user, user.tenant)


@blp.route("/password")
class PasswordChange(MethodView):
    """Change one's own password."""

    @authenticated
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> Any:
        """Change the password, end the other sessions and renew this one."""
        principal = current_principal()
        tokens = auth_services.change_password(tenant_id=principal.tenant_id, user_id=uuid.UUID(principal.user_id),  # type: ignore[arg-type]
                                               current_password=data["current_password"], new_password=data["new_password"])
        response = make_response("", 204)
        set_session_cookies(response, tokens)
        return response


@blp.route("/password-reset")
class PasswordResetRequest(MethodView):
    """Ask for a password-reset e-mail."""

    @public
    @blp.arguments(PasswordResetRequestSchema)
    @blp.response(202)
    @blp.alt_response(429, description="Demasiados intentos")
    def post(self, data: dict[str, Any]) -> Any:
        """Always 202: whether the account exists is never revealed."""
        _limit_login(data["tenant"], data["email"])
        token_services.request_password_reset(tenant_slug=data["tenant"], email=data["email"])
        return make_response(jsonify(status="accepted", detail="Si la cuenta existe, recibirá un correo con instrucciones."), 202)


@blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    """Set a new password with the e-mailed token."""

    @public
    @blp.arguments(PasswordResetConfirmSchema)
    @blp.response(204)
    @blp.alt_response(401, description="Enlace no válido, usado o caducado")
    def post(self, data: dict[str, Any]) -> Any:
        """Consume the single-use token and set the password."""
        enforce("GESTIQ_RATELIMIT_LOGIN_IP", f"ip:{client_ip()}")
        token_services.confirm_password_reset(token=data["token"], password=data["password"])
        return make_response("", 204)


@blp.route("/invitations/accept")
class InvitationAccept(MethodView):
    """Accept an invitation and choose a password."""

    @public
    @blp.arguments(InvitationAcceptSchema)
    @blp.response(204)
    @blp.alt_response(401, description="Invitación no válida, usada o caducada")
    def post(self, data: dict[str, Any]) -> Any:
        """Activate the invited user."""
        enforce("GESTIQ_RATELIMIT_LOGIN_IP", f"ip:{client_ip()}")
        token_services.accept_invitation(token=data["token"], name=data["name"], password=data["password"])
        return make_response("", 204)


__all__ = ["AuthenticationError", "blp"]


@blp.route("/totp")
class TotpSetup(MethodView):
    """The caller's own second factor."""

    @authenticated
    @blp.response(201, TotpEnrollmentSchema)
    def post(self) -> Any:
        """Start setting up TOTP: return a secret and its otpauth:// URI."""
        principal = current_principal()
        return auth_services.start_totp_enrollment(tenant_id=principal.tenant_id, user_id=uuid.UUID(principal.user_id))  # type: ignore[arg-type]

    @authenticated
    @blp.arguments(SecondFactorSchema)
    @blp.response(204)
    def delete(self, data: dict[str, Any]) -> Any:
        """Turn TOTP off (needs a current code; refused when the tenant requires it)."""
        principal = current_principal()
        auth_services.disable_totp(tenant_id=principal.tenant_id, user_id=uuid.UUID(principal.user_id), code=data["code"])  # type: ignore[arg-type]
        return ""


@blp.route("/totp/confirm")
class TotpConfirm(MethodView):
    """Activate TOTP with a first code."""

    @authenticated
    @blp.arguments(SecondFactorSchema)
    @blp.response(200, RecoveryCodesSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Check the code, activate TOTP and return the recovery codes (shown once)."""
        principal = current_principal()
        codes = auth_services.confirm_totp_enrollment(tenant_id=principal.tenant_id, user_id=uuid.UUID(principal.user_id),  # type: ignore[arg-type]
                                                      code=data["code"])
        return {"recovery_codes": codes}
