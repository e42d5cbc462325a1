"""/api/v1 payments: manual payments of invoices, refunds, payment links, provider settings and provider webhooks.

Webhooks (`/api/v1/payments/webhooks/{provider}/{tenant_slug}`) are public and CSRF-exempt: the raw body is
verified with the tenant's own secret (Stripe-Signature, X-Kushki-Signature) or, for Payphone, confirmed with
the provider before anything is recorded. They answer 2xx at once; a Huey task processes the stored event.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import page_schema, paginate
from api.idempotency import idempotent
from api.security import current_principal, public, require
from gestiq_app.crypto import sha256_hex
from gestiq_app.payments import credentials, links, notifications, services
from gestiq_app.payments.models import PROVIDERS, Payment
from gestiq_app.payments.providers.payphone import ACK as PAYPHONE_ACK
from gestiq_app.payments.schemas import (
    CardChargeSchema,
    OpenLinkSchema,
    PaymentCreateSchema,
    PaymentLinkCreateSchema,
    PaymentLinkSchema,
    PaymentQuerySchema,
    PaymentSchema,
    ProviderAccountListSchema,
    ProviderAccountSchema,
    ProviderAccountWriteSchema,
    RefundCreateSchema,
    RefundListSchema,
    RefundSchema,
    WebhookAckSchema,
)

blp = Blueprint("payments", __name__, url_prefix="/api/v1", description="Cobros, devoluciones, enlaces de pago y proveedores")
SORT_FIELDS = {"paid_on": Payment.paid_on, "amount": Payment.amount, "created_at": Payment.created_at}
PaymentPageSchema = page_schema(PaymentSchema)


def _tenant_id() -> uuid.UUID:
    return current_principal().tenant_id  # type: ignore[return-value]


@blp.route("/invoices/<uuid:invoice_id>/payments")
class InvoicePayments(MethodView):
    """Payments of one invoice."""

    @require("payments:read")
    @blp.arguments(PaymentQuerySchema, location="query")
    @blp.response(200, PaymentPageSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, args: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """List the payments applied to the invoice."""
        services.get_invoice(document_id=invoice_id)
        return paginate(services.payments_query({**args, "document_id": invoice_id}), args, sortable=SORT_FIELDS, default_sort="paid_on")

    @require("payments:write")
    @idempotent
    @blp.arguments(PaymentCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="La factura no está emitida")
    @blp.alt_response(422, description="Importe, método, moneda o fecha no válidos")
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Record a manual payment (transfer, cash, card terminal); more than the amount due is kept as customer credit."""
        principal = current_principal()
        payment = services.record_payment(tenant_id=_tenant_id(), document_id=invoice_id, data=data, actor=principal.actor)
        return payment, 201, {"Location": f"/api/v1/payments/{payment.id}"}


@blp.route("/invoices/<uuid:invoice_id>/payment-link")
class InvoicePaymentLink(MethodView):
    """The invoice's payment link at the tenant's provider."""

    @require("payments:read")
    @blp.response(200, OpenLinkSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, invoice_id: uuid.UUID) -> Any:
        """Return the invoice's open payment link for its amount due (null when there is none); never calls a provider."""
        return {"url": links.payment_url_for(services.get_invoice(document_id=invoice_id))}

    @require("payments:write")
    @idempotent
    @blp.arguments(PaymentLinkCreateSchema, required=False)
    @blp.response(200, PaymentLinkSchema)
    @blp.alt_response(404, description="No existe la factura o el proveedor")
    @blp.alt_response(409, description="Nada pendiente o ningún proveedor activo")
    @blp.alt_response(422, description="El proveedor rechazó la operación")
    @blp.alt_response(502, description="El proveedor no responde")
    def post(self, data: dict[str, Any] | None, invoice_id: uuid.UUID) -> Any:
        """Return the open link for the amount due (created at the provider once; retries reuse it)."""
        principal = current_principal()
        return links.create_payment_link(tenant_id=_tenant_id(), document_id=invoice_id, provider=(data or {}).get("provider"),
                                         actor=principal.actor)


