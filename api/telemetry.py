"""/api/v1/telemetry/client: errors and slow interactions reported by the PWA, written to the logs."""

from __future__ import annotations

import logging
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.ratelimit import client_ip, enforce
from api.security import public
from gestiq_app.identity.schemas import TelemetrySchema

blp = Blueprint("telemetry", __name__, url_prefix="/api/v1/telemetry", description="Telemetría del cliente")
log = logging.getLogger("gestiq.client")


@blp.route("/client")
class ClientTelemetry(MethodView):
    """Client-side error reports."""

    @public
    @blp.arguments(TelemetrySchema)
    @blp.response(202)
    @blp.alt_response(429, description="Demasiados informes")
    def post(self, data: dict[str, Any]) -> Any:
        """Log one report (rate-limited per IP; no personal data is accepted)."""
        enforce("GESTIQ_RATELIMIT_TELEMETRY", f"ip:{client_ip()}")
        log.warning("client %s", data["kind"], extra={"client": {k: v for k, v in data.items() if v is not None}, "failing_request_id": data.get("request_id")})
        return ""
