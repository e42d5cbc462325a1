"""WSGI middleware applying the edge policy (edge/policy.json) in front of the Flask app.

It does what edge/worker.js does, except proxying: preflights answered here, CORS headers for
allowed origins, Set-Cookie rewriting, request id kept or generated, security headers, banner removal.
Banners added by the WSGI server itself after the app (gunicorn's `Server`) are out of its reach.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

from .policy import (
    EdgePolicy,
    Header,
    evaluate_preflight,
    harden_response_headers,
    is_preflight,
    load_policy,
    preflight_headers,
    problem_body,
    resolve_request_id,
)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApplication = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

REQUEST_ID_ENVIRON_KEY = "gestiq.request_id"
STATUS_LINES = {204: "204 No Content", 403: "403 Forbidden"}


class EdgeMiddleware:
    """Apply the GestiQCloud edge policy of one environment to a WSGI application."""

    def __init__(
        self,
        app: WSGIApplication,
        policy_path: str | Path | None = None,
        environment: str = "development",
        trusted_proxies: int = 0,
    ) -> None:
        """Load the policy and, when proxies are trusted, put ProxyFix between us and the app."""
        if trusted_proxies < 0:
            raise ValueError("trusted_proxies must be 0 or more")
        self.policy: EdgePolicy = load_policy(policy_path, environment)
        self.trusted_proxies = trusted_proxies
        # X-Forwarded-* is believed only from the configured number of hops; with 0 it is left unread.
        self.app: WSGIApplication = (
            ProxyFix(app, x_for=trusted_proxies, x_proto=trusted_proxies, x_host=trusted_proxies)
            if trusted_proxies > 0
            else app
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer preflights here and harden every response of the wrapped application."""
        request_id, _ = resolve_request_id(self.policy, environ.get("HTTP_X_REQUEST_ID"))
        environ["HTTP_X_REQUEST_ID"] = request_id
        environ[REQUEST_ID_ENVIRON_KEY] = request_id
        origin: str | None = environ.get("HTTP_ORIGIN")
        requested_method: str | None = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if is_preflight(environ.get("REQUEST_METHOD", "GET"), origin, requested_method):
            return self._answer_preflight(environ, start_response, origin, requested_method, request_id)

        def start_hardened(
            status: str, headers: list[Header], exc_info: ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            hardened = harden_response_headers(self.policy, headers, origin=origin, request_id=request_id)
            if exc_info is None:
                return start_response(status, hardened)
            return start_response(status, hardened, exc_info)

        return self.app(environ, start_hardened)

    def _answer_preflight(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        origin: str | None,
        requested_method: str | None,
        request_id: str,
    ) -> Iterable[bytes]:
        """Answer a CORS preflight with 204 and CORS headers, or 403 problem+json."""
        assert origin is not None and requested_method is not None  # guaranteed by is_preflight
        denial = evaluate_preflight(
            self.policy, origin, requested_method, environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
        )
        if denial is None:
            headers = harden_response_headers(self.policy, [], origin=None, request_id=request_id)
            start_response(STATUS_LINES[204], headers + preflight_headers(self.policy, origin))
            return []
        body = json.dumps(problem_body(self.policy, denial, request_id)).encode()
        backend_like: list[Header] = [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
        # A denied preflight never carries CORS headers, even when only the method or a header was refused.
        headers = harden_response_headers(self.policy, backend_like, origin=None, request_id=request_id)
        start_response(STATUS_LINES[403], headers)
        return [body]
