"""/api/v1/series: numbering series of invoices, credit notes and quotes."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import PageQuerySchema, page_schema, paginate
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.sales import series as series_services
from gestiq_app.sales.models import DocumentSeries
from gestiq_app.sales.schemas import SeriesCreateSchema, SeriesQuerySchema, SeriesSchema, SeriesUpdateSchema

blp = Blueprint("document_series", __name__, url_prefix="/api/v1/series", description="Series de numeración")
SORTABLE = {"prefix": DocumentSeries.prefix, "kind": DocumentSeries.kind, "created_at": DocumentSeries.created_at}


class SeriesListQuerySchema(PageQuerySchema, SeriesQuerySchema):
    """Paging plus the kind filter."""


@blp.route("")
class SeriesCollection(MethodView):
    """The tenant's series."""

    @require("invoices:read")
    @blp.arguments(SeriesListQuerySchema, location="query")
    @blp.response(200, page_schema(SeriesSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List series, optionally of one kind."""
        statement = series_services.list_series_query(tenant_id=current_principal().tenant_id, kind=args.get("kind"))  # type: ignore[arg-type]
        return paginate(statement, args, sortable=SORTABLE, default_sort="created_at")

    @require("invoices:write")
    @idempotent
    @blp.arguments(SeriesCreateSchema)
    @blp.response(201, SeriesSchema)
    @blp.alt_response(409, description="Ya existe una serie de ese tipo con ese prefijo")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a series."""
        principal = current_principal()
        series = series_services.create_series(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return series, 201, {"Location": f"/api/v1/series/{series.id}"}


@blp.route("/<uuid:series_id>")
class SeriesItem(MethodView):
    """One series."""

    @require("invoices:read")
    @blp.response(200, SeriesSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, series_id: uuid.UUID) -> Any:
        """Return the series with its next number."""
        return series_services.get_series(tenant_id=current_principal().tenant_id, series_id=series_id)  # type: ignore[arg-type]

    @require("invoices:write")
    @blp.arguments(SeriesUpdateSchema)
    @blp.response(200, SeriesSchema)
    @blp.alt_response(409, description="La serie ya numeró documentos: su numeración no se puede cambiar")
    def patch(self, data: dict[str, Any], series_id: uuid.UUID) -> Any:
        """Rename, (de)activate or, while unused, renumber a series."""
        principal = current_principal()
        return series_services.update_series(tenant_id=principal.tenant_id, series_id=series_id, data=data,  # type: ignore[arg-type]
                                             actor=principal.actor)
