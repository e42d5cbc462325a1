"""Imports test fixtures."""

from __future__ import annotations

from tests.api_helpers import fast_password_hashing  # noqa: F401 - autouse fixture
