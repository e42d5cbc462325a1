"""/api/v1/price-lists: the tenant's price lists (tarifas) and the special price of each product in them."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import page_schema, paginate
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.catalog import price_list_services as services
from gestiq_app.catalog.schemas import (
    PriceListCreateSchema,
    PriceListItemQuerySchema,
    PriceListItemSchema,
    PriceListItemUpdateSchema,
    PriceListQuerySchema,
    PriceListSchema,
    PriceListUpdateSchema,
)

blp = Blueprint("price_lists", __name__, url_prefix="/api/v1", description="Tarifas de precios")


@blp.route("/price-lists")
class PriceLists(MethodView):
    """The tenant's price lists."""

    @require("products:read")
    @blp.arguments(PriceListQuerySchema, location="query")
    @blp.response(200, page_schema(PriceListSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List price lists: `q` searches code and name; sort by code, name or created_at."""
        statement = services.search_price_lists(tenant_id=current_principal().tenant_id, filters=args)  # type: ignore[arg-type]
        return paginate(statement, args, sortable=services.PRICE_LIST_SORT_FIELDS, default_sort="code")

    @require("products:write")
    @idempotent
    @blp.arguments(PriceListCreateSchema)
    @blp.response(201, PriceListSchema)
    @blp.alt_response(409, description="Ya existe una tarifa con ese código")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a price list."""
        principal = current_principal()
        price_list = services.create_price_list(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return price_list, {"Location": url_for("price_lists.PriceListDetail", price_list_id=price_list.id)}


@blp.route("/price-lists/<uuid:price_list_id>")
class PriceListDetail(MethodView):
    """One price list."""

    @require("products:read")
    @blp.response(200, PriceListSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, price_list_id: uuid.UUID) -> Any:
        """Return a price list."""
        return services.get_price_list(tenant_id=current_principal().tenant_id, price_list_id=price_list_id)  # type: ignore[arg-type]

    @require("products:write")
    @blp.arguments(PriceListUpdateSchema)
    @blp.response(200, PriceListSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Versión desactualizada o código repetido")
    def patch(self, data: dict[str, Any], price_list_id: uuid.UUID) -> Any:
        """Change some fields of a price list; send the `version` you read."""
        principal = current_principal()
        return services.update_price_list(tenant_id=principal.tenant_id, price_list_id=price_list_id, data=data,  # type: ignore[arg-type]
                                          actor=principal.actor)

    @require("products:write")
    @blp.response(204)
    @blp.alt_response(200, schema=PriceListSchema, description="La usan clientes: se ha desactivado en lugar de borrarla")
    @blp.alt_response(404, description="No existe")
    def delete(self, price_list_id: uuid.UUID) -> Any:
        """Delete a price list and its prices (deactivate it instead when customers use it)."""
        principal = current_principal()
        kept = services.delete_price_list(tenant_id=principal.tenant_id, price_list_id=price_list_id, actor=principal.actor)  # type: ignore[arg-type]
        return ("", 204) if kept is None else (PriceListSchema().dump(kept), 200)


@blp.route("/price-lists/<uuid:price_list_id>/items")
class PriceListPrices(MethodView):
    """The special prices of a price list."""

    @require("products:read")
    @blp.arguments(PriceListItemQuerySchema, location="query")
    @blp.response(200, page_schema(PriceListItemSchema))
    @blp.alt_response(404, description="No existe la tarifa")
    def get(self, args: dict[str, Any], price_list_id: uuid.UUID) -> Any:
        """List the products of a price list with their prices; sort by sku, name or unit_price."""
        statement = services.search_price_list_items(tenant_id=current_principal().tenant_id, price_list_id=price_list_id,  # type: ignore[arg-type]
                                                     filters=args)
        return paginate(statement, args, sortable=services.PRICE_LIST_ITEM_SORT_FIELDS, default_sort="sku")


@blp.route("/price-lists/<uuid:price_list_id>/items/<uuid:product_id>")
class PriceListPrice(MethodView):
    """The price of one product in one price list."""

    @require("products:write")
    @blp.arguments(PriceListItemUpdateSchema)
    @blp.response(200, PriceListItemSchema)
    @blp.alt_response(404, description="No existe la tarifa o el producto")
    def put(self, data: dict[str, Any], price_list_id: uuid.UUID, product_id: uuid.UUID) -> Any:
        """Set the product's price in the list (adds it or replaces its price)."""
        principal = current_principal()
        return services.set_price_list_item(tenant_id=principal.tenant_id, price_list_id=price_list_id,  # type: ignore[arg-type]
                                            product_id=product_id, unit_price=data["unit_price"], actor=principal.actor)

    @require("products:write")
    @blp.response(204)
    @blp.alt_response(404, description="No existe la tarifa o el producto no está en ella")
    def delete(self, price_list_id: uuid.UUID, product_id: uuid.UUID) -> Any:
        """Take the product out of the list (it is then sold at its catalog price)."""
        principal = current_principal()
        services.remove_price_list_item(tenant_id=principal.tenant_id, price_list_id=price_list_id, product_id=product_id,  # type: ignore[arg-type]
                                        actor=principal.actor)
        return ""
