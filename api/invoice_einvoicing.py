"""/api/v1/invoices/{id}/einvoice…: e-invoicing of one invoice or credit note (state, XML, retry) and the RIDE."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.einvoice_views import register_einvoice_views
from gestiq_app.einvoicing.documents import INVOICES

blp = Blueprint("invoice_einvoicing", __name__, url_prefix="/api/v1/invoices",
                description="Facturación electrónica de cada factura (SRI y VERI*FACTU)")

register_einvoice_views(blp, path="", param="invoice_id", source=INVOICES, ride_permission="invoices:read",
                        name="Invoice", noun="invoice")
