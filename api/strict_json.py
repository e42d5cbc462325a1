"""Strict JSON decoding for the API: an object with the same key twice is a 400, not "the last one wins".

Different parsers disagree on duplicate keys (Python keeps the last, some keep the first), so an attacker
can make the edge, a log pipeline and the app read different values from one body. We refuse them in both
places the app decodes JSON: webargs (flask-smorest's argument parser, used by every API view) and Flask's
own `request.get_json` (through the app's JSON provider).
"""

from __future__ import annotations

import json
from typing import Any

import flask
import marshmallow as ma
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """object_pairs_hook for json.loads raising JSONDecodeError on a repeated key.

    The error's `doc` must not be empty: webargs reads an empty doc as "no body" and would go on parsing.
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise json.JSONDecodeError(f"duplicate key {key!r}", str(key) or "<empty key>", 0)
        result[key] = value
    return result


def strict_loads(data: str | bytes) -> Any:
    """json.loads that refuses duplicate keys (bytes are decoded as UTF-8, as webargs does)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError(f"Bytes decoding error : {error.reason}", doc="<bytes>", pos=error.start) from error
    return json.loads(data, object_pairs_hook=reject_duplicate_keys)


class StrictJSONParser(FlaskParser):
    """webargs' Flask parser with duplicate keys refused (errors go through its invalid-JSON 400 path).

    It also builds each argument schema class once: webargs instantiates the class given to
    `@blp.arguments` on every request, while a marshmallow 4 schema holds no per-load state (no context),
    so one instance per class serves every request and thread.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: flask.Request) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return strict_loads(req.get_data(cache=True))


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with duplicate keys refused when loading."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("object_pairs_hook", reject_duplicate_keys)
        return json.loads(s, **kwargs)


def init_strict_json(app: flask.Flask) -> None:
    """Install both: every flask-smorest blueprint (present and future) shares the strict parser."""
    Blueprint.ARGUMENTS_PARSER = StrictJSONParser()
    app.json = StrictJSONProvider(app)
