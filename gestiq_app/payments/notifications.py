"""Provider notifications: verify the raw body, store the event once (insert-or-ignore), answer fast, process in a task.

Reception (`receive_notification`) only verifies and stores; the Huey task (`tasks.process_provider_event`,
enqueued after commit) moves the event `received -> processing -> processed | ignored | failed` with
compare-and-set updates, so two deliveries or two workers process an event once. Processing re-fetches
the provider's object when order matters, and payment requests only move forward: a late `payment_failed`
never un-pays an invoice.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app.db import call_after_commit, session, unit_of_work, utcnow
from gestiq_app.payments import credentials, services
from gestiq_app.payments.exceptions import (
    PaymentConflictError,
    PaymentInvalidError,
    PaymentNotFoundError,
    SignatureError,
    WebhookRejectedError,
)
from gestiq_app.payments.models import PaymentRequest, ProviderEvent
from gestiq_app.payments.providers import kushki, provider_for
from gestiq_app.payments.providers.base import PaymentProvider, ProviderPayment, from_minor_units
from gestiq_app.payments.providers.stripe_provider import verify_event
from gestiq_app.sales.settings import get_sales_settings
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.exceptions import TenantNotFoundError
from gestiq_app.tenancy.services import get_tenant_by_slug

log = logging.getLogger("gestiq.payments")
#: A claimed event whose run died is claimable again after this long.
PROCESSING_LEASE = timedelta(minutes=10)
#: Received events not processed after this long lost their trigger (Huey gives no delivery guarantee).
GRACE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
STRIPE_TYPES = ("checkout.session.completed", "payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded")


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise SignatureError("body is not JSON") from error
    if not isinstance(data, dict):
        raise SignatureError("body is not a JSON object")
    return data


def _verify(provider: str, account: Any, body: bytes, headers: Any) -> tuple[str, str, dict[str, Any]]:
    secrets = credentials.load_secrets(account)
    if provider == "stripe":
        event = verify_event(body, headers.get("Stripe-Signature"), secrets.get("webhook_secret", ""))
        return str(event["id"]), str(event["type"]), event
    if provider == "kushki":
        kushki.verify_webhook(body, headers, secrets.get("webhook_signature", ""))
        data = _parse_json(body)
        ticket = data.get("ticketNumber") or (data.get("details") or {}).get("ticketNumber")
        status = data.get("transactionStatus") or (data.get("details") or {}).get("transactionStatus") or ""
        if not ticket:
            raise SignatureError("Kushki notification without ticketNumber")
        return f"{ticket}:{status}", "kushki.transaction", data
    data = _parse_json(body)  # payphone: unsigned; trusted only after Confirm (see providers/payphone.py)
    store_id = account.settings.get("store_id")
    if store_id and str(data.get("StoreId")) != str(store_id):
        raise SignatureError("Payphone StoreId of another store")
    if not data.get("TransactionId") or not data.get("ClientTransactionId"):
        raise SignatureError("Payphone notification without ids")
    return f"tx-{data['TransactionId']}", "payphone.notification", data


def receive_notification(*, provider: str, tenant_slug: str, body: bytes, headers: Any) -> bool:
    """Verify and store a provider notification for the tenant; return True when it is new (a task will process it)."""
    try:
        tenant_id = get_tenant_by_slug(slug=tenant_slug).id
    except TenantNotFoundError as error:
        raise WebhookRejectedError("Notificación rechazada") from error
    with tenant_context(tenant_id):
        try:
            account = credentials.get_provider_account(provider=provider)
            event_id, event_type, payload = _verify(provider, account, body, headers)
        except (SignatureError, PaymentNotFoundError) as error:
            log.warning("payment notification rejected", extra={"provider": provider, "reason": type(error).__name__})
            session().rollback()
            raise WebhookRejectedError("Notificación rechazada: firma, marca de tiempo o cuenta no válidas") from error
        with unit_of_work() as current:
            insert = pg_insert if current.get_bind().dialect.name == "postgresql" else sqlite_insert
            row_id = uuid.uuid4()
            statement = insert(ProviderEvent.__table__).values(
                tenant_id=tenant_id, id=row_id, provider=provider, event_id=event_id[:120], event_type=event_type[:80], payload=payload,
                state="received", attempts=0, received_at=utcnow(),
            ).on_conflict_do_nothing(index_elements=["tenant_id", "provider", "event_id"]).returning(ProviderEvent.__table__.c.id)
            # Core table insert (not the ORM bulk path): RETURNING says whether this delivery stored the event.
            is_new = current.execute(statement).scalar_one_or_none() is not None
            if is_new:
                call_after_commit(lambda: _enqueue(tenant_id, row_id))
    log.info("payment notification stored", extra={"provider": provider, "event_type": event_type, "duplicate": not is_new})
    return is_new


def _enqueue(tenant_id: uuid.UUID, event_row_id: uuid.UUID) -> None:
    from gestiq_app.payments.tasks import process_provider_event

    process_provider_event(str(tenant_id), str(event_row_id))


def _claim(event_row_id: uuid.UUID) -> ProviderEvent | None:
    now = utcnow()
    claimable = or_(ProviderEvent.state.in_(("received", "failed")),
                    and_(ProviderEvent.state == "processing", ProviderEvent.claimed_at < now - PROCESSING_LEASE))
    with unit_of_work() as current:
        claimed = current.execute(
            update(ProviderEvent).where(ProviderEvent.id == event_row_id, claimable)
            .values(state="processing", claimed_at=now, attempts=ProviderEvent.attempts + 1).execution_options(synchronize_session=False)
        ).rowcount
    if claimed != 1:
        return None
    return session().scalars(select(ProviderEvent).where(ProviderEvent.id == event_row_id).execution_options(populate_existing=True)).one()


def _finish(event_row_id: uuid.UUID, state: str, error: str | None = None) -> None:
    with unit_of_work() as current:
        current.execute(update(ProviderEvent).where(ProviderEvent.id == event_row_id, ProviderEvent.state == "processing")
                        .values(state=state, processed_at=utcnow(), last_error=error[:500] if error else None)
                        .execution_options(synchronize_session=False))


def process_event(*, tenant_id: uuid.UUID, event_row_id: uuid.UUID) -> str | None:
    """Process a stored notification once; return its final state (None when another run has it or it is done)."""
    from gestiq_app.payments.exceptions import ProviderError

    event = _claim(event_row_id)
    if event is None:
        return None
    account = credentials.get_provider_account(provider=event.provider, require_active=False)
    client = provider_for(event.provider, credentials.load_secrets(account), account.settings)
    handler = {"stripe": _stripe, "payphone": _payphone, "kushki": _kushki}[event.provider]
    try:
        state = handler(tenant_id, client, event.event_type, event.payload)
    except ProviderError as error:
        _finish(event_row_id, "failed", str(error))
        if error.is_retryable:
            raise
        return "failed"
    except PaymentNotFoundError as error:
        _finish(event_row_id, "ignored", str(error))
        return "ignored"
    except (PaymentInvalidError, PaymentConflictError) as error:  # e.g. another currency than the invoice's: retrying cannot help
        session().rollback()
        log.warning("payment notification not applicable", extra={"provider": event.provider, "reason": str(error)})
        _finish(event_row_id, "failed", f"{error}: {error.errors}")
        return "failed"
    except BaseException as error:  # unexpected: never leave the event claimed; the next delivery or a retry picks it up
        session().rollback()
        _finish(event_row_id, "failed", type(error).__name__)
        raise
    _finish(event_row_id, state)
    return state


def _today(tenant_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return get_sales_settings(tenant_id=tenant_id).today()


def _invoice_id(tenant_id: uuid.UUID, metadata: dict[str, Any]) -> uuid.UUID | None:
    if str(metadata.get("tenant_id")) != str(tenant_id):
        return None
    try:
        return uuid.UUID(str(metadata.get("invoice_id")))
    except ValueError:
        return None


def _record(tenant_id: uuid.UUID, provider: str, payment: ProviderPayment, invoice_id: uuid.UUID | None) -> str:
    if invoice_id is None:
        log.warning("payment notification for no invoice of this tenant", extra={"provider": provider})
        return "ignored"
    services.record_provider_payment(tenant_id=tenant_id, provider=provider, reference=payment.reference, invoice_id=invoice_id,
                                     amount=payment.amount, currency=payment.currency, paid_on=_today(tenant_id),
                                     operation_id=payment.metadata.get("operation_id"))
    return "processed"


def _stripe(tenant_id: uuid.UUID, client: PaymentProvider, event_type: str, event: dict[str, Any]) -> str:
    obj = event.get("data", {}).get("object", {})
    if event_type not in STRIPE_TYPES:
        log.info("stripe event type not handled; acknowledged", extra={"event_type": event_type})
        return "ignored"
    if event_type == "checkout.session.completed":
        if obj.get("payment_status") != "paid":
            return "ignored"
        metadata = obj.get("metadata") or {}
        payment = ProviderPayment(reference=str(obj.get("payment_intent") or obj["id"]), status="succeeded",
                                  amount=from_minor_units(obj.get("amount_total") or 0), currency=str(obj.get("currency", "")).upper(),
                                  metadata=metadata)
        return _record(tenant_id, "stripe", payment, _invoice_id(tenant_id, metadata))
    if event_type == "payment_intent.succeeded":
        metadata = obj.get("metadata") or {}
        payment = ProviderPayment(reference=str(obj["id"]), status="succeeded", amount=from_minor_units(obj.get("amount_received") or 0),
                                  currency=str(obj.get("currency", "")).upper(), metadata=metadata)
        return _record(tenant_id, "stripe", payment, _invoice_id(tenant_id, metadata))
    if event_type == "payment_intent.payment_failed":
        # Order matters here: re-fetch the intent; it may have succeeded since (a retry with another card).
        current = client.fetch_payment(str(obj["id"]))
        invoice_id = _invoice_id(tenant_id, current.metadata)
        if current.status == "succeeded":
            return _record(tenant_id, "stripe", current, invoice_id)
        if invoice_id is not None:
            services.mark_request_failed(invoice_id=invoice_id, provider="stripe", operation_id=current.metadata.get("operation_id"),
                                         error="payment_failed")
        return "processed"
    return _stripe_refunds(tenant_id, client, obj)


def _stripe_refunds(tenant_id: uuid.UUID, client: PaymentProvider, charge: dict[str, Any]) -> str:
    intent = str(charge.get("payment_intent") or "")
    if not intent:
        return "ignored"
    payment = services.find_provider_payment(provider="stripe", reference=intent)
    if payment is None:  # the refund arrived before the payment's own event: record the payment first
        current = client.fetch_payment(intent)
        if current.status == "succeeded":
            _record(tenant_id, "stripe", current, _invoice_id(tenant_id, current.metadata))
        payment = services.find_provider_payment(provider="stripe", reference=intent)
        if payment is None:
            return "ignored"
    for refund in client.list_refunds(intent):  # type: ignore[attr-defined]
        if refund.status == "succeeded":
            services.record_provider_refund(payment=payment, reference=refund.reference, amount=refund.amount,
                                            refunded_on=_today(tenant_id))
    return "processed"


def _payphone(tenant_id: uuid.UUID, client: PaymentProvider, event_type: str, data: dict[str, Any]) -> str:
    client_tx = str(data["ClientTransactionId"])
    request = session().scalars(select(PaymentRequest).where(PaymentRequest.provider == "payphone",
                                                            PaymentRequest.provider_reference == client_tx)).first()
    if request is None:
        log.warning("payphone notification for an unknown request", extra={"provider": "payphone"})
        return "ignored"
    confirmed = client.confirm(int(data["TransactionId"]), client_tx)  # type: ignore[attr-defined]
    if confirmed.metadata.get("client_transaction_id") not in ("", client_tx):
        return "ignored"
    if confirmed.status == "succeeded":
        payment = ProviderPayment(reference=confirmed.reference, status="succeeded", amount=confirmed.amount,
                                  currency=confirmed.currency, metadata={"operation_id": request.operation_id})
        return _record(tenant_id, "payphone", payment, request.document_id)
    services.mark_request_failed(invoice_id=request.document_id, provider="payphone", operation_id=request.operation_id,
                                 error=f"payphone status {confirmed.status}")
    return "processed"


def _kushki(tenant_id: uuid.UUID, client: PaymentProvider, event_type: str, data: dict[str, Any]) -> str:
    payment = kushki.payment_from_body(data)  # the body is signed: its amount and metadata are the provider's
    invoice_id = _invoice_id(tenant_id, payment.metadata)
    if payment.status == "succeeded":
        return _record(tenant_id, "kushki", payment, invoice_id)
    if invoice_id is not None:
        services.mark_request_failed(invoice_id=invoice_id, provider="kushki", operation_id=payment.metadata.get("operation_id"),
                                     error="kushki declined")
    return "processed"


def due_events(limit: int = 500) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Return (tenant_id, event row id) of events whose trigger was lost, whose run died, or that failed and may retry."""
    from gestiq_app.tenancy.context import platform_scope

    now = utcnow()
    due = or_(
        and_(ProviderEvent.state == "received", ProviderEvent.received_at <= now - GRACE),
        and_(ProviderEvent.state == "processing", ProviderEvent.claimed_at <= now - PROCESSING_LEASE),
        and_(ProviderEvent.state == "failed", ProviderEvent.attempts < MAX_ATTEMPTS, ProviderEvent.processed_at <= now - GRACE),
    )
    with platform_scope(actor="job:resume_provider_events", reason="find provider events to process"):
        rows = session().execute(select(ProviderEvent.tenant_id, ProviderEvent.id).where(due)
                                 .order_by(ProviderEvent.received_at).limit(limit)).all()
        session().rollback()
    return [(row.tenant_id, row.id) for row in rows]
