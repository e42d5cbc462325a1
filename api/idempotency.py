"""The Idempotency-Key header on creating POSTs: same key + same body replays, different body 422, running 409."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, make_response, request

from api.errors import ApiProblem
from api.security import current_principal
from gestiq_app.idempotency import services

F = TypeVar("F", bound=Callable[..., Any])
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,255}$")
REPLAYED_HEADERS = ("Content-Type", "Location", "X-Pagination")


def idempotent(view: F) -> F:
    """Honour an optional Idempotency-Key on a creating endpoint (after authentication and permission checks)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise ApiProblem(400, "Idempotency-Key debe tener entre 8 y 255 caracteres [A-Za-z0-9._:-].", slug="bad-idempotency-key")
        principal = current_principal()
        fingerprint = services.request_fingerprint(request.method, request.path, request.get_data(cache=True))
        claim = services.claim_key(principal=principal.idempotency_scope, key=key, fingerprint=fingerprint)
        if claim.outcome == "conflict":
            raise ApiProblem(422, "Esta Idempotency-Key ya se usó con otro cuerpo de petición.", slug="idempotency-key-reused")
        if claim.outcome == "running":
            raise ApiProblem(409, "Una petición con esta Idempotency-Key aún está en curso.", slug="idempotency-key-in-progress",
                             headers={"Retry-After": "2"})
        if claim.outcome == "replay":
            replay = Response(claim.body, status=claim.status)
            for name, value in (claim.headers or {}).items():
                replay.headers[name] = value
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = make_response(view(*args, **kwargs))
        except ApiProblem as error:
            if error.status >= 500:
                services.release_key(row_id=claim.row_id)
                raise
            services.store_response(row_id=claim.row_id, status=error.status, body=_problem_body(error), headers={"Content-Type": "application/problem+json"})
            raise
        except Exception:
            services.release_key(row_id=claim.row_id)
            raise
        if response.status_code >= 500:
            services.release_key(row_id=claim.row_id)
            return response
        headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
        services.store_response(row_id=claim.row_id, status=response.status_code, body=response.get_data(as_text=True), headers=headers)
        return response

    return wrapper  # type: ignore[return-value]


def _problem_body(error: ApiProblem) -> str:
    from api.errors import problem

    return problem(error.status, error.detail, slug=error.slug, errors=error.errors).get_data(as_text=True)
