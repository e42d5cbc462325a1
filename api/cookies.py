"""Set and clear the auth cookies with the exact attributes each one needs."""

from __future__ import annotations

from flask import Response, current_app

from gestiq_app.identity.sessions import IssuedTokens

TENANT_AUTH_PATH = "/api/v1/tenant/auth"
ADMIN_AUTH_PATH = "/api/v1/admin/auth"
MFA_SECONDS = 300


def _common() -> dict[str, object]:
    domain = current_app.config["GESTIQ_COOKIE_DOMAIN"] or None
    return {"domain": domain}


def _secure() -> bool:
    return current_app.config["GESTIQ_ENV"] == "production"


def set_session_cookies(response: Response, tokens: IssuedTokens, *, admin: bool = False) -> None:
    """Set access (Lax), refresh (None, Secure, auth path only) and the readable CSRF cookies."""
    prefix = "admin_" if admin else ""
    auth_path = ADMIN_AUTH_PATH if admin else TENANT_AUTH_PATH
    access_seconds = int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())
    refresh_seconds = int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds())
    common = _common()
    response.set_cookie(f"{prefix}access_token", tokens.access_token, max_age=access_seconds, path="/", secure=_secure(),
                        httponly=True, samesite="Lax", **common)  # type: ignore[arg-type]
    response.set_cookie(f"{prefix}refresh_token", tokens.refresh_token, max_age=refresh_seconds, path=auth_path, secure=True,
                        httponly=True, samesite="None", **common)  # type: ignore[arg-type]
    response.set_cookie(f"{prefix}csrf_access_token", tokens.access_csrf, max_age=access_seconds, path="/", secure=_secure(),
                        httponly=False, samesite="Lax", **common)  # type: ignore[arg-type]
    response.set_cookie(f"{prefix}csrf_refresh_token", tokens.refresh_csrf, max_age=refresh_seconds, path="/", secure=_secure(),
                        httponly=False, samesite="Lax", **common)  # type: ignore[arg-type]


def set_mfa_cookie(response: Response, token: str, *, admin: bool = False) -> None:
    """Set the short-lived cookie that carries a pending second-factor login."""
    response.set_cookie(f"{'admin_' if admin else ''}mfa_token", token, max_age=MFA_SECONDS,
                        path=ADMIN_AUTH_PATH if admin else TENANT_AUTH_PATH, secure=_secure(), httponly=True,
                        samesite="Strict", **_common())  # type: ignore[arg-type]


def clear_session_cookies(response: Response, *, admin: bool = False) -> None:
    """Delete every auth cookie of the tenant (or admin) session."""
    prefix = "admin_" if admin else ""
    auth_path = ADMIN_AUTH_PATH if admin else TENANT_AUTH_PATH
    common = _common()
    for name, path, secure, samesite in (
        ("access_token", "/", _secure(), "Lax"),
        ("csrf_access_token", "/", _secure(), "Lax"),
        ("csrf_refresh_token", "/", _secure(), "Lax"),
        ("refresh_token", auth_path, True, "None"),
        ("mfa_token", auth_path, _secure(), "Strict"),
    ):
        response.delete_cookie(f"{prefix}{name}", path=path, secure=secure, samesite=samesite, **common)  # type: ignore[arg-type]
