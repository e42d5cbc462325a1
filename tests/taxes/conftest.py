"""Tax catalog fixtures: test entries use their own categories and are removed afterwards (the catalog is global)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from gestiq_app.taxes.models import TaxRate
from tests.api_helpers import fast_password_hashing  # noqa: F401 - autouse fixture


@pytest.fixture()
def test_category(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A category name no seeded rate uses; every rate of it is deleted after the test."""
    from gestiq_app.extensions import db

    category = f"test_{uuid.uuid4().hex[:12]}"
    yield category
    with app.app_context():
        db.session.execute(delete(TaxRate).where(TaxRate.category == category))
        db.session.commit()
