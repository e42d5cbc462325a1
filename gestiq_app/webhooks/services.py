"""Webhook use cases: subscriptions, publishing events, delivering and replaying them."""

from __future__ import annotations

import http.client
import json
import logging
import secrets
import time
import uuid
from datetime import timedelta
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import Select, delete, or_, select, update

from gestiq_app.audit.services import record_event
from gestiq_app.crypto import decrypt, encrypt
from gestiq_app.db import call_after_commit, session, unit_of_work, utcnow
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.webhooks.exceptions import WebhookConflictError, WebhookInvalidError, WebhookNotFoundError
from gestiq_app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from gestiq_app.webhooks.schemas import SubscriptionCreateSchema, SubscriptionUpdateSchema
from gestiq_app.webhooks.transport import UnsafeUrlError, check_url

log = logging.getLogger("gestiq.webhooks")
SECRET_PREFIX = "whsec_"
MAX_LOGGED_BODY = 1000


def _setting(name: str) -> str:
    return str(current_app.config[name])


def allows_private_targets() -> bool:
    """Tell whether the operator allows private, loopback and reserved webhook targets."""
    return _setting("GESTIQ_WEBHOOKS_ALLOW_PRIVATE") in {"1", "true", "True"}


def timeout_seconds() -> float:
    """Return the timeout of one delivery attempt."""
    return float(_setting("GESTIQ_WEBHOOKS_TIMEOUT_SECONDS"))


def retry_delay_seconds(attempt: int) -> int:
    """Return the wait after failed attempt number `attempt` (exponential: base, 2·base, 4·base…)."""
    return int(float(_setting("GESTIQ_WEBHOOKS_RETRY_BASE_SECONDS")) * 2 ** (attempt - 1))


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as error:
        raise WebhookInvalidError("Los datos de la suscripción no son válidos", errors=error.messages) from error  # type: ignore[arg-type]


def _check_url(url: str) -> None:
    try:
        check_url(url, allow_private=allows_private_targets(), timeout=timeout_seconds())
    except UnsafeUrlError as error:
        raise WebhookInvalidError("URL de webhook no permitida", errors={"url": [f"No se admite esta URL: {error}."]}) from error


def create_subscription(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> tuple[WebhookSubscription, str]:
    """Subscribe a URL to events; return the subscription and its signing secret (shown only now)."""
    values = _load(SubscriptionCreateSchema(), data)
    _check_url(values["url"])
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with tenant_context(tenant_id), unit_of_work() as current:
        subscription = WebhookSubscription(url=values["url"], events=values["events"], description=values.get("description"),
                                           secret_encrypted=encrypt(secret), is_active=True)
        current.add(subscription)
        current.flush()
        record_event(actor=actor, action="webhook.subscribed", entity="webhook_subscription", entity_id=subscription.id,
                     changes={"url": subscription.url, "events": subscription.events})
    return subscription, secret


def list_subscriptions(*, tenant_id: uuid.UUID) -> list[WebhookSubscription]:
    """Return the tenant's subscriptions, oldest first."""
    with tenant_context(tenant_id):
        return list(session().scalars(select(WebhookSubscription).order_by(WebhookSubscription.created_at, WebhookSubscription.id)))


def get_subscription(*, tenant_id: uuid.UUID, subscription_id: uuid.UUID) -> WebhookSubscription:
    """Return one subscription of the tenant or raise WebhookNotFoundError."""
    with tenant_context(tenant_id):
        subscription = session().get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise WebhookNotFoundError("Suscripción no encontrada")
    return subscription


def update_subscription(*, tenant_id: uuid.UUID, subscription_id: uuid.UUID, data: dict[str, Any], actor: str) -> WebhookSubscription:
    """Change a subscription's URL, events, description or active flag."""
    values = _load(SubscriptionUpdateSchema(), data)
    if "url" in values:
        _check_url(values["url"])
    with tenant_context(tenant_id), unit_of_work() as current:
        subscription = current.get(WebhookSubscription, subscription_id, with_for_update=True)
        if subscription is None:
            raise WebhookNotFoundError("Suscripción no encontrada")
        changes = {key: [getattr(subscription, key), value] for key, value in values.items() if getattr(subscription, key) != value}
        for key, value in values.items():
            setattr(subscription, key, value)
        record_event(actor=actor, action="webhook.updated", entity="webhook_subscription", entity_id=subscription.id, changes=changes)
    return subscription


def delete_subscription(*, tenant_id: uuid.UUID, subscription_id: uuid.UUID, actor: str) -> None:
    """Delete a subscription with its deliveries and their attempts."""
    with tenant_context(tenant_id), unit_of_work() as current:
        subscription = current.get(WebhookSubscription, subscription_id, with_for_update=True)
        if subscription is None:
            raise WebhookNotFoundError("Suscripción no encontrada")
        deliveries = select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subscription_id)
        current.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)).execution_options(synchronize_session=False))
        current.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                        .execution_options(synchronize_session=False))
        current.delete(subscription)
        record_event(actor=actor, action="webhook.deleted", entity="webhook_subscription", entity_id=subscription_id,
                     changes={"url": subscription.url})


