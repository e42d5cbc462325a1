"""/api/v1/quotes: quotes (presupuestos / proformas) and their conversion into invoices."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.idempotency import idempotent
from api.sales_common import DocumentListQuerySchema, DocumentPageSchema, created, list_documents
from api.security import current_principal, require
from gestiq_app.sales import services
from gestiq_app.sales.schemas import DocumentCreateSchema, DocumentSchema, DocumentUpdateSchema

blp = Blueprint("quotes", __name__, url_prefix="/api/v1/quotes", description="Presupuestos")
KINDS = ("quote",)


@blp.route("")
class Quotes(MethodView):
    """Quotes of the tenant."""

    @require("quotes:read")
    @blp.arguments(DocumentListQuerySchema, location="query")
    @blp.response(200, DocumentPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List quotes; filter by status, customer, issue dates and text."""
        return list_documents(KINDS, args)

    @require("quotes:write")
    @idempotent
    @blp.arguments(DocumentCreateSchema)
    @blp.response(201, DocumentSchema)
    @blp.alt_response(422, description="Datos no válidos")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a quote (numbered at once; `due_date` is the validity date)."""
        principal = current_principal()
        document = services.create_document(tenant_id=principal.tenant_id, kind="quote", data=data,  # type: ignore[arg-type]
                                            actor=principal.actor)
        return created(document, f"/api/v1/quotes/{document.id}")


@blp.route("/<uuid:quote_id>")
class QuoteItem(MethodView):
    """One quote."""

    @require("quotes:read")
    @blp.response(200, DocumentSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, quote_id: uuid.UUID) -> Any:
        """Return the quote with its lines and tax breakdown."""
        return services.get_document(tenant_id=current_principal().tenant_id, document_id=quote_id, kinds=KINDS)  # type: ignore[arg-type]

    @require("quotes:write")
    @blp.arguments(DocumentUpdateSchema)
    @blp.response(200, DocumentSchema)
    @blp.alt_response(409, description="Ya convertido en factura")
    def patch(self, data: dict[str, Any], quote_id: uuid.UUID) -> Any:
        """Change a draft quote (`lines` replaces every line)."""
        principal = current_principal()
        return services.update_document(tenant_id=principal.tenant_id, document_id=quote_id, kinds=KINDS, data=data,  # type: ignore[arg-type]
                                        actor=principal.actor)

    @require("quotes:write")
    @blp.response(204)
    @blp.alt_response(409, description="Ya convertido en factura")
    def delete(self, quote_id: uuid.UUID) -> Any:
        """Delete a draft quote."""
        principal = current_principal()
        services.delete_document(tenant_id=principal.tenant_id, document_id=quote_id, kinds=KINDS, actor=principal.actor)  # type: ignore[arg-type]
        return ""


@blp.route("/<uuid:quote_id>/convert")
class QuoteConvert(MethodView):
    """Turn a quote into an invoice."""

    @require("quotes:write")
    @require("invoices:write")
    @idempotent
    @blp.response(201, DocumentSchema)
    @blp.alt_response(409, description="Ya convertido")
    def post(self, quote_id: uuid.UUID) -> Any:
        """Create a draft invoice dated today from the quote's lines; the quote becomes converted."""
        principal = current_principal()
        invoice = services.convert_quote(tenant_id=principal.tenant_id, quote_id=quote_id, actor=principal.actor)  # type: ignore[arg-type]
        return created(invoice, f"/api/v1/invoices/{invoice.id}")
