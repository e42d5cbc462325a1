"""TOTP (RFC 6238) second factor with replay protection and hashed recovery codes."""

from __future__ import annotations

import secrets
import time

import pyotp

ISSUER = "GestiQCloud"
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    """Return a fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account: str) -> str:
    """Return the otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def accepted_counter(secret: str, code: str, *, last_counter: int, now: float | None = None) -> int | None:
    """Return the time step of a valid, not yet used code (±1 step of clock drift), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // totp.interval)
    for counter in (current - 1, current, current + 1):
        if counter > last_counter and secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def new_recovery_codes() -> list[str]:
    """Return fresh recovery codes shown once to the user (format xxxx-xxxx)."""
    return [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODE_COUNT)]


def normalize_recovery_code(code: str) -> str:
    """Normalize a typed recovery code before hashing."""
    return code.strip().lower()
