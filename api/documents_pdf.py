"""/api/v1 PDFs of sales documents: download, send by e-mail, bulk zip exports, and the tenant's branding."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.einvoicing import accepts
from api.errors import ApiProblem
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app import storage
from gestiq_app.pdf import branding as branding_services
from gestiq_app.pdf import exports, services
from gestiq_app.pdf.schemas import (
    BrandingSchema,
    BrandingUpdateSchema,
    ExportCreateSchema,
    ExportSchema,
    LogoUploadSchema,
    SendDocumentSchema,
    SentSchema,
)

blp = Blueprint("documents_pdf", __name__, url_prefix="/api/v1", description="PDF de facturas y presupuestos, envío y marca")


def _file_response(content: bytes, filename: str, content_type: str) -> Response:
    response = Response(content, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/invoices/<uuid:invoice_id>/pdf")
class InvoicePdf(MethodView):
    """The PDF of an invoice or credit note."""

    @require("invoices:read")
    @blp.response(200, description="El PDF (nombre de archivo = número)", content_type="application/pdf")
    @blp.alt_response(404, description="No existe")
    def get(self, invoice_id: uuid.UUID) -> Any:
        """Return the stored PDF, rendering it now if missing; drafts carry a BORRADOR watermark and are not stored."""
        pdf = services.get_document_pdf(tenant_id=current_principal().tenant_id, document_id=invoice_id)  # type: ignore[arg-type]
        return _file_response(pdf.content, pdf.filename, "application/pdf")


@blp.route("/quotes/<uuid:quote_id>/pdf")
class QuotePdf(MethodView):
    """The PDF of a quote."""

    @require("quotes:read")
    @blp.response(200, description="El PDF del presupuesto", content_type="application/pdf")
    @blp.alt_response(404, description="No existe")
    def get(self, quote_id: uuid.UUID) -> Any:
        """Render the quote's PDF."""
        pdf = services.get_document_pdf(tenant_id=current_principal().tenant_id, document_id=quote_id, kinds=("quote",))  # type: ignore[arg-type]
        return _file_response(pdf.content, pdf.filename, "application/pdf")


@blp.route("/invoices/<uuid:invoice_id>/send")
class InvoiceSend(MethodView):
    """Send an issued invoice by e-mail."""

    @require("invoices:write")
    @idempotent
    @blp.arguments(SendDocumentSchema)
    @blp.response(202, SentSchema)
    @blp.alt_response(409, description="La factura no está emitida")
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Queue an e-mail (Spanish subject and body) with the PDF attached; the send is audited."""
        principal = current_principal()
        email_id = services.send_document(tenant_id=principal.tenant_id, document_id=invoice_id, to=data["to"],  # type: ignore[arg-type]
                                          cc=data["cc"], message=data["message"], actor=principal.actor)
        return {"email_id": email_id, "state": "queued"}


@blp.route("/invoices/pdf-exports")
class PdfExports(MethodView):
    """Bulk exports of invoice PDFs into one zip."""

    @require("invoices:read")
    @idempotent
    @blp.arguments(ExportCreateSchema)
    @blp.response(202, ExportSchema)
    @blp.alt_response(422, description="Facturas no encontradas, sin emitir o demasiadas")
    def post(self, data: dict[str, Any]) -> Any:
        """Start an export of the given issued invoices (`ids`) or of those matching the list filters."""
        principal = current_principal()
        export = exports.create_export(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        export = exports.get_export(tenant_id=principal.tenant_id, export_id=export.id)  # type: ignore[arg-type]
        return export, 202, {"Location": f"/api/v1/invoices/pdf-exports/{export.id}"}


@blp.route("/invoices/pdf-exports/<uuid:export_id>")
class PdfExportItem(MethodView):
    """One export and its progress."""

    @require("invoices:read")
    @blp.response(200, ExportSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, export_id: uuid.UUID) -> Any:
        """Return the export's state and progress (done of total, percent)."""
        return exports.get_export(tenant_id=current_principal().tenant_id, export_id=export_id)  # type: ignore[arg-type]


@blp.route("/invoices/pdf-exports/<uuid:export_id>/download")
class PdfExportDownload(MethodView):
    """The zip of a finished export."""

    @require("invoices:read")
    @blp.response(200, description="El zip con los PDF", content_type="application/zip")
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="La exportación aún no ha terminado")
    def get(self, export_id: uuid.UUID) -> Any:
        """Download the zip once the export is done."""
        tenant_id = current_principal().tenant_id
        export = exports.get_export(tenant_id=tenant_id, export_id=export_id)  # type: ignore[arg-type]
        if export.state != "done" or not export.storage_key:
            raise ApiProblem(409, "La exportación aún no ha terminado.", slug="export-not-ready")
        content = storage.read_bytes(tenant_id, export.storage_key)  # type: ignore[arg-type]
        return _file_response(content, f"facturas-{str(export.id)[:8]}.zip", "application/zip")


@blp.route("/settings/branding")
class Branding(MethodView):
    """Logo, colour, footer and legal text printed on documents."""

    @require("settings:write")
    @blp.response(200, BrandingSchema)
    @blp.alt_response(404, description="La empresa no tiene el módulo de ventas")
    def get(self) -> Any:
        """Return the tenant's branding."""
        return branding_services.get_branding(tenant_id=current_principal().tenant_id)  # type: ignore[arg-type]

    @require("settings:write")
    @blp.arguments(BrandingUpdateSchema)
    @blp.response(200, BrandingSchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Change colour, footer and legal text (fields not sent are kept). Owner only."""
        principal = current_principal()
        return branding_services.update_branding(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]


@blp.route("/settings/branding/logo")
class BrandingLogo(MethodView):
    """The logo printed on documents."""

    @accepts("multipart/form-data")
    @require("settings:write")
    @blp.arguments(LogoUploadSchema, location="files")
    @blp.response(200, BrandingSchema)
    @blp.alt_response(422, description="No es PNG/JPEG, o supera 512 KB o 2000×2000 píxeles")
    def put(self, form: dict[str, Any]) -> Any:
        """Upload (or replace) the logo: PNG or JPEG, 512 KB and 2000×2000 pixels at most. Owner only."""
        upload = form["file"]
        data = upload.read(branding_services.MAX_LOGO_BYTES + 1) if hasattr(upload, "read") else b""
        principal = current_principal()
        return branding_services.upload_logo(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
