"""Local fakes of Stripe, Payphone and Kushki on 127.0.0.1 that speak each provider's wire format.

Stripe: form-encoded requests with Bearer keys and Idempotency-Key (same key -> same answer), JSON objects
with `object` fields, list envelopes; events signed `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
Payphone: JSON with Bearer token; Links answers a JSON string; Confirm answers statusCode 3/2.
Kushki: JSON with Private-Merchant-Id; charges answer ticketNumber and details.transactionStatus.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Handler = Callable[["Call"], tuple[int, Any]]


@dataclass
class Call:
    """One request received by a fake."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Return the JSON body."""
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """Return a form-encoded body (Stripe's nested keys stay flat: metadata[invoice_id])."""
        return dict(parse_qsl(self.body.decode()))


@dataclass
class FakeServer:
    """A threaded HTTP server answering through routes; records every call; `fail_next` forces errors."""

    routes: list[tuple[str, re.Pattern[str], Handler]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)
    delay_seconds: float = 0.0
    url: str = ""

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Register a handler for a method and a path regex."""
        def register(handler: Handler) -> Handler:
            self.routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler
        return register

    def answer(self, call: Call) -> tuple[int, Any]:
        """Route a call."""
        self.calls.append(call)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if self.fail_with:
            return self.fail_with.pop(0), {"message": "fake failure"}
        for method, pattern, handler in self.routes:
            if method == call.method and pattern.match(call.path):
                return handler(call)
        return 404, {"message": f"no route {call.method} {call.path}"}

    def start(self) -> FakeServer:
        """Serve on an ephemeral loopback port."""
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = fake.answer(Call(self.command, parts.path, dict(parse_qsl(parts.query)), dict(self.headers), body))
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return

            do_GET = do_POST = do_DELETE = _handle  # noqa: N815 - http.server's naming

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Return a Stripe-Signature header for a payload, as Stripe computes it."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


class FakeStripe(FakeServer):
    """Checkout Sessions, PaymentIntents and refunds, with Idempotency-Key replay."""

    def __init__(self) -> None:
        super().__init__()
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self.idempotent: dict[str, tuple[int, Any]] = {}
        self.route("POST", "/v1/checkout/sessions")(self._idempotent(self._create_session))
        self.route("GET", "/v1/payment_intents/(?P<id>[^/]+)")(self._get_intent)
        self.route("POST", "/v1/refunds")(self._idempotent(self._create_refund))
        self.route("GET", "/v1/refunds")(self._list_refunds)

    def _idempotent(self, handler: Handler) -> Handler:
        def wrapper(call: Call) -> tuple[int, Any]:
            key = call.headers.get("Idempotency-Key")
            if key and key in self.idempotent:
                return self.idempotent[key]
            answer = handler(call)
            if key:
                self.idempotent[key] = answer
            return answer
        return wrapper

    def _create_session(self, call: Call) -> tuple[int, Any]:
        form = call.form()
        session_id = f"cs_test_{uuid.uuid4().hex[:16]}"
        intent_id = f"pi_{uuid.uuid4().hex[:16]}"
        metadata = {key[len("metadata["):-1]: value for key, value in form.items() if key.startswith("metadata[")}
        amount = int(form["line_items[0][price_data][unit_amount]"])
        self.intents[intent_id] = {"id": intent_id, "object": "payment_intent", "amount": amount, "amount_received": 0,
                                   "currency": form["line_items[0][price_data][currency]"], "status": "requires_payment_method",
                                   "metadata": metadata}
        return 200, {"id": session_id, "object": "checkout.session", "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                     "payment_intent": intent_id, "payment_status": "unpaid", "status": "open", "amount_total": amount,
                     "currency": form["line_items[0][price_data][currency]"], "metadata": metadata,
                     "client_reference_id": form.get("client_reference_id")}

    def add_intent(self, *, amount: int, metadata: dict[str, str], status: str = "succeeded", currency: str = "eur") -> dict[str, Any]:
        """Create a PaymentIntent as if a customer had paid (or failed to)."""
        intent_id = f"pi_{uuid.uuid4().hex[:16]}"
        self.intents[intent_id] = {"id": intent_id, "object": "payment_intent", "amount": amount,
                                   "amount_received": amount if status == "succeeded" else 0, "currency": currency,
                                   "status": status, "metadata": metadata}
        return self.intents[intent_id]

    def _get_intent(self, call: Call) -> tuple[int, Any]:
        intent = self.intents.get(call.path.rsplit("/", 1)[1])
        if intent is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
        return 200, intent

    def _create_refund(self, call: Call) -> tuple[int, Any]:
        form = call.form()
        refund = {"id": f"re_{uuid.uuid4().hex[:16]}", "object": "refund", "amount": int(form["amount"]),
                  "payment_intent": form["payment_intent"], "status": "succeeded", "currency": "eur"}
        self.refunds.append(refund)
        return 200, refund

    def add_refund(self, payment_intent: str, amount: int) -> dict[str, Any]:
        """Record a refund made in Stripe's dashboard."""
        refund = {"id": f"re_{uuid.uuid4().hex[:16]}", "object": "refund", "amount": amount, "payment_intent": payment_intent,
                  "status": "succeeded", "currency": "eur"}
        self.refunds.append(refund)
        return refund

    def _list_refunds(self, call: Call) -> tuple[int, Any]:
        data = [refund for refund in self.refunds if refund["payment_intent"] == call.query.get("payment_intent")]
        return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}