@blp.route("/invoices/<uuid:invoice_id>/card-charges")
class InvoiceCardCharges(MethodView):
    """Card payments of an invoice through Kushki (token from kushki.js)."""

    @require("payments:write")
    @idempotent
    @blp.arguments(CardChargeSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(404, description="No existe la factura o Kushki no está configurado")
    @blp.alt_response(409, description="Nada pendiente")
    @blp.alt_response(422, description="Kushki rechazó el cobro")
    @blp.alt_response(502, description="Kushki no responde")
    def post(self, data: dict[str, Any], invoice_id: uuid.UUID) -> Any:
        """Charge the token for the amount due and record the payment (the later Kushki webhook does not repeat it)."""
        payment = links.charge_card_token(tenant_id=_tenant_id(), document_id=invoice_id, token=data["token"],
                                          actor=current_principal().actor)
        return payment, 201, {"Location": f"/api/v1/payments/{payment.id}"}


@blp.route("/payments")
class Payments(MethodView):
    """Every payment of the tenant."""

    @require("payments:read")
    @blp.arguments(PaymentQuerySchema, location="query")
    @blp.response(200, PaymentPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List payments; filter by customer, invoice, method and dates."""
        return paginate(services.payments_query(args), args, sortable=SORT_FIELDS, default_sort="-paid_on")


@blp.route("/payments/<uuid:payment_id>")
class PaymentItem(MethodView):
    """One payment."""

    @require("payments:read")
    @blp.response(200, PaymentSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, payment_id: uuid.UUID) -> Any:
        """Return the payment."""
        return services.get_payment(tenant_id=_tenant_id(), payment_id=payment_id)


@blp.route("/payments/<uuid:payment_id>/refunds")
class PaymentRefunds(MethodView):
    """Refunds of one payment."""

    @require("payments:read")
    @blp.response(200, RefundListSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, payment_id: uuid.UUID) -> Any:
        """List the payment's refunds."""
        return {"items": services.list_refunds(tenant_id=_tenant_id(), payment_id=payment_id)}

    @require("payments:write")
    @idempotent
    @blp.arguments(RefundCreateSchema)
    @blp.response(201, RefundSchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(422, description="Importe mayor que lo no devuelto, o rechazado por el proveedor")
    @blp.alt_response(502, description="El proveedor no responde")
    def post(self, data: dict[str, Any], payment_id: uuid.UUID) -> Any:
        """Refund part or all of a payment (at the provider first for provider payments); the invoice owes it again."""
        principal = current_principal()
        key = request.headers.get("Idempotency-Key")
        # The provider's idempotency key derives from the caller's: a retried refund is never refunded twice.
        operation = sha256_hex(f"{principal.actor}:{key}")[:40] if key else None
        refund = services.refund_payment(tenant_id=_tenant_id(), payment_id=payment_id, actor=principal.actor,
                                         data={**data, "operation_id": operation})
        return refund, 201, {"Location": f"/api/v1/payments/{payment_id}/refunds"}


@blp.route("/settings/payment-providers")
class PaymentProviders(MethodView):
    """The tenant's payment provider accounts (owner only; secrets are write-only)."""

    @require("payments:admin")
    @blp.response(200, ProviderAccountListSchema)
    def get(self) -> Any:
        """List the provider accounts: settings and the names of the secrets that are set, never their values."""
        return {"items": credentials.list_provider_accounts(tenant_id=_tenant_id())}

    @require("payments:admin")
    @blp.arguments(ProviderAccountWriteSchema)
    @blp.response(200, ProviderAccountSchema)
    @blp.alt_response(422, description="Faltan secretos o sobran campos")
    def put(self, data: dict[str, Any]) -> Any:
        """Create or update one provider's account; secrets not sent keep their stored value."""
        return credentials.save_provider_account(tenant_id=_tenant_id(), provider=data["provider"], data=data,
                                                 actor=current_principal().actor)


@blp.route("/payments/webhooks/<provider>/<tenant_slug>")
class ProviderWebhook(MethodView):
    """Notifications from a payment provider for one tenant."""

    @public
    @blp.response(200, WebhookAckSchema)
    @blp.alt_response(400, description="Firma, marca de tiempo o secreto no válidos: no se guarda nada")
    @blp.alt_response(404, description="Proveedor desconocido")
    def post(self, provider: str, tenant_slug: str) -> Any:
        """Verify the raw body with the tenant's secret, store the event once and acknowledge; a task processes it."""
        if provider not in PROVIDERS:
            abort(404)
        is_new = notifications.receive_notification(provider=provider, tenant_slug=tenant_slug[:100],
                                                    body=request.get_data(cache=True), headers=request.headers)
        if provider == "payphone":
            return {**PAYPHONE_ACK, "received": True, "duplicate": not is_new}
        return {"received": True, "duplicate": not is_new}
