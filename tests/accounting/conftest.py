"""Accounting fixtures: a Spanish and an Ecuadorian tenant, each with a customer (from the sales helpers)."""

from __future__ import annotations

from tests.api_helpers import fast_password_hashing  # noqa: F401 - many logins in the API tests
from tests.sales.conftest import ec_customer, ec_tenant, es_customer, es_tenant  # noqa: F401
