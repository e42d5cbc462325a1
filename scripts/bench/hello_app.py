"""The baseline of scripts/bench/api.py: a bare Flask app answering a small JSON, served by the same gunicorn."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> dict[str, str]:
    """Answer a constant JSON object."""
    return {"hello": "world"}
