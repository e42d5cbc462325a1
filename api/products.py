"""/api/v1/products: list, create, read, change and delete the tenant's products and services."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import paginate, page_schema
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.catalog import services
from gestiq_app.catalog.schemas import ProductCreateSchema, ProductQuerySchema, ProductSchema, ProductUpdateSchema

blp = Blueprint("products", __name__, url_prefix="/api/v1", description="Productos y servicios")


@blp.route("/products")
class Products(MethodView):
    """The tenant's products and services."""

    @require("products:read")
    @blp.arguments(ProductQuerySchema, location="query")
    @blp.response(200, page_schema(ProductSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List products: `q` searches SKU, name and barcode; sort by sku, name, unit_price or created_at."""
        statement = services.search_products(tenant_id=current_principal().tenant_id, filters=args)  # type: ignore[arg-type]
        return paginate(statement, args, sortable=services.PRODUCT_SORT_FIELDS, default_sort="name")

    @require("products:write")
    @idempotent
    @blp.arguments(ProductCreateSchema)
    @blp.response(201, ProductSchema)
    @blp.alt_response(409, description="Ya existe un producto con ese SKU")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a product or service (tax category «general» when omitted)."""
        principal = current_principal()
        product = services.create_product(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return product, {"Location": url_for("products.ProductItem", product_id=product.id)}


@blp.route("/products/<uuid:product_id>")
class ProductItem(MethodView):
    """One product."""

    @require("products:read")
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, product_id: uuid.UUID) -> Any:
        """Return a product."""
        return services.get_product(tenant_id=current_principal().tenant_id, product_id=product_id)  # type: ignore[arg-type]

    @require("products:write")
    @blp.arguments(ProductUpdateSchema)
    @blp.response(200, ProductSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Versión desactualizada o SKU repetido")
    def patch(self, data: dict[str, Any], product_id: uuid.UUID) -> Any:
        """Change some fields of a product; send the `version` you read."""
        principal = current_principal()
        return services.update_product(tenant_id=principal.tenant_id, product_id=product_id, data=data,  # type: ignore[arg-type]
                                       actor=principal.actor)

    @require("products:write")
    @blp.response(204)
    @blp.alt_response(200, schema=ProductSchema, description="Tiene documentos: se ha desactivado en lugar de borrarlo")
    @blp.alt_response(404, description="No existe")
    def delete(self, product_id: uuid.UUID) -> Any:
        """Delete a product (deactivate it instead when documents refer to it)."""
        principal = current_principal()
        kept = services.delete_product(tenant_id=principal.tenant_id, product_id=product_id, actor=principal.actor)  # type: ignore[arg-type]
        return ("", 204) if kept is None else (ProductSchema().dump(kept), 200)
