"""Webhook API: URL and event validation, four-way permissions on every route."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.identity.permissions import permissions_of_role
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.api_helpers import login_as
from tests.permissions import check_access

#: A public address that is never contacted: no event is published to the subscriptions that use it.
PUBLIC_URL = "https://93.184.215.14/webhooks/gestiq"


def _subscriptions(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return sorted((s.url, tuple(s.events), s.is_active) for s in db.session.scalars(select(WebhookSubscription)))


def _deliveries(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return sorted((str(d.id), d.state, d.attempts) for d in db.session.scalars(select(WebhookDelivery)))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://192.168.1.10/hook",
                                 "http://0.0.0.0/hook", "http://[::ffff:127.0.0.1]/hook"])
def test_private_loopback_and_reserved_urls_are_refused_by_default(app, tenant_pair, url: str) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    response = login_as(app, tenant_a, "owner").post("/api/v1/webhooks/subscriptions", json={"url": url, "events": ["ping"]})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["url"][0].startswith("No se admite esta URL")
    assert _subscriptions(app, tenant_a) == []


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "ftp://93.184.215.14/x", "events": ["ping"]}, "url"),
    ({"url": "https://user:pw@93.184.215.14/x", "events": ["ping"]}, "url"),
    ({"url": PUBLIC_URL, "events": ["invoice.deleted"]}, "events.0"),
    ({"url": PUBLIC_URL, "events": []}, "events"),
    ({"url": PUBLIC_URL, "events": ["ping", "ping"]}, "events"),
])
def test_invalid_subscriptions_are_refused(app, tenant_pair, body: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    tenant_a, _ = tenant_pair
    response = login_as(app, tenant_a, "owner").post("/api/v1/webhooks/subscriptions", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()


def test_only_owner_and_admin_hold_webhook_permissions() -> None:
    holders = {role for role in ("owner", "admin", "accountant", "sales", "viewer") if "webhooks:read" in permissions_of_role(role)}
    writers = {role for role in ("owner", "admin", "accountant", "sales", "viewer") if "webhooks:write" in permissions_of_role(role)}
    assert holders == writers == {"owner", "admin"}


def test_create_subscription_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    body = {"url": PUBLIC_URL, "events": ["invoice.issued", "invoice.paid"]}
    response = check_access(app, method="POST", url="/api/v1/webhooks/subscriptions", owner_tenant=tenant_a, other_tenant=tenant_b,
                            allowed_role="admin", denied_role="accountant", expected_status=201,
                            snapshot=lambda: _subscriptions(app, tenant_a), json=body, other_tenant_status=(201,))
    assert response.get_json()["events"] == ["invoice.issued", "invoice.paid"]
    assert _subscriptions(app, tenant_a) == [(PUBLIC_URL, ("invoice.issued", "invoice.paid"), True)]
    assert _subscriptions(app, tenant_b) == [(PUBLIC_URL, ("invoice.issued", "invoice.paid"), True)]


def test_list_subscriptions_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    login_as(app, tenant_a, "owner").post("/api/v1/webhooks/subscriptions", json={"url": PUBLIC_URL, "events": ["ping"]})
    response = check_access(app, method="GET", url="/api/v1/webhooks/subscriptions", owner_tenant=tenant_a, other_tenant=tenant_b,
                            allowed_role="admin", denied_role="viewer", expected_status=200,
                            snapshot=lambda: _subscriptions(app, tenant_a), other_tenant_status=(200,))
    assert [item["url"] for item in response.get_json()] == [PUBLIC_URL]
    assert login_as(app, tenant_b, "owner").get("/api/v1/webhooks/subscriptions").get_json() == []


def test_update_and_delete_subscription_permissions(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    created = login_as(app, tenant_a, "owner").post("/api/v1/webhooks/subscriptions", json={"url": PUBLIC_URL, "events": ["ping"]}).get_json()
    url = f"/api/v1/webhooks/subscriptions/{created['id']}"
    check_access(app, method="GET", url=url, owner_tenant=tenant_a, other_tenant=tenant_b, allowed_role="owner", denied_role="sales",
                 expected_status=200, snapshot=lambda: _subscriptions(app, tenant_a))
    response = check_access(app, method="PATCH", url=url, owner_tenant=tenant_a, other_tenant=tenant_b, allowed_role="admin",
                            denied_role="viewer", expected_status=200, snapshot=lambda: _subscriptions(app, tenant_a),
                            json={"is_active": False, "events": ["invoice.paid"]})
    assert (response.get_json()["is_active"], response.get_json()["events"]) == (False, ["invoice.paid"])
    check_access(app, method="DELETE", url=url, owner_tenant=tenant_a, other_tenant=tenant_b, allowed_role="admin",
                 denied_role="accountant", expected_status=204, snapshot=lambda: _subscriptions(app, tenant_a))
    assert _subscriptions(app, tenant_a) == []


def test_deliveries_and_replay_permissions(app, tenant_pair, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    owner = login_as(app, tenant_a, "owner")
    subscription = owner.post("/api/v1/webhooks/subscriptions", json={"url": receiver.url, "events": ["ping"]}).get_json()
    delivery = owner.post(f"/api/v1/webhooks/subscriptions/{subscription['id']}/ping").get_json()
    assert len(receiver.requests) == 1
    check_access(app, method="GET", url="/api/v1/webhooks/deliveries", owner_tenant=tenant_a, other_tenant=tenant_b,
                 allowed_role="admin", denied_role="viewer", expected_status=200, snapshot=lambda: _deliveries(app, tenant_a),
                 other_tenant_status=(200,))
    check_access(app, method="GET", url=f"/api/v1/webhooks/deliveries/{delivery['id']}", owner_tenant=tenant_a, other_tenant=tenant_b,
                 allowed_role="admin", denied_role="accountant", expected_status=200, snapshot=lambda: _deliveries(app, tenant_a))
    replay = check_access(app, method="POST", url=f"/api/v1/webhooks/deliveries/{delivery['id']}/replay", owner_tenant=tenant_a,
                          other_tenant=tenant_b, allowed_role="admin", denied_role="sales", expected_status=202,
                          snapshot=lambda: _deliveries(app, tenant_a))
    assert replay.get_json()["replay_of_id"] == delivery["id"]
    assert len(receiver.requests) == 2
    check_access(app, method="POST", url=f"/api/v1/webhooks/subscriptions/{subscription['id']}/ping", owner_tenant=tenant_a,
                 other_tenant=tenant_b, allowed_role="owner", denied_role="viewer", expected_status=202,
                 snapshot=lambda: _deliveries(app, tenant_a))
    assert len(receiver.requests) == 3
