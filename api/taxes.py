"""/api/v1/taxes: the tax rates of the caller's country in force on a date (read-only; the back office edits them)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import current_principal, require
from gestiq_app.taxes import services
from gestiq_app.taxes.schemas import TaxRateQuerySchema, TenantTaxCatalogSchema

blp = Blueprint("taxes", __name__, url_prefix="/api/v1", description="Catálogo de impuestos")


@blp.route("/taxes")
class Taxes(MethodView):
    """The tax catalog of the tenant's country."""

    @require("taxes:read")
    @blp.arguments(TaxRateQuerySchema, location="query")
    @blp.response(200, TenantTaxCatalogSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Return the rates in force on `date` (default: today in the tenant's time zone), by tax and category."""
        return services.get_tenant_catalog(tenant_id=current_principal().tenant_id, on_date=args["date"],  # type: ignore[arg-type]
                                           tax_type=args.get("tax_type"))
