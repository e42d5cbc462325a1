"""Payments fixtures: fakes of the providers on 127.0.0.1 wired into the app's config, invoices to pay."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.payments import credentials
from gestiq_app.payments.models import Payment, PaymentRequest, ProviderEvent, Refund
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.api_helpers import fast_password_hashing  # noqa: F401 - fixture
from tests.payments.fakes import FakeKushki, FakePayphone, FakeStripe
from tests.sales.helpers import add_customer, issued_invoice, line

STRIPE_SECRETS = {"api_key": "sk_test_SECRETstripekey0001", "webhook_secret": "whsec_SECRETendpoint0001"}
PAYPHONE_SECRETS = {"token": "ppTOKEN-SECRET-0001"}
KUSHKI_SECRETS = {"private_merchant_id": "kushkiPRIVATE-SECRET-0001", "webhook_signature": "kushkiWEBHOOK-SECRET-0001"}
ALL_SECRET_VALUES = [*STRIPE_SECRETS.values(), *PAYPHONE_SECRETS.values(), *KUSHKI_SECRETS.values()]


def _fake(app: Any, monkeypatch: pytest.MonkeyPatch, fake: Any, setting: str) -> Iterator[Any]:
    fake.start()
    monkeypatch.setitem(app.config, setting, fake.url)
    monkeypatch.setitem(app.config, "GESTIQ_PAYMENTS_TIMEOUT_SECONDS", "2")
    yield fake
    fake.stop()


@pytest.fixture()
def stripe_fake(app, monkeypatch) -> Iterator[FakeStripe]:  # type: ignore[no-untyped-def]
    """A fake Stripe API; the app's Stripe base URL points at it."""
    yield from _fake(app, monkeypatch, FakeStripe(), "GESTIQ_STRIPE_API_BASE")


@pytest.fixture()
def payphone_fake(app, monkeypatch) -> Iterator[FakePayphone]:  # type: ignore[no-untyped-def]
    """A fake Payphone API."""
    yield from _fake(app, monkeypatch, FakePayphone(), "GESTIQ_PAYPHONE_API_BASE")


@pytest.fixture()
def kushki_fake(app, monkeypatch) -> Iterator[FakeKushki]:  # type: ignore[no-untyped-def]
    """A fake Kushki API."""
    yield from _fake(app, monkeypatch, FakeKushki(), "GESTIQ_KUSHKI_API_BASE")


def configure(tenant: Any, provider: str, secrets: dict[str, str], settings: dict[str, str] | None = None) -> None:
    """Store a provider account for the tenant."""
    with tenant_context(tenant.id):
        credentials.save_provider_account(tenant_id=tenant.id, provider=provider,
                                          data={"secrets": secrets, "settings": settings or {}}, actor="test")


def invoice_of(tenant: Any, price: str = "100") -> SalesDocument:
    """Issue an invoice of one line (ES: 100 + 21 % = 121.00; EC: 100 + 15 % = 115.00)."""
    customer = add_customer(tenant)
    return issued_invoice(tenant, customer, [line("1", price)])


def reload_invoice(tenant: Any, invoice_id: Any) -> SalesDocument:
    """Read an invoice afresh."""
    tenant_id = tenant.id
    db.session.rollback()
    with tenant_context(tenant_id):
        return db.session.scalars(select(SalesDocument).where(SalesDocument.id == invoice_id)
                                  .execution_options(populate_existing=True)).one()


def payments_snapshot(tenant_id: Any) -> dict[str, Any]:
    """Return every payments row of a tenant plus its invoices' paid amounts (for "nothing changed" checks)."""
    db.session.rollback()
    with platform_scope(actor="test", reason="snapshot"):
        snapshot = {
            model.__tablename__: sorted(tuple(str(value) for value in row) for row in db.session.execute(
                select(*model.__table__.columns).where(model.tenant_id == tenant_id)))
            for model in (Payment, Refund, PaymentRequest, ProviderEvent)
        }
        snapshot["invoices"] = sorted(tuple(str(v) for v in row) for row in db.session.execute(
            select(SalesDocument.id, SalesDocument.state, SalesDocument.amount_paid, SalesDocument.amount_due)
            .where(SalesDocument.tenant_id == tenant_id)))
    db.session.rollback()
    return snapshot


def payments_of(tenant: Any, invoice_id: Any = None) -> list[Payment]:
    """Return the tenant's payments (of one invoice when given)."""
    tenant_id = tenant.id
    db.session.rollback()
    with tenant_context(tenant_id):
        statement = select(Payment).order_by(Payment.created_at).execution_options(populate_existing=True)
        if invoice_id is not None:
            statement = statement.where(Payment.document_id == invoice_id)
        return list(db.session.scalars(statement))


D = Decimal