def _envelope(*, event_id: uuid.UUID, tenant_id: uuid.UUID, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(event_id), "event": event, "tenant_id": str(tenant_id),
            "created_at": utcnow().isoformat(timespec="seconds"), "data": payload}


def _queue(deliveries: list[WebhookDelivery]) -> None:
    from gestiq_app.webhooks.tasks import deliver_webhook_task

    for delivery in deliveries:
        tenant_id, delivery_id = str(delivery.tenant_id), str(delivery.id)
        call_after_commit(lambda tenant_id=tenant_id, delivery_id=delivery_id: deliver_webhook_task(tenant_id, delivery_id))


def publish_event(*, tenant_id: uuid.UUID, event: str, payload: dict[str, Any],
                  subscription_id: uuid.UUID | None = None) -> list[WebhookDelivery]:
    """Add a delivery per active subscription to `event` in the caller's transaction; they are sent after it commits."""
    from gestiq_app.webhooks.models import EVENTS

    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event}")
    json.dumps(payload)  # fail now, in the caller's transaction, on a payload that cannot be sent
    event_id = uuid.uuid4()
    with tenant_context(tenant_id):
        current = session()
        statement = select(WebhookSubscription).where(WebhookSubscription.is_active.is_(True))
        if subscription_id is not None:
            statement = statement.where(WebhookSubscription.id == subscription_id)
        targets = [s for s in current.scalars(statement.order_by(WebhookSubscription.id))
                   if subscription_id is not None or event in s.events]
        now = utcnow()
        deliveries = [
            WebhookDelivery(subscription_id=target.id, event_id=event_id, event=event, state="pending", attempts=0, next_attempt_at=now,
                            payload=_envelope(event_id=event_id, tenant_id=tenant_id, event=event, payload=payload))
            for target in targets
        ]
        current.add_all(deliveries)
        current.flush()
    _queue(deliveries)
    return deliveries


def send_ping(*, tenant_id: uuid.UUID, subscription_id: uuid.UUID, actor: str) -> WebhookDelivery:
    """Send a `ping` event to one subscription (to test the receiver)."""
    get_subscription(tenant_id=tenant_id, subscription_id=subscription_id)
    with tenant_context(tenant_id), unit_of_work():
        deliveries = publish_event(tenant_id=tenant_id, event="ping", payload={"message": "ping", "sent_by": actor},
                                   subscription_id=subscription_id)
    if not deliveries:
        raise WebhookConflictError("La suscripción está desactivada")
    return deliveries[0]


