"""The e-invoicing views of one kind of document (…/{id}/einvoice, /einvoice/xml, /einvoice/retry, /ride).

Shared by the sales invoices (`api/invoice_einvoicing.py`) and the Ecuadorian comprobantes de retención
(`api/purchases.py`): `register_einvoice_views(blp, …)` adds the four routes to a blueprint, each calling
`gestiq_app.einvoicing.documents` with the kind's `EinvoiceSource`.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import current_principal, require
from gestiq_app.einvoicing import documents
from gestiq_app.einvoicing.documents import EinvoiceSource
from gestiq_app.einvoicing.schemas import DocumentEinvoiceSchema

XML_BODY = {"type": "string"}
PDF_BODY = {"type": "string", "format": "binary"}


def register_einvoice_views(blp: Blueprint, *, path: str, param: str, source: EinvoiceSource, ride_permission: str,
                            name: str, noun: str) -> None:
    """Add GET {path}/<param>/einvoice, …/einvoice/xml, …/ride and POST …/einvoice/retry to `blp`.

    `name` prefixes the view classes (endpoint names); `noun` names the document in the OpenAPI texts ("invoice").
    """
    base = f"{path}/<uuid:{param}>"

    def document_id(kwargs: dict[str, Any]) -> uuid.UUID:
        return kwargs[param]

    class Einvoice(MethodView):
        @require("einvoicing:read")
        @blp.response(200, DocumentEinvoiceSchema)
        @blp.alt_response(404, description="No existe")
        def get(self, **kwargs: Any) -> Any:
            return documents.get_document_einvoice(tenant_id=current_principal().tenant_id, document_id=document_id(kwargs),  # type: ignore[arg-type]
                                                   source=source)

    class EinvoiceXml(MethodView):
        @require("einvoicing:read")
        @blp.response(200, XML_BODY, content_type="application/xml", description="El XML firmado y enviado")
        @blp.alt_response(404, description="No existe, o aún no hay XML enviado")
        def get(self, **kwargs: Any) -> Any:
            xml = documents.get_document_xml(tenant_id=current_principal().tenant_id, document_id=document_id(kwargs),  # type: ignore[arg-type]
                                             source=source)
            return Response(xml, mimetype="application/xml")

    class EinvoiceRetry(MethodView):
        @require("einvoicing:admin")
        @blp.response(200, DocumentEinvoiceSchema)
        @blp.alt_response(404, description="No existe")
        @blp.alt_response(409, description="Nada que reintentar: en cola, aceptado, o rechazado sin cambios")
        def post(self, **kwargs: Any) -> Any:
            principal = current_principal()
            return documents.retry_document_submission(tenant_id=principal.tenant_id, document_id=document_id(kwargs),  # type: ignore[arg-type]
                                                       actor=principal.actor, source=source)

    class Ride(MethodView):
        @require(ride_permission)
        @blp.response(200, PDF_BODY, content_type="application/pdf", description="RIDE en PDF")
        @blp.alt_response(404, description="No existe o no tiene comprobante del SRI")
        def get(self, **kwargs: Any) -> Any:
            identifier = document_id(kwargs)
            pdf = documents.document_ride(tenant_id=current_principal().tenant_id, document_id=identifier, source=source)  # type: ignore[arg-type]
            return Response(pdf, mimetype="application/pdf",
                            headers={"Content-Disposition": f'inline; filename="RIDE-{identifier}.pdf"'})

    texts = {
        Einvoice: (f"The e-invoicing state of one {noun}.",
                   {"get": "Return the state, the authority's messages, the clave de acceso or huella, attempts and next retry."}),
        EinvoiceXml: ("The XML sent to the authority.",
                      {"get": "Return the signed SRI comprobante as sent (or, for invoices in Spain, the VERI*FACTU registration)."}),
        EinvoiceRetry: ("Ask for one more attempt.",
                        {"post": "Re-arm a waiting, rejected or failed submission when the state machine allows it (owner only)."}),
        Ride: (f"The RIDE (Ecuador's printed representation of the {noun}'s comprobante).",
               {"get": "Return the RIDE with the clave de acceso barcode, the authorization number and date, and the environment."}),
    }
    for view, (class_doc, method_docs) in texts.items():
        view.__doc__ = class_doc
        for method, doc in method_docs.items():
            getattr(view, method).__doc__ = doc
        view.__name__ = view.__qualname__ = f"{name}{view.__name__}"
    blp.route(f"{base}/einvoice")(Einvoice)
    blp.route(f"{base}/einvoice/xml")(EinvoiceXml)
    blp.route(f"{base}/einvoice/retry")(EinvoiceRetry)
    blp.route(f"{base}/ride")(Ride)
