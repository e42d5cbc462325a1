"""Every non-2xx /api/ response is application/problem+json (RFC 9457) with the request id."""

from __future__ import annotations

import json as json_module
import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from gestiq_app.identity.exceptions import AuthenticationError
from gestiq_app.tenancy.exceptions import DomainError

log = logging.getLogger("gestiq.api")
PROBLEM_BASE = "https://gestiqcloud.com/problems/"
API_PREFIXES = ("/api/", "/openapi.json")

TITLES = {
    400: "Petición incorrecta",
    401: "No autenticado",
    403: "Prohibido",
    404: "No encontrado",
    405: "Método no permitido",
    409: "Conflicto",
    413: "Contenido demasiado grande",
    415: "Tipo de contenido no admitido",
    422: "Datos no válidos",
    429: "Demasiadas peticiones",
    500: "Error interno",
    503: "Servicio no disponible",
}
DETAILS = {
    400: "La petición está mal formada.",
    404: "El recurso no existe.",
    405: "Este método no está permitido en este recurso.",
    413: "El cuerpo de la petición supera el tamaño máximo permitido.",
    415: "Envíe el cuerpo como application/json.",
    429: "Ha superado el límite de peticiones. Vuelva a intentarlo más tarde.",
    500: "Se ha producido un error inesperado. Indique el request_id al soporte.",
}
SLUGS = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type", 422: "validation-error",
         429: "rate-limited", 500: "internal-error", 503: "unavailable"}
INVALID_JSON_DETAIL = "El cuerpo no es un JSON válido (sintaxis, codificación UTF-8, anidamiento o números fuera de los límites)."
_JSON_PACKAGE = Path(json_module.__file__).resolve().parent


class ApiProblem(Exception):
    """An error answered as a problem document (use for 403s and other API-only refusals)."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None, errors: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug, self.errors, self.headers = status, detail, slug, errors, headers or {}


def is_api_request() -> bool:
    """Tell whether the current request is answered by the API."""
    return request.path.startswith(API_PREFIXES)


def problem(status: int, detail: str | None = None, *, slug: str | None = None, errors: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """Build an application/problem+json response."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or SLUGS.get(status, "error")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status, TITLES.get(status, "Error")),
        "request_id": getattr(g, "request_id", None),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_webargs_messages(messages: Any) -> dict[str, list[str]]:
    """Turn webargs' {location: {field: [msg]}} into {field: [msg]} (nested fields as a.b.0.c)."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            flat.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for item in value:
                walk(prefix, item)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    if isinstance(messages, dict) and set(messages) <= {"json", "query", "path", "form", "files", "headers", "cookies", "view_args", "json_or_form"}:
        for location_messages in messages.values():
            walk("", location_messages)
    else:
        walk("", messages)
    return flat


def http_exception_response(error: HTTPException) -> Response:
    """Answer an HTTPException raised under /api/ as a problem document."""
    status = error.code or 500
    headers: dict[str, str] = {}
    if status == 405:
        allow = error.get_headers() if hasattr(error, "get_headers") else []
        headers.update({name: value for name, value in allow if name.lower() == "allow"})
    # 429: Flask-Limiter adds Retry-After (RATELIMIT_HEADERS_ENABLED) to whatever response we return.
    data = getattr(error, "data", None) or {}
    if status == 422 and isinstance(data, dict) and "messages" in data:
        return problem(422, "Revise los campos marcados.", errors=flatten_webargs_messages(data["messages"]), headers=headers)
    if status == 400 and isinstance(data, dict) and "json" in (data.get("messages") or {}):
        # webargs: the body is not JSON at all (or not UTF-8); its own message is English.
        return problem(400, INVALID_JSON_DETAIL, slug="invalid-json", headers=headers)
    detail = DETAILS.get(status) if status in DETAILS else (data.get("message") if isinstance(data, dict) else None)
    description = getattr(error, "description", None)
    # A description given on purpose (abort(400, description="…")) is kept; werkzeug's English defaults are not.
    if status in (400, 401, 403, 409) and isinstance(description, str) and description != type(error).description:
        detail = description
    return problem(status, detail, headers=headers)


def raised_while_decoding_json(error: BaseException) -> bool:
    """Tell whether an exception comes from inside the json package (too deep, or an integer over the digit limit)."""
    traceback = error.__traceback__
    while traceback is not None:
        if Path(traceback.tb_frame.f_code.co_filename).resolve().parent == _JSON_PACKAGE:
            return True
        traceback = traceback.tb_next
    return False


def init_errors(app: Flask) -> None:
    """Register the problem+json handlers (API paths only; the admin keeps its HTML pages)."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return problem(error.status, error.message, errors=error.errors or None)

    @app.errorhandler(AuthenticationError)
    def _authentication_error(error: AuthenticationError) -> Response:
        return problem(401, error.message)

    @app.errorhandler(ApiProblem)
    def _api_problem(error: ApiProblem) -> Response:
        return problem(error.status, error.detail, slug=error.slug, errors=error.errors, headers=error.headers)

    @app.errorhandler(RecursionError)
    @app.errorhandler(ValueError)
    def _undecodable_json(error: Exception) -> Response:
        # json.loads raises these (not JSONDecodeError) for 10,000 nested arrays or a 5,000-digit number;
        # webargs and Flask only turn JSONDecodeError into a 400. Anything else stays a 500.
        if is_api_request() and not isinstance(error, json_module.JSONDecodeError) and raised_while_decoding_json(error):
            return problem(400, INVALID_JSON_DETAIL, slug="invalid-json")
        raise error

    @app.errorhandler(InternalServerError)
    def _internal_error(error: InternalServerError) -> Response | InternalServerError:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
        if is_api_request():
            return problem(500)
        return error
