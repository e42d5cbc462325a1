"""The /api/v1 REST API (flask-smorest): docs, error format, and one blueprint per domain from one list."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, abort, request, send_from_directory
from flask.typing import ResponseReturnValue
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from api.errors import http_exception_response, init_errors, is_api_request
from api.openapi import ProblemResponsesMixin, ProblemResponsesPlugin
from api.strict_json import init_strict_json

#: The API's blueprints, registered in this order (module path, attribute).
BLUEPRINTS: list[str] = [
    "api.tenant_auth",
    "api.tenant_users",
    "api.admin_auth",
    "api.telemetry",
    "api.customers",
    "api.suppliers",
    "api.products",
    "api.price_lists",
    "api.taxes",
    "api.webhooks",
    "api.quotes",
    "api.invoices",
    "api.document_series",
    "api.einvoicing",
    "api.invoice_einvoicing",
    "api.purchases",
    "api.accounting",
    "api.reports",
    "api.dashboard",
    "api.payments",
    "api.documents_pdf",
    "api.imports",
]
DOCS_ASSETS = Path(__file__).resolve().parent / "docs" / "node_modules"
JSON_CONTENT_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")


class GestiqApi(ProblemResponsesMixin, Api):
    """flask-smorest's Api answering errors under /api/ as problem+json (elsewhere, Flask's default pages)."""

    def handle_http_exception(self, error: HTTPException) -> ResponseReturnValue:  # type: ignore[override]
        """Turn HTTP errors of API requests into problem documents."""
        if not is_api_request():
            return error
        return http_exception_response(error)


api = GestiqApi(spec_kwargs={"extra_plugins": [ProblemResponsesPlugin()]})


def init_api(app: Flask) -> None:
    """Configure flask-smorest, register the blueprints and the docs assets."""
    app.config.update(
        API_TITLE="GestiQCloud API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/api-docs-assets/swagger-ui/",
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None, "withCredentials": True},
        OPENAPI_REDOC_PATH="/redoc",
        OPENAPI_REDOC_URL="/api-docs-assets/redoc/redoc.standalone.js",
        API_SPEC_OPTIONS={
            "info": {"description": "API REST de GestiQCloud para la PWA, integraciones y scripts."},
            "components": {
                "securitySchemes": {
                    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "access_token"},
                    "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-TOKEN"},
                    "bearerToken": {"type": "http", "scheme": "bearer", "description": "Clave de integración gqt_…"},
                }
            },
        },
    )
    init_strict_json(app)
    api.init_app(app)
    init_errors(app)
    for module_path in BLUEPRINTS:
        module = importlib.import_module(module_path)
        api.register_blueprint(module.blp)
    _init_request_guards(app)
    _init_docs_assets(app)

    from gestiq_app.extensions import csrf

    for module_path in BLUEPRINTS:
        csrf.exempt(importlib.import_module(module_path).blp)


def _init_request_guards(app: Flask) -> None:
    @app.before_request
    def _require_json_bodies() -> None:
        if not request.path.startswith("/api/") or request.method not in {"POST", "PUT", "PATCH"}:
            return
        has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"
        if not has_body:
            return
        view = app.view_functions.get(request.endpoint or "")
        # A MethodView marks the handler method (e.g. a multipart upload's post), a plain view the function.
        handler = getattr(getattr(view, "view_class", None), request.method.lower(), None)
        accepted = (getattr(handler, "_gestiq_content_types", None) or getattr(view, "_gestiq_content_types", None)
                    or JSON_CONTENT_TYPES)
        if request.mimetype not in accepted:
            abort(415)


DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "worker-src 'self' blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def _init_docs_assets(app: Flask) -> None:
    @app.after_request
    def _docs_csp(response):  # type: ignore[no-untyped-def]
        # The doc pages may only load from this origin: ReDoc's hard-coded CDN logo is blocked, not fetched.
        if request.path in {"/docs", "/docs/", "/redoc", "/redoc/"}:
            response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    locations = {"swagger-ui": DOCS_ASSETS / "swagger-ui-dist", "redoc": DOCS_ASSETS / "redoc" / "bundles"}

    @app.get("/api-docs-assets/<string:package>/<path:filename>")
    def docs_asset(package: str, filename: str) -> ResponseReturnValue:
        """Serve Swagger UI and ReDoc from the packages installed by `make` (no CDN)."""
        folder = locations.get(package)
        if folder is None:
            abort(404)
        return send_from_directory(folder, filename, max_age=86400)
