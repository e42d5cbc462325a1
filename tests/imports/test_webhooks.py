"""import.completed: a promoted batch is announced once to the tenant's subscribers, signed."""

from __future__ import annotations

from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.imports.helpers import new_batch, upload
from tests.webhooks.conftest import deliveries_to_loopback, receiver, verify_signature  # noqa: F401 - fixtures


def test_a_promoted_batch_is_announced_once(app, deliveries_to_loopback, receiver) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    session = login_as(app, tenant, "owner")
    created = session.post("/api/v1/webhooks/subscriptions", json={"url": receiver.url, "events": ["import.completed"]})
    assert created.status_code == 201, created.get_json()
    secret = created.get_json()["secret"]
    batch_id = new_batch(session)
    assert upload(session, batch_id, b"sku,name,unit_price\nW-1,Destornillador,4.50\nW-2,Alicates,7\n").status_code == 200
    assert session.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    assert receiver.requests == []  # validation announces nothing
    assert session.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    assert session.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"] == "promoted"
    assert [request["json"]["event"] for request in receiver.requests] == ["import.completed"]
    request = receiver.requests[0]
    assert verify_signature(request["headers"]["X-GestiQ-Signature"], request["body"], secret)
    assert request["json"]["data"] == {"batch_id": batch_id, "kind": "products", "source_name": "prueba",
                                       "created": 2, "updated": 0, "promoted_items": 2}
    assert session.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202  # idempotent: changes nothing
    assert len(receiver.requests) == 1
