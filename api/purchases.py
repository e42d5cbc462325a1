"""/api/v1/purchases: supplier invoices, expenses, their attachments, and Ecuadorian withholdings (thin views)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import PageQuerySchema, page_schema, paginate
from api.einvoice_views import register_einvoice_views
from api.einvoicing import accepts
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.einvoicing.documents import WITHHOLDINGS
from gestiq_app.purchases import attachments, services, withholdings
from gestiq_app.purchases.models import PurchaseWithholding
from gestiq_app.purchases.schemas import (
    PurchaseAttachmentSchema,
    PurchaseAttachmentUploadSchema,
    PurchaseExpenseCreateSchema,
    PurchasePaymentSchema,
    PurchaseDocumentSchema,
    PurchaseListItemSchema,
    PurchaseQuerySchema,
    PurchaseRecordSchema,
    SupplierInvoiceCreateSchema,
    SupplierInvoiceUpdateSchema,
    PurchaseWithholdingQuerySchema,
    PurchaseWithholdingSchema,
)
from gestiq_app.sales.settings import tenant_today

blp = Blueprint("purchases", __name__, url_prefix="/api/v1/purchases", description="Compras: facturas de proveedor, gastos y retenciones")
INVOICE, EXPENSE = "supplier_invoice", "expense"
PurchasePageSchema = page_schema(PurchaseListItemSchema)
WithholdingPageSchema = page_schema(PurchaseWithholdingSchema)


class PurchaseListQuerySchema(PageQuerySchema, PurchaseQuerySchema):
    """?page=&page_size=&sort= plus the purchase filters."""


class WithholdingListQuerySchema(PageQuerySchema, PurchaseWithholdingQuerySchema):
    """?page=&page_size=&sort= plus the withholding filters."""


def _tenant_id() -> uuid.UUID:
    return current_principal().tenant_id  # type: ignore[return-value]


def _list(kind: str, args: dict[str, Any]) -> Any:
    statement = services.list_documents_query(kinds=(kind,), filters=args, today=tenant_today(tenant_id=_tenant_id()))
    return paginate(statement, args, sortable=services.SORTABLE, default_sort=services.DEFAULT_SORT)


@blp.route("/invoices")
class SupplierInvoices(MethodView):
    """Supplier invoices."""

    @require("purchases:read")
    @blp.arguments(PurchaseListQuerySchema, location="query")
    @blp.response(200, PurchasePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List supplier invoices (filters: status, supplier, dates, text; sort: issue_date, due_date, total…)."""
        return _list(INVOICE, args)

    @require("purchases:write")
    @idempotent
    @blp.arguments(SupplierInvoiceCreateSchema)
    @blp.response(201, PurchaseDocumentSchema)
    @blp.alt_response(409, description="Ese proveedor ya tiene un documento con ese número")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a draft supplier invoice priced with the tax rates valid on its date."""
        principal = current_principal()
        document = services.create_invoice(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return document, 201, {"Location": f"/api/v1/purchases/invoices/{document.id}"}


@blp.route("/invoices/<uuid:document_id>")
class SupplierInvoiceItem(MethodView):
    """One supplier invoice."""

    @require("purchases:read")
    @blp.response(200, PurchaseDocumentSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, document_id: uuid.UUID) -> Any:
        """Return the invoice with its lines, IVA breakdown, withholdings and attachments."""
        return services.get_document(tenant_id=_tenant_id(), document_id=document_id, kind=INVOICE)

    @require("purchases:write")
    @blp.arguments(SupplierInvoiceUpdateSchema)
    @blp.response(200, PurchaseDocumentSchema)
    @blp.alt_response(409, description="Ya registrada: no se puede modificar")
    def patch(self, data: dict[str, Any], document_id: uuid.UUID) -> Any:
        """Change a draft (header fields sent; `lines` replaces every line)."""
        principal = current_principal()
        return services.update_invoice(tenant_id=principal.tenant_id, document_id=document_id, data=data, actor=principal.actor)  # type: ignore[arg-type]

    @require("purchases:write")
    @blp.response(204)
    @blp.alt_response(409, description="Ya registrada: no se puede borrar")
    def delete(self, document_id: uuid.UUID) -> Any:
        """Delete a draft."""
        principal = current_principal()
        services.delete_document(tenant_id=principal.tenant_id, document_id=document_id, kind=INVOICE, actor=principal.actor)  # type: ignore[arg-type]
        return ""


@blp.route("/invoices/<uuid:document_id>/record")
class SupplierInvoiceRecord(MethodView):
    """Record a draft supplier invoice."""

    @require("purchases:write")
    @idempotent
    @blp.arguments(PurchaseRecordSchema, required=False)
    @blp.response(200, PurchaseDocumentSchema)
    @blp.alt_response(409, description="Ya registrada")
    def post(self, data: dict[str, Any], document_id: uuid.UUID) -> Any:
        """Freeze rates and totals, issue the comprobante de retención (Ecuador) and make the invoice immutable."""
        principal = current_principal()
        return services.record_invoice(tenant_id=principal.tenant_id, document_id=document_id, actor=principal.actor,  # type: ignore[arg-type]
                                       withholding_date=(data or {}).get("withholding_date"))


@blp.route("/invoices/<uuid:document_id>/payments")
class SupplierInvoicePayments(MethodView):
    """Payments to the supplier."""

    @require("purchases:write")
    @idempotent
    @blp.arguments(PurchasePaymentSchema)
    @blp.response(200, PurchaseDocumentSchema)
    @blp.alt_response(409, description="No registrada o ya pagada")
    def post(self, data: dict[str, Any], document_id: uuid.UUID) -> Any:
        """Register a payment (partially paid, then paid when nothing is owed)."""
        principal = current_principal()
        return services.record_payment(tenant_id=principal.tenant_id, document_id=document_id, kind=INVOICE,  # type: ignore[arg-type]
                                       amount=data["amount"], actor=principal.actor, paid_on=data.get("paid_on"),
                                       method=data["method"])


@blp.route("/expenses")
class Expenses(MethodView):
    """Expense receipts."""

    @require("purchases:read")
    @blp.arguments(PurchaseListQuerySchema, location="query")
    @blp.response(200, PurchasePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List expenses (same filters as supplier invoices)."""
        return _list(EXPENSE, args)

    @require("purchases:write")
    @idempotent
    @blp.arguments(PurchaseExpenseCreateSchema)
    @blp.response(201, PurchaseDocumentSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an expense from its amount including IVA (recorded and paid at once unless told otherwise)."""
        principal = current_principal()
        document = services.create_expense(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return document, 201, {"Location": f"/api/v1/purchases/expenses/{document.id}"}


@blp.route("/expenses/<uuid:document_id>")
class ExpenseItem(MethodView):
    """One expense."""

    @require("purchases:read")
    @blp.response(200, PurchaseDocumentSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, document_id: uuid.UUID) -> Any:
        """Return the expense."""
        return services.get_document(tenant_id=_tenant_id(), document_id=document_id, kind=EXPENSE)

    @require("purchases:write")
    @blp.response(204)
    @blp.alt_response(409, description="Ya registrado: no se puede borrar")
    def delete(self, document_id: uuid.UUID) -> Any:
        """Delete a draft expense."""
        principal = current_principal()
        services.delete_document(tenant_id=principal.tenant_id, document_id=document_id, kind=EXPENSE, actor=principal.actor)  # type: ignore[arg-type]
        return ""


@blp.route("/expenses/<uuid:document_id>/record")
class ExpenseRecord(MethodView):
    """Record a draft expense."""

    @require("purchases:write")
    @idempotent
    @blp.response(200, PurchaseDocumentSchema)
    @blp.alt_response(409, description="Ya registrado")
    def post(self, document_id: uuid.UUID) -> Any:
        """Record the expense (immutable afterwards)."""
        principal = current_principal()
        return services.record_expense(tenant_id=principal.tenant_id, document_id=document_id, actor=principal.actor)  # type: ignore[arg-type]


def _attachment_views(path: str, kind: str, label: str) -> None:
    """Register list/upload and download/delete of attachments for one kind of document."""

    class Attachments(MethodView):
        @require("purchases:read")
        @blp.response(200, PurchaseAttachmentSchema(many=True))
        def get(self, document_id: uuid.UUID) -> Any:
            """List the attached originals."""
            return attachments.list_attachments(tenant_id=_tenant_id(), document_id=document_id, kind=kind)

        @accepts("multipart/form-data")
        @require("purchases:write")
        @blp.arguments(PurchaseAttachmentUploadSchema, location="files")
        @blp.response(201, PurchaseAttachmentSchema)
        @blp.alt_response(413, description="Archivo demasiado grande")
        @blp.alt_response(422, description="No es PDF ni imagen, o la extensión no corresponde al contenido")
        def post(self, form: dict[str, Any], document_id: uuid.UUID) -> Any:
            """Attach the original (PDF, JPEG, PNG or WebP: the type is read from the content)."""
            upload = form["file"]
            if not hasattr(upload, "read"):
                raise ApiProblem(422, "Adjunte un archivo.", errors={"file": ["Archivo no válido."]})
            data = upload.read(attachments.max_bytes() + 1)
            principal = current_principal()
            return attachments.add_attachment(tenant_id=principal.tenant_id, document_id=document_id, kind=kind,  # type: ignore[arg-type]
                                              filename=upload.filename or "", data=data, actor=principal.actor)

    class AttachmentItem(MethodView):
        @require("purchases:read")
        @blp.alt_response(200, description="El archivo", content_type="application/octet-stream")
        @blp.alt_response(404, description="No existe")
        def get(self, document_id: uuid.UUID, attachment_id: uuid.UUID) -> Any:
            """Download the original, as stored."""
            tenant_id = _tenant_id()
            attachment = attachments.get_attachment(tenant_id=tenant_id, document_id=document_id, kind=kind, attachment_id=attachment_id)
            data = attachments.read_attachment(tenant_id=tenant_id, attachment=attachment)
            response = Response(data, mimetype=attachment.content_type)
            response.headers["Content-Disposition"] = f'attachment; filename="{attachment.filename}"'
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response

        @require("purchases:write")
        @blp.response(204)
        @blp.alt_response(409, description="Documento registrado: el adjunto se conserva")
        def delete(self, document_id: uuid.UUID, attachment_id: uuid.UUID) -> Any:
            """Remove an attachment of a draft."""
            principal = current_principal()
            attachments.delete_attachment(tenant_id=principal.tenant_id, document_id=document_id, kind=kind,  # type: ignore[arg-type]
                                          attachment_id=attachment_id, actor=principal.actor)
            return ""

    Attachments.__name__ = Attachments.__qualname__ = f"{label}Attachments"
    Attachments.__doc__ = f"Originals attached to {label.lower()}s."
    AttachmentItem.__name__ = AttachmentItem.__qualname__ = f"{label}AttachmentItem"
    AttachmentItem.__doc__ = f"One original attached to a {label.lower()}."
    blp.route(f"/{path}/<uuid:document_id>/attachments")(Attachments)
    blp.route(f"/{path}/<uuid:document_id>/attachments/<uuid:attachment_id>")(AttachmentItem)


_attachment_views("invoices", INVOICE, "SupplierInvoice")
_attachment_views("expenses", EXPENSE, "Expense")


@blp.route("/withholdings")
class Withholdings(MethodView):
    """Comprobantes de retención (Ecuador)."""

    @require("purchases:read")
    @blp.arguments(WithholdingListQuerySchema, location="query")
    @blp.response(200, WithholdingPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List the comprobantes de retención (filters: supplier, dates, text; sort: issue_date, sequential)."""
        sortable = {"issue_date": PurchaseWithholding.issue_date, "sequential": PurchaseWithholding.sequential,
                    "total": PurchaseWithholding.total}
        return paginate(withholdings.withholdings_query(filters=args), args, sortable=sortable, default_sort="-issue_date")


@blp.route("/withholdings/<uuid:withholding_id>")
class WithholdingItem(MethodView):
    """One comprobante de retención."""

    @require("purchases:read")
    @blp.response(200, PurchaseWithholdingSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, withholding_id: uuid.UUID) -> Any:
        """Return the comprobante with its retenciones."""
        return withholdings.get_withholding(tenant_id=_tenant_id(), withholding_id=withholding_id)


# The comprobante de retención's e-invoicing (Ecuador): state, signed XML, owner's retry, RIDE; as for invoices.
register_einvoice_views(blp, path="/withholdings", param="withholding_id", source=WITHHOLDINGS, ride_permission="purchases:read",
                        name="Withholding", noun="comprobante de retención")
