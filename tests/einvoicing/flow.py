"""Builders for the end-to-end e-invoicing tests: tenants set up for each country, invoices issued through the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gestiq_app.einvoicing.certificates import upload_certificate
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.settings import update_einvoicing_settings
from gestiq_app.extensions import db
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.einvoicing.conftest import P12_PASSWORD
from tests.factories import make_tenant
from tests.sales.helpers import add_customer

EC_SETTINGS = {"head_office_address": "Av. Amazonas N34-451 y Av. Atahualpa, Quito", "is_accounting_required": True,
               "trade_name": "Andina Tech"}
EC_LINES = [
    {"description": "Laptop 14 pulgadas", "quantity": "2", "unit_price": "850.00", "discount_percent": "5", "tax_category": "general"},
    {"description": "Arroz 25 kg", "quantity": "3", "unit_price": "31.50", "tax_category": "cero"},
]
ES_LINES = [
    {"description": "Caja de herramientas", "quantity": "2", "unit_price": "45.00", "tax_category": "general"},
    {"description": "Manual de bricolaje", "quantity": "1", "unit_price": "19.90", "tax_category": "superreducido"},
]


def ec_tenant(app, test_certificate=None, *, settings: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """An Ecuadorian tenant with its fiscal settings, a certificate (unless None) and an RUC customer."""
    with app.app_context():
        tenant = make_tenant(country="EC")
        with tenant_context(tenant.id):
            update_einvoicing_settings(tenant_id=tenant.id, changes=EC_SETTINGS if settings is None else settings, actor="test")
            if test_certificate is not None:
                upload_certificate(tenant_id=tenant.id, data=test_certificate[2], password=P12_PASSWORD, actor="test")
        customer = add_customer(tenant, tax_id_type="ruc", email="compras@cliente.ec",
                                address={"street": "Calle Los Pinos E7-89", "city": "Cumbayá"})
        return tenant, customer.id


def es_tenant(app, *, submit: bool = False):  # type: ignore[no-untyped-def]
    """A Spanish tenant (VERI*FACTU submission on when `submit`) and a NIF customer."""
    with app.app_context():
        tenant = make_tenant(country="ES")
        if submit:
            with tenant_context(tenant.id):
                update_einvoicing_settings(tenant_id=tenant.id, changes={"verifactu_submission_enabled": True}, actor="test")
        customer = add_customer(tenant)
        return tenant, customer.id


def issue_through_api(session, customer_id, lines, **extra: Any) -> Any:  # type: ignore[no-untyped-def]
    """Create a draft invoice and issue it through the API; return the issue response."""
    draft = session.post("/api/v1/invoices", json={"customer_id": str(customer_id), "lines": lines, **extra})
    assert draft.status_code == 201, draft.get_json()
    return session.post(f"/api/v1/invoices/{draft.get_json()['id']}/issue", json={})


def einvoicing_rows(app, tenant) -> dict[str, list[tuple[str, ...]]]:
    """Every e-invoicing and sales row of a tenant, for "nothing changed" checks."""
    with app.app_context(), platform_scope(actor="test", reason="snapshot"):
        rows = {
            model.__tablename__: sorted(tuple(str(value) for value in row) for row in db.session.execute(
                select(*model.__table__.columns).where(model.tenant_id == tenant.id)))
            for model in (EinvoiceSubmission, VerifactuRecord, SalesDocument)
        }
        db.session.rollback()
    return rows