def list_deliveries(*, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the statement listing the tenant's deliveries, filtered (the caller pages it)."""
    statement = select(WebhookDelivery).where(WebhookDelivery.tenant_id == tenant_id)
    for name in ("subscription_id", "state", "event"):
        if filters.get(name) is not None:
            statement = statement.where(getattr(WebhookDelivery, name) == filters[name])
    return statement


def get_delivery(*, tenant_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Return one delivery with its attempts (`attempt_log`) or raise WebhookNotFoundError."""
    with tenant_context(tenant_id):
        delivery = session().get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise WebhookNotFoundError("Entrega no encontrada")
        delivery.attempt_log = list(session().scalars(  # type: ignore[attr-defined]
            select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id).order_by(WebhookAttempt.number)))
    return delivery


def replay_delivery(*, tenant_id: uuid.UUID, delivery_id: uuid.UUID, actor: str) -> WebhookDelivery:
    """Send a finished delivery again as a new delivery (same event id and body, new delivery id)."""
    with tenant_context(tenant_id), unit_of_work() as current:
        original = current.get(WebhookDelivery, delivery_id)
        if original is None:
            raise WebhookNotFoundError("Entrega no encontrada")
        if original.state == "pending":
            raise WebhookConflictError("La entrega aún está en curso; espere a que termine para reenviarla")
        replay = WebhookDelivery(subscription_id=original.subscription_id, event_id=original.event_id, event=original.event,
                                 payload=original.payload, state="pending", attempts=0, next_attempt_at=utcnow(), replay_of_id=original.id)
        current.add(replay)
        current.flush()
        record_event(actor=actor, action="webhook.replayed", entity="webhook_delivery", entity_id=replay.id,
                     changes={"replay_of": str(original.id)})
        _queue([replay])
    return replay


def _claim(tenant_id: uuid.UUID, delivery_id: uuid.UUID) -> dict[str, Any] | None:
    """Take the next attempt of a due, pending delivery (compare-and-set); None when it is not due or not pending."""
    now = utcnow()
    with unit_of_work() as current:
        claimed = current.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.state == "pending",
                   or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now))
            # A lease: a duplicate trigger during the attempt finds it not due.
            .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + timedelta(seconds=timeout_seconds() * 3 + 60))
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return None
        delivery = current.scalars(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                                   .execution_options(populate_existing=True)).one()
        subscription = current.get(WebhookSubscription, delivery.subscription_id)
        return {"number": delivery.attempts, "event": delivery.event, "payload": delivery.payload,
                "url": subscription.url if subscription else None, "is_active": bool(subscription and subscription.is_active),
                "secret": decrypt(subscription.secret_encrypted) if subscription else ""}


def deliver(*, tenant_id: uuid.UUID, delivery_id: uuid.UUID) -> tuple[str, int | None]:
    """Make one attempt of a delivery and record it; return the new state and, when to retry, the delay in seconds."""
    from gestiq_app.metrics import record_webhook_attempt
    from gestiq_app.webhooks.transport import post, signature_header

    with tenant_context(tenant_id):
        claim = _claim(tenant_id, delivery_id)
        if claim is None:
            return "skipped", None
        started, started_clock = utcnow(), time.monotonic()
        status_code, response_body, error, retryable = None, None, None, False
        if not claim["is_active"]:
            error = "La suscripción está desactivada"
        else:
            body = json.dumps(claim["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json", "User-Agent": "GestiQCloud-Webhooks/1", "X-GestiQ-Event": claim["event"],
                       "X-GestiQ-Delivery": str(delivery_id), "X-GestiQ-Signature": signature_header(claim["secret"], int(time.time()), body)}
            try:
                checked = check_url(claim["url"], allow_private=allows_private_targets(), timeout=timeout_seconds())
                result = post(checked, body, headers, timeout=timeout_seconds())
                status_code, response_body = result.status_code, result.body[:MAX_LOGGED_BODY]
                retryable = status_code >= 500 or status_code in (408, 429)
            except UnsafeUrlError as failure:
                error = f"URL no permitida: {failure}"
            except (OSError, http.client.HTTPException) as failure:  # refused, timeout, TLS, broken response: retry
                error, retryable = f"{type(failure).__name__}: {failure}"[:500], True
        return _record_attempt(delivery_id, claim["number"], started, started_clock, status_code, response_body, error, retryable,
                               record_webhook_attempt)


def _record_attempt(delivery_id: uuid.UUID, number: int, started: Any, started_clock: float, status_code: int | None,
                    response_body: str | None, error: str | None, retryable: bool, count: Any) -> tuple[str, int | None]:
    succeeded = status_code is not None and 200 <= status_code < 300
    delay = None
    with unit_of_work() as current:
        current.add(WebhookAttempt(delivery_id=delivery_id, number=number, started_at=started, status_code=status_code,
                                   response_body=response_body, error=error,
                                   duration_ms=int((time.monotonic() - started_clock) * 1000)))
        delivery = current.get(WebhookDelivery, delivery_id, with_for_update=True)
        delivery.last_status_code, delivery.last_error = status_code, error
        if succeeded:
            delivery.state, delivery.finished_at, delivery.next_attempt_at = "succeeded", utcnow(), None
        elif retryable and number < int(_setting("GESTIQ_WEBHOOKS_MAX_ATTEMPTS")):
            delay = retry_delay_seconds(number)
            delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
        else:
            delivery.state, delivery.finished_at, delivery.next_attempt_at = "failed", utcnow(), None
        state = delivery.state
    outcome = "succeeded" if succeeded else ("retrying" if delay is not None else "failed")
    count(outcome)
    log.info("webhook attempt", extra={"delivery_id": str(delivery_id), "attempt": number, "status_code": status_code,
                                       "outcome": outcome, "error": error, "retry_in_seconds": delay})
    return state, delay
