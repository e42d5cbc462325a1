"""Access and refresh tokens (flask-jwt-extended through FAB's JWTManager) with rotating refresh families."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token, get_csrf_token
import jwt
from flask_jwt_extended.config import config as jwt_config
from jwt import PyJWTError
from sqlalchemy import select, update

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.identity.exceptions import AuthenticationError
from gestiq_app.identity.models import AdminRefreshToken, RefreshToken
from gestiq_app.tenancy.context import tenant_context

TENANT = "tenant"
ADMIN = "admin"
MFA = "mfa"
INVALID_SESSION = "La sesión no es válida o ha caducado. Inicia sesión de nuevo."


@dataclass(frozen=True)
class IssuedTokens:
    """Encoded tokens and their CSRF values, ready to be set as cookies."""

    access_token: str
    refresh_token: str
    access_csrf: str
    refresh_csrf: str


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _lifetimes() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return timedelta(days=int(config["GESTIQ_REFRESH_TOKEN_DAYS"])), timedelta(days=int(config["GESTIQ_REFRESH_FAMILY_DAYS"]))


def issue_tokens(*, kind: str, subject: str, claims: dict[str, Any], tenant_id: uuid.UUID | None,
                 family_id: uuid.UUID | None = None, family_expires_at: datetime | None = None) -> IssuedTokens:
    """Create an access token and a new refresh token of a (new or continuing) family, inside the caller's transaction."""
    idle, family_lifetime = _lifetimes()
    now = utcnow()
    family_id = family_id or uuid.uuid4()
    family_expires_at = family_expires_at or now + family_lifetime
    expires_at = min(now + idle, _aware(family_expires_at))
    token_id = uuid.uuid4()
    if kind == TENANT:
        session().add(RefreshToken(id=token_id, user_id=uuid.UUID(subject), family_id=family_id, issued_at=now,
                                   expires_at=expires_at, family_expires_at=family_expires_at))
    else:
        session().add(AdminRefreshToken(id=token_id, user_id=int(subject), family_id=family_id, issued_at=now,
                                        expires_at=expires_at, family_expires_at=family_expires_at))
    base = {"kind": kind, **claims}
    if tenant_id is not None:
        base["tid"] = str(tenant_id)
    access = create_access_token(identity=subject, additional_claims=base)
    # The refresh token's JWT id is our row id, so rotation can find and lock the row.
    refresh = create_refresh_token(identity=subject, additional_claims={**base, "fam": str(family_id), "jti": str(token_id)},
                                   expires_delta=expires_at - now)
    return IssuedTokens(access, refresh, get_csrf_token(access), get_csrf_token(refresh))


def decode(encoded: str | None, *, csrf_value: str | None, expected_type: str, expected_kind: str) -> dict[str, Any]:
    """Verify a token's signature, expiry, type, kind and (when given) its CSRF value; raise AuthenticationError."""
    if not encoded:
        raise AuthenticationError("Falta la sesión. Inicia sesión.")
    try:
        claims = decode_token(encoded, csrf_value=csrf_value) if csrf_value is not None else _verify(encoded)
    except PyJWTError as error:
        raise AuthenticationError(INVALID_SESSION) from error
    except Exception as error:  # flask-jwt-extended's own errors (CSRFError, NoAuthorizationError, …)
        if type(error).__module__.startswith("flask_jwt_extended"):
            raise AuthenticationError(INVALID_SESSION) from error
        raise
    if claims.get("type") != expected_type or claims.get("kind") != expected_kind:
        raise AuthenticationError(INVALID_SESSION)
    return claims


def _verify(encoded: str) -> dict[str, Any]:
    """Verify a token exactly as flask-jwt-extended's decode_token does, in one parse instead of three.

    decode_token first parses the token twice unverified (claims, then header) only to offer them to a
    decode-key callback, which this app does not use; the verification itself is the same PyJWT call
    with the same settings (signature with JWT_SECRET_KEY and the allowed algorithms, exp/nbf/iat with the
    leeway, audience and issuer when configured) and the identity claim must be present. Used on the hot
    path of every API request.
    """
    verified = jwt.decode(
        encoded,
        jwt_config.decode_key,
        algorithms=jwt_config.decode_algorithms,
        audience=jwt_config.decode_audience,
        issuer=jwt_config.decode_issuer,
        leeway=jwt_config.leeway,
        options={"verify_aud": jwt_config.decode_audience is not None, "verify_sub": jwt_config.verify_sub},
    )
    if jwt_config.identity_claim_key not in verified:
        raise jwt.InvalidTokenError("missing identity claim")
    verified.setdefault("type", "access")
    return verified


def rotate_refresh_token(*, kind: str, claims: dict[str, Any], build_claims: Any, actor: str) -> IssuedTokens:
    """Exchange a valid refresh token for a new pair; a reused token revokes its whole family (401)."""
    token_id = uuid.UUID(claims["jti"])
    model = RefreshToken if kind == TENANT else AdminRefreshToken
    tenant_id = uuid.UUID(claims["tid"]) if kind == TENANT else None
    context = tenant_context(tenant_id) if tenant_id else nullcontext()
    reused = False
    with context:
        with unit_of_work() as current:
            row = current.scalar(select(model).where(model.id == token_id).with_for_update())
            now = utcnow()
            if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
                raise AuthenticationError(INVALID_SESSION)
            if row.used_at is not None:
                reused = True
                current.execute(update(model).where(model.family_id == row.family_id, model.revoked_at.is_(None)).values(revoked_at=now))
                record_event(actor=actor, action="auth.refresh_token_reused", entity=f"{kind}_user", entity_id=row.user_id,
                             changes={"family_id": str(row.family_id)}, tenant_id=tenant_id)
            else:
                row.used_at = now
                issued = issue_tokens(kind=kind, subject=str(row.user_id), claims=build_claims(), tenant_id=tenant_id,
                                      family_id=row.family_id, family_expires_at=row.family_expires_at)
    if reused:
        raise AuthenticationError("Se ha detectado la reutilización de una sesión; se han cerrado todas sus sesiones.")
    return issued


def revoke_all_families(*, kind: str, user_id: Any) -> int:
    """Revoke every refresh token of a user inside the caller's transaction; return how many."""
    model = RefreshToken if kind == TENANT else AdminRefreshToken
    result = session().execute(update(model).where(model.user_id == user_id, model.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return int(result.rowcount or 0)
