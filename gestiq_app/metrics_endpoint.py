"""Request metrics for every route and the /metrics page, open only to allowed networks or a bearer token."""

from __future__ import annotations

import hmac
import ipaddress
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request

from gestiq_app.metrics import exposition, observe_request

blueprint = Blueprint("metrics", __name__)


def _networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]


def is_allowed_scraper() -> bool:
    """Tell whether the caller may read /metrics: a configured network, or the configured bearer token."""
    token = current_app.config["GESTIQ_METRICS_TOKEN"]
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[len("Bearer "):].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    return any(address in network for network in _networks(current_app.config["GESTIQ_METRICS_ALLOWED_NETWORKS"]))


@blueprint.get("/metrics")
def metrics() -> Response:
    """Serve the Prometheus metrics (404 to everyone else, so the page does not advertise itself)."""
    if not is_allowed_scraper():
        abort(404)
    body, content_type = exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def init_metrics(app: Flask) -> None:
    """Time every request by URL rule and method, count statuses, and serve /metrics."""
    _networks(app.config["GESTIQ_METRICS_ALLOWED_NETWORKS"])  # a malformed setting fails at start, not at scrape

    @app.after_request
    def _observe(response: Response) -> Response:
        # Set by the first request hook (gestiq_app.observability), so refused requests are timed too.
        started = getattr(g, "request_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            observe_request(route=route, method=request.method, status=response.status_code, seconds=time.perf_counter() - started)
        return response

    app.register_blueprint(blueprint)
