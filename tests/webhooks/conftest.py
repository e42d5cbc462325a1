"""A webhook receiver on 127.0.0.1 (http.server in a thread) and delivery settings for fast tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Receiver:
    """Records every request; answers with the next status of `statuses` (the last one repeats)."""

    url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    body: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)

    def next_status(self) -> int:
        """Return the status for the next request."""
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def verify_signature(header: str, body: bytes, secret: str, *, tolerance: int = 300) -> bool:
    """Check `t=<unix>,v1=<hex>` as a receiver would (documented in docs/modules/webhooks.md)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return abs(time.time() - timestamp) <= tolerance and hmac.compare_digest(expected, parts["v1"])


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    """Serve a recording receiver on an ephemeral loopback port."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append({"headers": dict(self.headers), "body": body, "json": json.loads(body), "path": self.path})
            payload = state.body.encode()
            self.send_response(state.next_status())
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/gestiq"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture()
def deliveries_to_loopback(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Allow private targets and retry at once, at most 3 attempts, 5 s timeout."""
    monkeypatch.setitem(app.config, "GESTIQ_WEBHOOKS_ALLOW_PRIVATE", "1")
    monkeypatch.setitem(app.config, "GESTIQ_WEBHOOKS_RETRY_BASE_SECONDS", "0")
    monkeypatch.setitem(app.config, "GESTIQ_WEBHOOKS_MAX_ATTEMPTS", "3")
    monkeypatch.setitem(app.config, "GESTIQ_WEBHOOKS_TIMEOUT_SECONDS", "5")
    return app
