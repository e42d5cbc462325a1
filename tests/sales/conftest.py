"""Sales fixtures: a Spanish and an Ecuadorian tenant, each with a customer."""

from __future__ import annotations

import pytest

from tests.factories import make_tenant
from tests.sales.helpers import add_customer


@pytest.fixture()
def es_tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Spanish tenant."""
    return make_tenant(country="ES")


@pytest.fixture()
def ec_tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Ecuadorian tenant."""
    return make_tenant(country="EC")


@pytest.fixture()
def es_customer(es_tenant):  # type: ignore[no-untyped-def]
    """A Spanish customer with 30 days payment terms."""
    return add_customer(es_tenant)


@pytest.fixture()
def ec_customer(ec_tenant):  # type: ignore[no-untyped-def]
    """An Ecuadorian customer with 30 days payment terms."""
    return add_customer(ec_tenant)
