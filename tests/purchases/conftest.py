"""Purchases fixtures: a Spanish and an Ecuadorian tenant, each with a supplier."""

from __future__ import annotations

import pytest

from tests.api_helpers import fast_password_hashing  # noqa: F401 - fixture
from tests.factories import make_tenant
from tests.purchases.helpers import add_supplier


@pytest.fixture()
def es_tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Spanish tenant."""
    return make_tenant(country="ES")


@pytest.fixture()
def ec_tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Ecuadorian tenant."""
    return make_tenant(country="EC")


@pytest.fixture()
def es_supplier(es_tenant):  # type: ignore[no-untyped-def]
    """A Spanish supplier with 30 days payment terms."""
    return add_supplier(es_tenant)


@pytest.fixture()
def ec_supplier(ec_tenant):  # type: ignore[no-untyped-def]
    """An Ecuadorian supplier (RUC) with 30 days payment terms."""
    return add_supplier(ec_tenant)
