"""The /api/v1 REST API (flask-smorest)."""

from __future__ import annotations

from flask import Flask


def init_api(app: Flask) -> None:
    """Register the API blueprints (filled in by the REST API issue)."""