def stripe_event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> bytes:
    """Return a Stripe event body."""
    return json.dumps({"id": event_id or f"evt_{uuid.uuid4().hex[:16]}", "object": "event", "api_version": "2025-01-27.acacia",
                       "created": int(time.time()), "type": event_type, "livemode": False, "data": {"object": obj}}).encode()


class FakePayphone(FakeServer):
    """Links, Confirm, Sale and Reverse of Payphone."""

    def __init__(self) -> None:
        super().__init__()
        self.transactions: dict[int, dict[str, Any]] = {}
        self.route("POST", "/api/Links")(self._link)
        self.route("POST", "/api/button/V2/Confirm")(self._confirm)
        self.route("GET", "/api/Sale/(?P<id>\\d+)")(self._sale)
        self.route("POST", "/api/Reverse")(self._reverse)

    def _link(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if body["amount"] != body["amountWithoutTax"] + body["amountWithTax"] + body["tax"] + body["service"] + body["tip"]:
            return 400, {"message": "Los montos no cuadran", "errorCode": 800}
        if len(body["clientTransactionId"]) > 15:
            return 400, {"message": "clientTransactionId demasiado largo", "errorCode": 800}
        return 200, f"https://ppls.me/{body['clientTransactionId']}"

    def pay(self, client_transaction_id: str, amount: int, *, status_code: int = 3) -> int:
        """Simulate the customer paying a link; return Payphone's transaction id."""
        transaction_id = len(self.transactions) + 1000
        self.transactions[transaction_id] = {"statusCode": status_code, "transactionStatus": "Approved" if status_code == 3 else "Canceled",
                                             "transactionId": transaction_id, "clientTransactionId": client_transaction_id,
                                             "amount": amount, "currency": "USD", "authorizationCode": "W123"}
        return transaction_id

    def _confirm(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        transaction = self.transactions.get(int(body["id"]))
        if transaction is None or transaction["clientTransactionId"] != body["clientTxId"]:
            return 400, {"message": "Transacción no existe", "errorCode": 20}
        return 200, transaction

    def _sale(self, call: Call) -> tuple[int, Any]:
        transaction = self.transactions.get(int(call.path.rsplit("/", 1)[1]))
        return (200, transaction) if transaction else (404, {"message": "Transacción no existe", "errorCode": 20})

    def _reverse(self, call: Call) -> tuple[int, Any]:
        transaction = self.transactions.get(int(call.json()["id"]))
        if transaction is None:
            return 400, {"message": "Transacción no existe", "errorCode": 20}
        transaction.update(statusCode=2, transactionStatus="Canceled")
        return 200, True


class FakeKushki(FakeServer):
    """Card charges and refunds of Kushki."""

    def __init__(self) -> None:
        super().__init__()
        self.route("POST", "/card/v1/charges")(self._charge)
        self.route("DELETE", "/v1/refund/(?P<ticket>\\d+)")(self._refund)

    def _charge(self, call: Call) -> tuple[int, Any]:
        body = call.json()
        if body["token"] == "declined":
            return 402, {"code": "K006", "message": "Transacción declinada"}
        amount = body["amount"]
        total = amount["subtotalIva"] + amount["subtotalIva0"] + amount["ice"] + amount["iva"]
        return 201, {"ticketNumber": "1" + uuid.uuid4().int.__str__()[:17], "transactionReference": str(uuid.uuid4()),
                     "details": {"transactionStatus": "APPROVAL", "approvedTransactionAmount": total, "currencyCode": amount["currency"],
                                 "metadata": body.get("metadata", {})}}

    def _refund(self, call: Call) -> tuple[int, Any]:
        return 200, {"code": "K000", "message": "Solicitud de devolución recibida", "ticketNumber": "9" + call.path.rsplit("/", 1)[1][1:]}
