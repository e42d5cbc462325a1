"""/api/v1/suppliers: list, create, read, change and delete the tenant's suppliers."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import paginate, page_schema
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.crm import services
from gestiq_app.crm.schemas import SupplierCreateSchema, SupplierQuerySchema, SupplierSchema, SupplierUpdateSchema

blp = Blueprint("suppliers", __name__, url_prefix="/api/v1", description="Proveedores")


@blp.route("/suppliers")
class Suppliers(MethodView):
    """The tenant's suppliers."""

    @require("suppliers:read")
    @blp.arguments(SupplierQuerySchema, location="query")
    @blp.response(200, page_schema(SupplierSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List suppliers: `q` searches names, tax id and e-mail; sort by legal_name, tax_id or created_at."""
        statement = services.search_suppliers(tenant_id=current_principal().tenant_id, filters=args)  # type: ignore[arg-type]
        return paginate(statement, args, sortable=services.SUPPLIER_SORT_FIELDS, default_sort="legal_name")

    @require("suppliers:write")
    @idempotent
    @blp.arguments(SupplierCreateSchema)
    @blp.response(201, SupplierSchema)
    @blp.alt_response(409, description="Ya existe un proveedor con ese identificador fiscal")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a supplier (the tax id type is detected when omitted)."""
        principal = current_principal()
        supplier = services.create_supplier(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return supplier, {"Location": url_for("suppliers.SupplierItem", supplier_id=supplier.id)}


@blp.route("/suppliers/<uuid:supplier_id>")
class SupplierItem(MethodView):
    """One supplier."""

    @require("suppliers:read")
    @blp.response(200, SupplierSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, supplier_id: uuid.UUID) -> Any:
        """Return a supplier."""
        return services.get_supplier(tenant_id=current_principal().tenant_id, supplier_id=supplier_id)  # type: ignore[arg-type]

    @require("suppliers:write")
    @blp.arguments(SupplierUpdateSchema)
    @blp.response(200, SupplierSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Versión desactualizada o identificador fiscal repetido")
    def patch(self, data: dict[str, Any], supplier_id: uuid.UUID) -> Any:
        """Change some fields of a supplier; send the `version` you read."""
        principal = current_principal()
        return services.update_supplier(tenant_id=principal.tenant_id, supplier_id=supplier_id, data=data,  # type: ignore[arg-type]
                                        actor=principal.actor)

    @require("suppliers:write")
    @blp.response(204)
    @blp.alt_response(200, schema=SupplierSchema, description="Tiene documentos: se ha desactivado en lugar de borrarlo")
    @blp.alt_response(404, description="No existe")
    def delete(self, supplier_id: uuid.UUID) -> Any:
        """Delete a supplier (deactivate it instead when documents refer to it)."""
        principal = current_principal()
        kept = services.delete_supplier(tenant_id=principal.tenant_id, supplier_id=supplier_id, actor=principal.actor)  # type: ignore[arg-type]
        return ("", 204) if kept is None else (SupplierSchema().dump(kept), 200)
