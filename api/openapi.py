"""What the OpenAPI document says beyond the blueprints: the problem+json error shape and operation ids.

flask-smorest documents its own `Error` schema as `application/json`, but every API error is an RFC 9457
problem document (api/errors.py). Clients and API fuzzers read the document literally, so the error
responses are declared as they are really sent.
"""

from __future__ import annotations

import http
import re
from typing import Any

from apispec import BasePlugin
from marshmallow import Schema, fields

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_SCHEMA_REF = {"$ref": "#/components/schemas/Problem"}


class ProblemSchema(Schema):
    """An application/problem+json error document (api/errors.py `problem`)."""

    type = fields.String(required=True, metadata={"description": "URI del tipo de problema"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    request_id = fields.String(required=True, allow_none=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Mensajes por campo (campos anidados como a.b.0.c)"})


def operation_id(endpoint: str, method: str) -> str:
    """Return the stable operation id of a view method: `<blueprint>_<view_in_snake_case>_<method>`."""
    blueprint, _, view = endpoint.rpartition(".")
    snake_view = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", view).lower()
    return f"{blueprint}_{snake_view}_{method.lower()}"


class ProblemResponsesPlugin(BasePlugin):
    """Give every operation an id and declare its error responses (4xx/5xx) as problem documents."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        """Complete the operations of one route (called by apispec for every `spec.path`)."""
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            if rule is not None:
                operation.setdefault("operationId", operation_id(rule.endpoint, method))
            for status, response in operation.get("responses", {}).items():
                if not isinstance(response, dict) or "$ref" in response or "content" in response:
                    continue
                if str(status).isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_SCHEMA_REF}}


class ProblemResponsesMixin:
    """flask-smorest Api mixin: register the shared error responses as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        spec = self.spec  # type: ignore[attr-defined]
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": ProblemSchema}}
            spec.components.response(status.name, response, lazy=True)
        spec.components.response(
            "DEFAULT_ERROR", {"description": "Error (problem+json)", "content": {PROBLEM_CONTENT_TYPE: {"schema": ProblemSchema}}},
            lazy=True,
        )
