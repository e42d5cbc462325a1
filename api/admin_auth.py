"""/api/v1/admin/auth: back-office login (password + mandatory TOTP), refresh, logout, me."""

from __future__ import annotations

from typing import Any

from flask import jsonify, make_response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.cookies import clear_session_cookies, set_mfa_cookie, set_session_cookies
from api.ratelimit import client_ip, enforce
from api.security import admin_only, current_admin, public
from gestiq_app.admin import api_auth_services as services
from gestiq_app.extensions import appbuilder
from gestiq_app.identity.exceptions import AuthenticationError
from gestiq_app.identity.schemas import AdminLoginResponseSchema, AdminLoginSchema, AdminUserSchema, SecondFactorSchema
from gestiq_app.identity.sessions import ADMIN, MFA, decode, rotate_refresh_token

blp = Blueprint("admin_auth", __name__, url_prefix="/api/v1/admin/auth", description="Autenticación del back office")


@blp.route("/login")
class AdminLogin(MethodView):
    """Back-office login, step 1: password."""

    @public
    @blp.arguments(AdminLoginSchema)
    @blp.response(200, AdminLoginResponseSchema)
    @blp.alt_response(401, description="Credenciales no válidas")
    @blp.alt_response(429, description="Demasiados intentos")
    def post(self, data: dict[str, Any]) -> Any:
        """Check the password; the second factor is always required (enrolment on first login)."""
        enforce("GESTIQ_RATELIMIT_LOGIN_IP", f"ip:{client_ip()}")
        enforce("GESTIQ_RATELIMIT_LOGIN_ACCOUNT", f"admin:{data['email'].strip().lower()}")
        _user, token, enrollment = services.login_password(email=data["email"], password=data["password"])
        body = {"user": None, "second_factor_required": True, "enrollment_required": enrollment is not None, **(enrollment or {})}
        response = make_response(jsonify(AdminLoginResponseSchema().dump(body)))
        set_mfa_cookie(response, token, admin=True)
        return response


@blp.route("/login/totp")
class AdminLoginSecondFactor(MethodView):
    """Back-office login, step 2: TOTP or recovery code."""

    @public
    @blp.arguments(SecondFactorSchema)
    @blp.response(200, AdminLoginResponseSchema)
    @blp.alt_response(401, description="Código incorrecto o reutilizado")
    def post(self, data: dict[str, Any]) -> Any:
        """Verify the code and set the admin session cookies."""
        claims = decode(request.cookies.get("admin_mfa_token"), csrf_value=None, expected_type="access", expected_kind=MFA)
        if not claims.get("adm"):
            raise AuthenticationError()
        enforce("GESTIQ_RATELIMIT_LOGIN_ACCOUNT", f"admin-mfa:{claims['sub']}")
        user_id = int(claims["sub"])
        recovery_codes = services.verify_second_factor(user_id=user_id, code=data["code"], session_version=claims.get("ver"))
        tokens = services.issue_admin_tokens(user_id=user_id)
        user = appbuilder.sm.get_user_by_id(user_id)
        body = {"user": services.describe_admin(user), "second_factor_required": False, "enrollment_required": False,
                "recovery_codes": recovery_codes}
        response = make_response(jsonify(AdminLoginResponseSchema().dump(body)))
        set_session_cookies(response, tokens, admin=True)
        response.delete_cookie("admin_mfa_token", path="/api/v1/admin/auth")
        return response


@blp.route("/refresh")
class AdminRefresh(MethodView):
    """Rotate the back-office refresh token."""

    @public
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(401, description="Sesión no válida o reutilizada")
    def post(self) -> Any:
        """Exchange the refresh cookie for a new session (X-CSRF-TOKEN = admin_csrf_refresh_token)."""
        enforce("GESTIQ_RATELIMIT_LOGIN_IP", f"ip:{client_ip()}")
        claims = decode(request.cookies.get("admin_refresh_token"), csrf_value=request.headers.get("X-CSRF-TOKEN") or "missing",
                        expected_type="refresh", expected_kind=ADMIN)
        user = services.get_active_admin(user_id=int(claims["sub"]), session_version=claims.get("ver"))
        tokens = rotate_refresh_token(kind=ADMIN, claims=claims, build_claims=lambda: services.admin_claims(user), actor=f"admin:{user.email}")
        response = make_response(jsonify(AdminUserSchema().dump(services.describe_admin(user))))
        set_session_cookies(response, tokens, admin=True)
        return response


@blp.route("/logout")
class AdminLogout(MethodView):
    """End every session of the back-office user."""

    @admin_only
    @blp.response(204)
    def post(self) -> Any:
        """Revoke the admin's refresh families and clear the cookies."""
        services.logout_admin(user_id=int(current_admin().user_id))
        response = make_response("", 204)
        clear_session_cookies(response, admin=True)
        return response


@blp.route("/me")
class AdminMe(MethodView):
    """The authenticated back-office user."""

    @admin_only
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(401, description="No autenticado")
    def get(self) -> Any:
        """Return the admin and its roles."""
        return services.describe_admin(services.get_active_admin(user_id=int(current_admin().user_id), session_version=None))
