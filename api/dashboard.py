"""/api/v1/dashboard: the tenant's figures at a glance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import current_principal, require
from gestiq_app.accounting.dashboard import get_dashboard
from gestiq_app.accounting.schemas import DashboardSchema
from gestiq_app.sales.settings import tenant_today

blp = Blueprint("dashboard", __name__, url_prefix="/api/v1/dashboard", description="Panel de la empresa")


@blp.route("")
class Dashboard(MethodView):
    """The dashboard."""

    @require("dashboard:read")
    @blp.response(200, DashboardSchema)
    def get(self) -> Any:
        """Sales this month vs last, receivables and overdue, top customers, 12 months of sales and purchases."""
        tenant_id = current_principal().tenant_id
        return get_dashboard(tenant_id=tenant_id, today=tenant_today(tenant_id=tenant_id))  # type: ignore[arg-type]
