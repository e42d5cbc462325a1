"""Four-way access checks of the per-invoice e-invoicing endpoints and of voiding; other tenants get 404."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from gestiq_app.db import utcnow
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as, login_with_token
from tests.einvoicing.flow import EC_LINES, ES_LINES, ec_tenant, einvoicing_rows, es_tenant, issue_through_api
from tests.factories import make_tenant
from tests.permissions import check_access


def _stranger(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_tenant(country="EC")


def test_einvoice_state_xml_and_ride_access(app, einvoicing_config, fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    stranger = _stranger(app)
    invoice = issue_through_api(login_as(app, tenant, "owner"), customer_id, EC_LINES).get_json()
    snapshot = lambda: einvoicing_rows(app, tenant)  # noqa: E731
    base = f"/api/v1/invoices/{invoice['id']}"
    state = check_access(app, method="GET", url=f"{base}/einvoice", owner_tenant=tenant, other_tenant=stranger,
                         allowed_role="accountant", denied_role="sales", expected_status=200, snapshot=snapshot)
    assert state.get_json()["state"] == "authorized"
    xml = check_access(app, method="GET", url=f"{base}/einvoice/xml", owner_tenant=tenant, other_tenant=stranger,
                       allowed_role="viewer", denied_role="sales", expected_status=200, snapshot=snapshot)
    assert xml.data.startswith(b"<?xml") and state.get_json()["access_key"].encode() in xml.data
    ride = check_access(app, method="GET", url=f"{base}/ride", owner_tenant=tenant, other_tenant=stranger,
                        allowed_role="sales", expected_status=200, snapshot=snapshot,
                        denied_session=lambda: login_with_token(app, tenant, ["einvoicing:read"]))
    assert ride.data.startswith(b"%PDF")


def test_retry_is_for_the_owner_only(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app, submit=True)  # GESTIQ_EINVOICE_SUBMIT is off here: the alta stays queued
    stranger = _stranger(app)
    invoice = issue_through_api(login_as(app, tenant, "owner"), customer_id, ES_LINES).get_json()
    later = utcnow() + timedelta(hours=1)
    with app.app_context(), tenant_context(tenant.id):
        db.session.execute(update(EinvoiceSubmission).values(state="retry_wait", attempts=1, next_attempt_at=later))
        db.session.commit()
    response = check_access(app, method="POST", url=f"/api/v1/invoices/{invoice['id']}/einvoice/retry", owner_tenant=tenant,
                            other_tenant=stranger, allowed_role="owner", denied_role="admin", expected_status=200,
                            snapshot=lambda: einvoicing_rows(app, tenant))
    body = response.get_json()
    assert (body["state"], body["attempts"]) == ("retry_wait", 1)  # made due now; the attempt counter is kept
    assert body["next_attempt_at"] < later.isoformat()


def test_void_is_for_the_owner_only(app) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app)
    stranger = _stranger(app)
    invoice = issue_through_api(login_as(app, tenant, "owner"), customer_id, ES_LINES).get_json()
    response = check_access(app, method="POST", url=f"/api/v1/invoices/{invoice['id']}/void", owner_tenant=tenant,
                            other_tenant=stranger, allowed_role="owner", denied_role="admin", expected_status=200,
                            json={"reason": "Emitida por error"}, snapshot=lambda: einvoicing_rows(app, tenant))
    assert response.get_json()["status"] == "voided"


def test_settings_are_read_by_accountants_and_changed_by_the_owner(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    read = check_access(app, method="GET", url="/api/v1/einvoicing/settings", owner_tenant=tenant_a, other_tenant=tenant_b,
                        allowed_role="accountant", denied_role="sales", expected_status=200,
                        snapshot=lambda: einvoicing_rows(app, tenant_a), other_tenant_status=(200,))
    assert read.get_json() == {
        "sri_environment": 1, "sri_establishment": "001", "sri_emission_point": "001", "head_office_address": "",
        "establishment_address": "", "trade_name": "", "is_accounting_required": False, "special_taxpayer_number": "",
        "rimpe_label": "", "sri_payment_method": "20", "verifactu_submission_enabled": False}

    def stored():  # type: ignore[no-untyped-def]
        with app.app_context(), tenant_context(tenant_a.id):
            from gestiq_app.einvoicing.settings import get_einvoicing_settings

            value = get_einvoicing_settings()
            db.session.rollback()
            return value

    changed = check_access(app, method="PATCH", url="/api/v1/einvoicing/settings", owner_tenant=tenant_a,
                           other_tenant=tenant_b, allowed_role="owner", denied_role="admin", expected_status=200,
                           json={"verifactu_submission_enabled": True, "sri_establishment": "002"}, snapshot=stored,
                           other_tenant_status=(200,))
    body = changed.get_json()
    assert (body["verifactu_submission_enabled"], body["sri_establishment"], body["sri_payment_method"]) == (True, "002", "20")
    assert (stored().verifactu_submission_enabled, stored().sri_establishment) == (True, "002")
    owner = login_as(app, tenant_a, "owner")
    bad = owner.patch("/api/v1/einvoicing/settings", json={"sri_environment": 3, "sri_emission_point": "1"})
    assert (bad.status_code, sorted(bad.get_json()["errors"])) == (422, ["sri_emission_point", "sri_environment"])
    assert stored().sri_establishment == "002"
