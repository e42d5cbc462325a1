"""/api/v1/webhooks: subscriptions (URLs the tenant wants events sent to) and their deliveries."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import PageQuerySchema, page_schema, paginate
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.webhooks import services
from gestiq_app.webhooks.models import WebhookDelivery
from gestiq_app.webhooks.schemas import (
    DeliveryDetailSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    SubscriptionCreatedSchema,
    SubscriptionCreateSchema,
    SubscriptionSchema,
    SubscriptionUpdateSchema,
)

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks salientes: suscripciones y entregas")
DELIVERY_SORTS = {"created_at": WebhookDelivery.created_at, "state": WebhookDelivery.state, "event": WebhookDelivery.event}


class DeliveryListQuerySchema(PageQuerySchema, DeliveryQuerySchema):
    """Paging, sorting and filters of the delivery list."""


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    """The tenant's webhook subscriptions."""

    @require("webhooks:read")
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self) -> Any:
        """List the subscriptions (never their secrets)."""
        return services.list_subscriptions(tenant_id=current_principal().tenant_id)  # type: ignore[arg-type]

    @require("webhooks:write")
    @idempotent
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionCreatedSchema)
    @blp.alt_response(422, description="Evento desconocido o URL no permitida (privada, local o reservada)")
    def post(self, data: dict[str, Any]) -> Any:
        """Subscribe a URL to events; the signing secret is in this response only."""
        principal = current_principal()
        subscription, secret = services.create_subscription(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        subscription.secret = secret  # shown once; only its encrypted form is stored
        return subscription


@blp.route("/subscriptions/<uuid:subscription_id>")
class SubscriptionItem(MethodView):
    """One subscription."""

    @require("webhooks:read")
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, subscription_id: uuid.UUID) -> Any:
        """Return the subscription."""
        return services.get_subscription(tenant_id=current_principal().tenant_id, subscription_id=subscription_id)  # type: ignore[arg-type]

    @require("webhooks:write")
    @blp.arguments(SubscriptionUpdateSchema)
    @blp.response(200, SubscriptionSchema)
    @blp.alt_response(404, description="No existe")
    def patch(self, data: dict[str, Any], subscription_id: uuid.UUID) -> Any:
        """Change the URL, events, description or active flag."""
        principal = current_principal()
        return services.update_subscription(tenant_id=principal.tenant_id, subscription_id=subscription_id, data=data,  # type: ignore[arg-type]
                                            actor=principal.actor)

    @require("webhooks:write")
    @blp.response(204)
    @blp.alt_response(404, description="No existe")
    def delete(self, subscription_id: uuid.UUID) -> Any:
        """Delete the subscription with its delivery log."""
        principal = current_principal()
        services.delete_subscription(tenant_id=principal.tenant_id, subscription_id=subscription_id, actor=principal.actor)  # type: ignore[arg-type]
        return ""


@blp.route("/subscriptions/<uuid:subscription_id>/ping")
class SubscriptionPing(MethodView):
    """Test a receiver."""

    @require("webhooks:write")
    @blp.response(202, DeliverySchema)
    @blp.alt_response(404, description="No existe")
    def post(self, subscription_id: uuid.UUID) -> Any:
        """Send a `ping` event to this subscription now."""
        principal = current_principal()
        return services.send_ping(tenant_id=principal.tenant_id, subscription_id=subscription_id, actor=principal.actor)  # type: ignore[arg-type]


@blp.route("/deliveries")
class Deliveries(MethodView):
    """Deliveries of events to the subscriptions."""

    @require("webhooks:read")
    @blp.arguments(DeliveryListQuerySchema, location="query")
    @blp.response(200, page_schema(DeliverySchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List deliveries, newest first by default (filters: subscription_id, state, event)."""
        statement = services.list_deliveries(tenant_id=current_principal().tenant_id, filters=args)  # type: ignore[arg-type]
        return paginate(statement, args, sortable=DELIVERY_SORTS, default_sort="-created_at")


@blp.route("/deliveries/<uuid:delivery_id>")
class DeliveryItem(MethodView):
    """One delivery."""

    @require("webhooks:read")
    @blp.response(200, DeliveryDetailSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, delivery_id: uuid.UUID) -> Any:
        """Return the delivery with its body and every attempt (status code, start of the response)."""
        return services.get_delivery(tenant_id=current_principal().tenant_id, delivery_id=delivery_id)  # type: ignore[arg-type]


@blp.route("/deliveries/<uuid:delivery_id>/replay")
class DeliveryReplay(MethodView):
    """Send a delivery again."""

    @require("webhooks:write")
    @blp.response(202, DeliverySchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="La entrega aún está en curso")
    def post(self, delivery_id: uuid.UUID) -> Any:
        """Replay a finished delivery as a new delivery with the same event id and body."""
        principal = current_principal()
        return services.replay_delivery(tenant_id=principal.tenant_id, delivery_id=delivery_id, actor=principal.actor)  # type: ignore[arg-type]
