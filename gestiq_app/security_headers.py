"""Security headers set by the app itself, so they hold with or without the edge in front.

- Content-Security-Policy per surface: the PWA (/app/) runs only its own bundled code; the back office
  (/admin/) needs 'unsafe-inline' for scripts and styles because Flask-AppBuilder's templates carry
  inline <script> blocks and style attributes; API responses are data, never documents.
- X-Content-Type-Options: nosniff everywhere; HSTS in production (the edge replaces it with its own).
- The Swagger UI / ReDoc pages keep the CSP that api/__init__.py gives them.
"""

from __future__ import annotations

from flask import Flask, Response, request

HSTS = "max-age=31536000; includeSubDomains"
PWA_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
BANNER_HEADERS = ("Server", "X-Powered-By")


def content_security_policy(path: str) -> str | None:
    """Return the CSP of a path, or None where another part of the app sets it (API docs) or none is needed."""
    if path == "/app" or path.startswith("/app/"):
        return PWA_CSP
    if path.startswith("/admin/") or path == "/admin":
        return ADMIN_CSP
    if path.startswith("/api/") or path == "/openapi.json":
        return API_CSP
    return None


def init_security_headers(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if app.config["GESTIQ_ENV"] == "production":
            response.headers["Strict-Transport-Security"] = HSTS
        policy = content_security_policy(request.path)
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy
        for name in BANNER_HEADERS:
            response.headers.pop(name, None)
        return response
