"""Idempotency-Key bookkeeping: claim a key, store the response, replay it, or refuse a conflicting reuse."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.idempotency.models import IdempotencyKey
from gestiq_app.identity.sessions import _aware

RETENTION = timedelta(hours=24)
#: A "running" claim older than this is considered abandoned (its process died) and may be taken over.
ABANDONED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: run the request, replay a response, or refuse."""

    outcome: str  # "run" | "replay" | "conflict" | "running"
    row_id: Any = None
    status: int | None = None
    body: str | None = None
    headers: dict[str, str] | None = None


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash what makes two requests "the same" (method, path and the canonical JSON body)."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def claim_key(*, principal: str, key: str, fingerprint: str) -> Claim:
    """Claim a key for this request in its own committed transaction (the unique key decides races)."""
    now = utcnow()
    current = session()
    with unit_of_work():
        current.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < now))
    try:
        with unit_of_work():
            row = IdempotencyKey(principal=principal, key=key, request_hash=fingerprint, state="running",
                                 created_at=now, expires_at=now + RETENTION, response_headers={})
            current.add(row)
        return Claim("run", row_id=row.id)
    except IntegrityError:
        pass
    with unit_of_work():
        row = current.scalar(
            select(IdempotencyKey).where(IdempotencyKey.principal == principal, IdempotencyKey.key == key).with_for_update()
        )
        if row is None:
            return Claim("running")
        if row.request_hash != fingerprint:
            return Claim("conflict")
        if row.state == "done":
            return Claim("replay", status=row.response_status, body=row.response_body, headers=dict(row.response_headers or {}))
        if now - _aware(row.created_at) > ABANDONED_AFTER:
            row.created_at = now
            return Claim("run", row_id=row.id)
        return Claim("running")


def store_response(*, row_id: Any, status: int, body: str, headers: dict[str, str]) -> None:
    """Record the finished response so a retry with the same key replays it."""
    with unit_of_work() as current:
        row = current.get(IdempotencyKey, row_id)
        if row is not None:
            row.state, row.response_status, row.response_body, row.response_headers = "done", status, body, headers


def release_key(*, row_id: Any) -> None:
    """Forget a claim whose request failed unexpectedly (5xx), so the client may retry."""
    with unit_of_work() as current:
        current.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
