"""Serve the built tenant PWA at /app/: hashed assets immutable, the shell and service worker never cached."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

from gestiq_app.config import PROJECT_ROOT

DIST = PROJECT_ROOT / "tenant-pwa" / "dist"
NEVER_CACHED = {"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"}
blueprint = Blueprint("pwa", __name__)


def _send(relative: str) -> Response:
    response = send_from_directory(DIST, relative)
    if relative.startswith("assets/"):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif Path(relative).name in NEVER_CACHED or relative.startswith("workbox-"):
        response.headers["Cache-Control"] = "no-cache"
    else:
        response.headers["Cache-Control"] = "public, max-age=3600"
    if Path(relative).name == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/app/"
    return response


@blueprint.get("/app/")
@blueprint.get("/app/<path:path>")
def app_shell(path: str = "") -> Response:
    """Serve a built file, or the app shell for client-side routes."""
    if not (DIST / "index.html").is_file():
        abort(503, description="La PWA no está compilada: ejecute `make build-pwa`.")
    if path and (DIST / path).is_file() and DIST in (DIST / path).resolve().parents:
        return _send(path)
    if path.startswith("assets/") or Path(path).suffix in {".js", ".css", ".png", ".svg", ".webmanifest", ".map"}:
        abort(404)
    return _send("index.html")


@blueprint.get("/app")
def app_redirect() -> Response:
    """Redirect /app to /app/ (the service worker's scope)."""
    from flask import redirect

    return redirect("/app/", code=301)  # type: ignore[return-value]
