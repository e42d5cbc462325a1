"""Encryption at rest of secrets (TOTP seeds, provider credentials) with rotatable Fernet keys."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _keys() -> list[bytes]:
    configured = [key.strip() for key in current_app.config["GESTIQ_ENCRYPTION_KEYS"].split(",") if key.strip()]
    if configured:
        return [key.encode() for key in configured]
    # Embedded default only (production refuses to start without keys): derived from the secret key.
    digest = hashlib.sha256(("gestiq-encryption:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(plaintext: str) -> str:
    """Encrypt a secret with the newest key."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a secret encrypted with any configured key."""
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a secret with the newest key."""
    return _fernet().rotate(token.encode()).decode()


def sha256_hex(value: str) -> str:
    """Return the SHA-256 hex digest of a token (tokens are stored only as hashes)."""
    return hashlib.sha256(value.encode()).hexdigest()


__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate", "sha256_hex"]
