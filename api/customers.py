"""/api/v1/customers: list, create, read, change and delete the tenant's customers."""

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
from gestiq_app.crm.schemas import CustomerCreateSchema, CustomerQuerySchema, CustomerSchema, CustomerUpdateSchema

blp = Blueprint("customers", __name__, url_prefix="/api/v1", description="Clientes")


@blp.route("/customers")
class Customers(MethodView):
    """The tenant's customers."""

    @require("customers:read")
    @blp.arguments(CustomerQuerySchema, location="query")
    @blp.response(200, page_schema(CustomerSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List customers: `q` searches names, tax id and e-mail; sort by legal_name, tax_id or created_at."""
        statement = services.search_customers(tenant_id=current_principal().tenant_id, filters=args)  # type: ignore[arg-type]
        return paginate(statement, args, sortable=services.CUSTOMER_SORT_FIELDS, default_sort="legal_name")

    @require("customers:write")
    @idempotent
    @blp.arguments(CustomerCreateSchema)
    @blp.response(201, CustomerSchema)
    @blp.alt_response(409, description="Ya existe un cliente con ese identificador fiscal")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a customer (the tax id type is detected when omitted)."""
        principal = current_principal()
        customer = services.create_customer(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return customer, {"Location": url_for("customers.CustomerItem", customer_id=customer.id)}


@blp.route("/customers/<uuid:customer_id>")
class CustomerItem(MethodView):
    """One customer."""

    @require("customers:read")
    @blp.response(200, CustomerSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, customer_id: uuid.UUID) -> Any:
        """Return a customer."""
        return services.get_customer(tenant_id=current_principal().tenant_id, customer_id=customer_id)  # type: ignore[arg-type]

    @require("customers:write")
    @blp.arguments(CustomerUpdateSchema)
    @blp.response(200, CustomerSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Versión desactualizada o identificador fiscal repetido")
    def patch(self, data: dict[str, Any], customer_id: uuid.UUID) -> Any:
        """Change some fields of a customer; send the `version` you read."""
        principal = current_principal()
        return services.update_customer(tenant_id=principal.tenant_id, customer_id=customer_id, data=data,  # type: ignore[arg-type]
                                        actor=principal.actor)

    @require("customers:write")
    @blp.response(204)
    @blp.alt_response(200, schema=CustomerSchema, description="Tiene documentos: se ha desactivado en lugar de borrarlo")
    @blp.alt_response(404, description="No existe")
    def delete(self, customer_id: uuid.UUID) -> Any:
        """Delete a customer (deactivate it instead when documents refer to it)."""
        principal = current_principal()
        kept = services.delete_customer(tenant_id=principal.tenant_id, customer_id=customer_id, actor=principal.actor)  # type: ignore[arg-type]
        return ("", 204) if kept is None else (CustomerSchema().dump(kept), 200)
