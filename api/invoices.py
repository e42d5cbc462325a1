"""/api/v1/invoices: invoices and credit notes (drafts, issuing, rectification) and live totals."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.idempotency import idempotent
from api.sales_common import DocumentListQuerySchema, DocumentPageSchema, InvoiceListQuerySchema, created, list_documents
from api.security import current_principal, require
from gestiq_app.sales import credit_notes, issuing, services, voiding
from gestiq_app.sales.schemas import (
    CreditNoteCreateSchema,
    DocumentCreateSchema,
    DocumentSchema,
    DocumentUpdateSchema,
    IssueSchema,
    PreviewSchema,
    VoidSchema,
)

blp = Blueprint("invoices", __name__, url_prefix="/api/v1/invoices", description="Facturas y facturas rectificativas")
KINDS = services.INVOICE_KINDS


@blp.route("")
class Invoices(MethodView):
    """Invoices and credit notes of the tenant."""

    @require("invoices:read")
    @blp.arguments(InvoiceListQuerySchema, location="query")
    @blp.response(200, DocumentPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List invoices and credit notes; filter by status, customer, issue dates and text."""
        return list_documents(KINDS, args)

    @require("invoices:write")
    @idempotent
    @blp.arguments(DocumentCreateSchema)
    @blp.response(201, DocumentSchema)
    @blp.alt_response(422, description="Datos no válidos (cliente, líneas, fechas, tipos impositivos)")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a draft invoice (due date from the customer's payment terms unless given)."""
        principal = current_principal()
        document = services.create_document(tenant_id=principal.tenant_id, kind="invoice", data=data,  # type: ignore[arg-type]
                                            actor=principal.actor)
        return created(document, f"/api/v1/invoices/{document.id}")


@blp.route("/preview")
class InvoicePreview(MethodView):
    """Live totals for the editor."""

    @require("invoices:write")
    @blp.arguments(DocumentCreateSchema)
    @blp.response(200, PreviewSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Compute lines, tax breakdown and totals of a draft body without saving anything."""
        return services.preview_document(tenant_id=current_principal().tenant_id, data=data)  # type: ignore[arg-type]


@blp.route("/<uuid:invoice_id>")
class InvoiceItem(MethodView):
    """One invoice or credit note."""

    @require("invoices:read")
    @blp.response(200, DocumentSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, invoice_id: uuid.UUID) -> Any:
        """Return the document with its lines and tax breakdown."""
        return services.get_document(tenant_id=current_principal().tenant_id, document_id=invoice_id, kinds=KINDS)  # type: ignore[arg-type]

    @require("invoices:write")
    @blp.arguments(DocumentUpdateSchema)
    @blp.response(200, DocumentSchema)
    @blp.alt_response(409, description="Ya emitida: no se puede modificar")
    def patch(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Change a draft (header fields sent; `lines` replaces every line)."""
        principal = current_principal()
        return services.update_document(tenant_id=principal.tenant_id, document_id=invoice_id, kinds=KINDS, data=data,  # type: ignore[arg-type]
                                        actor=principal.actor)

    @require("invoices:write")
    @blp.response(204)
    @blp.alt_response(409, description="Ya emitida: no se puede borrar")
    def delete(self, invoice_id: uuid.UUID) -> Any:
        """Delete a draft."""
        principal = current_principal()
        services.delete_document(tenant_id=principal.tenant_id, document_id=invoice_id, kinds=KINDS, actor=principal.actor)  # type: ignore[arg-type]
        return ""


@blp.route("/<uuid:invoice_id>/issue")
class InvoiceIssue(MethodView):
    """Issue a draft."""

    @require("invoices:issue")
    @idempotent
    @blp.arguments(IssueSchema, required=False)
    @blp.response(200, DocumentSchema)
    @blp.alt_response(409, description="Ya emitida")
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Take the series' next number, freeze rates and totals, and make the document immutable."""
        principal = current_principal()
        return issuing.issue_document(tenant_id=principal.tenant_id, document_id=invoice_id, actor=principal.actor,  # type: ignore[arg-type]
                                      issue_date=(data or {}).get("issue_date"))


@blp.route("/<uuid:invoice_id>/credit-notes")
class InvoiceCreditNotes(MethodView):
    """Credit notes of an invoice."""

    @require("invoices:read")
    @blp.arguments(DocumentListQuerySchema, location="query")
    @blp.response(200, DocumentPageSchema)
    def get(self, args: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """List the credit notes that rectify the invoice."""
        services.get_document(tenant_id=current_principal().tenant_id, document_id=invoice_id, kinds=("invoice",))  # type: ignore[arg-type]
        return list_documents(("credit_note",), {**args, "rectified_document_id": invoice_id})

    @require("invoices:write")
    @idempotent
    @blp.arguments(CreditNoteCreateSchema)
    @blp.response(201, DocumentSchema)
    @blp.alt_response(409, description="La factura no está emitida o ya está rectificada del todo")
    @blp.alt_response(422, description="Las líneas o cantidades superan lo pendiente de la factura")
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Create a draft credit note: all that remains (no `lines`) or the given lines and quantities."""
        principal = current_principal()
        document = credit_notes.create_credit_note(tenant_id=principal.tenant_id, invoice_id=invoice_id, data=data,  # type: ignore[arg-type]
                                                   actor=principal.actor)
        return created(document, f"/api/v1/invoices/{document.id}")


@blp.route("/<uuid:invoice_id>/void")
class InvoiceVoid(MethodView):
    """Void an issued invoice."""

    @require("invoices:void")
    @blp.arguments(VoidSchema)
    @blp.response(200, DocumentSchema)
    @blp.alt_response(409, description="Tiene cobros o rectificativas, no está emitida, o (Ecuador) ya se envió al SRI")
    @blp.alt_response(422, description="Falta el motivo")
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Void an issued invoice without payments or credits (owner only); Spain chains the registro de anulación."""
        principal = current_principal()
        return voiding.void_document(tenant_id=principal.tenant_id, document_id=invoice_id, reason=data["reason"],  # type: ignore[arg-type]
                                     actor=principal.actor)
