"""/api/v1/invoices/{id}/einvoice…: e-invoicing of one invoice or credit note (state, XML, retry) and the RIDE."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import current_principal, require
from gestiq_app.einvoicing import documents
from gestiq_app.einvoicing.schemas import DocumentEinvoiceSchema

blp = Blueprint("invoice_einvoicing", __name__, url_prefix="/api/v1/invoices",
                description="Facturación electrónica de cada factura (SRI y VERI*FACTU)")
XML_BODY = {"type": "string"}
PDF_BODY = {"type": "string", "format": "binary"}


@blp.route("/<uuid:invoice_id>/einvoice")
class InvoiceEinvoice(MethodView):
    """The e-invoicing state of one invoice or credit note."""

    @require("einvoicing:read")
    @blp.response(200, DocumentEinvoiceSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, invoice_id: uuid.UUID) -> Any:
        """Return the state, the authority's messages, the clave de acceso or huella, attempts and next retry."""
        return documents.get_document_einvoice(tenant_id=current_principal().tenant_id, document_id=invoice_id)  # type: ignore[arg-type]


@blp.route("/<uuid:invoice_id>/einvoice/xml")
class InvoiceEinvoiceXml(MethodView):
    """The XML sent to the authority."""

    @require("einvoicing:read")
    @blp.response(200, XML_BODY, content_type="application/xml", description="El XML firmado y enviado")
    @blp.alt_response(404, description="No existe, o aún no hay XML enviado")
    def get(self, invoice_id: uuid.UUID) -> Any:
        """Return the signed SRI comprobante as sent, or the VERI*FACTU registration of the document's latest record."""
        xml = documents.get_document_xml(tenant_id=current_principal().tenant_id, document_id=invoice_id)  # type: ignore[arg-type]
        return Response(xml, mimetype="application/xml")


@blp.route("/<uuid:invoice_id>/einvoice/retry")
class InvoiceEinvoiceRetry(MethodView):
    """Ask for one more attempt."""

    @require("einvoicing:admin")
    @blp.response(200, DocumentEinvoiceSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Nada que reintentar: en cola, aceptado, o rechazado sin cambios")
    def post(self, invoice_id: uuid.UUID) -> Any:
        """Re-arm a waiting, rejected or failed submission when the state machine allows it (owner only)."""
        principal = current_principal()
        return documents.retry_document_submission(tenant_id=principal.tenant_id, document_id=invoice_id,  # type: ignore[arg-type]
                                                   actor=principal.actor)


@blp.route("/<uuid:invoice_id>/ride")
class InvoiceRide(MethodView):
    """The RIDE (Ecuador's printed representation of the comprobante)."""

    @require("invoices:read")
    @blp.response(200, PDF_BODY, content_type="application/pdf", description="RIDE en PDF")
    @blp.alt_response(404, description="No existe o no tiene comprobante del SRI")
    def get(self, invoice_id: uuid.UUID) -> Any:
        """Return the RIDE with the clave de acceso barcode, the authorization number and date, and the environment."""
        pdf = documents.document_ride(tenant_id=current_principal().tenant_id, document_id=invoice_id)  # type: ignore[arg-type]
        return Response(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="RIDE-{invoice_id}.pdf"'})
