"""Who may do what with import batches: anonymous 401, another tenant 404 (nothing changes, no lineage crosses), role 403."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.imports.models import ImportBatch, ImportItem, ImportLineage
from gestiq_app.tenancy.context import platform_scope
from tests.api_helpers import login_as, login_with_token
from tests.factories import make_tenant
from tests.imports.helpers import count_products, new_batch, upload
from tests.permissions import check_access

ROWS = [{"sku": "P-1", "name": "Uno", "unit_price": "1.00"}, {"sku": "P-2", "name": "", "unit_price": "2.00"}]


@pytest.fixture()
def two_tenants(app):  # type: ignore[no-untyped-def]
    """Tenant A with a validated batch (one valid, one invalid item) and tenant B, each with the owner's session."""
    with app.app_context():
        tenant_a, tenant_b = make_tenant(country="ES"), make_tenant(country="EC")
    owner_a = login_as(app, tenant_a, "owner")
    batch_id = new_batch(owner_a)
    assert owner_a.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": ROWS}).status_code == 200
    assert owner_a.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    invalid = owner_a.get(f"/api/v1/imports/batches/{batch_id}/items?status=invalid").get_json()["items"]
    return tenant_a, tenant_b, owner_a, batch_id, invalid[0]["id"]


def _snapshot(app, tenant_id=None):  # type: ignore[no-untyped-def]
    def snapshot() -> list[tuple]:
        with app.app_context(), platform_scope(actor="test", reason="snapshot"):
            statement = select(ImportBatch.id, ImportBatch.state, ImportBatch.mapping, ImportBatch.tenant_id).order_by(ImportBatch.id)
            if tenant_id is not None:
                statement = statement.where(ImportBatch.tenant_id == tenant_id)
            batches = db.session.execute(statement).all()
            items = db.session.execute(select(ImportItem.id, ImportItem.status, ImportItem.data).order_by(ImportItem.id)).all()
            lineage = db.session.execute(select(ImportLineage.id).order_by(ImportLineage.id)).all()
            return [tuple(map(tuple, batches)), tuple(map(tuple, items)), tuple(map(tuple, lineage))]

    return snapshot


def test_another_tenant_gets_404_for_every_batch_route_and_changes_nothing(app, two_tenants):  # type: ignore[no-untyped-def]
    tenant_a, tenant_b, owner_a, batch_id, item_id = two_tenants
    stranger = login_as(app, tenant_b, "owner")
    snapshot = _snapshot(app)
    before = snapshot()
    base = f"/api/v1/imports/batches/{batch_id}"
    calls = [
        ("GET", base, None), ("GET", f"{base}/items", None), ("GET", f"{base}/errors.csv", None), ("GET", f"{base}/lineage", None),
        ("PATCH", base, {"mapping": {"sku": "name"}}), ("PATCH", f"{base}/items/{item_id}", {"data": {"name": "Robado"}}),
        ("POST", f"{base}/validate", None), ("POST", f"{base}/promote", None), ("POST", f"{base}/rollback", None),
        ("POST", f"{base}/ingest", {"rows": ROWS}), ("DELETE", base, None),
    ]
    for method, url, body in calls:
        response = stranger.send(method, url, json=body)
        assert response.status_code == 404, (method, url, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert str(batch_id) not in response.get_data(as_text=True)
    assert snapshot() == before
    listed = stranger.get("/api/v1/imports/batches").get_json()
    assert listed["total"] == 0

    # The owner promotes: lineage rows belong to tenant A only, and tenant B sees none of its products.
    assert owner_a.post(f"{base}/promote").status_code == 202
    with app.app_context(), platform_scope(actor="test", reason="check"):
        owners = set(db.session.scalars(select(ImportLineage.tenant_id).where(ImportLineage.batch_id == uuid.UUID(batch_id))))
    assert owners == {tenant_a.id}
    assert count_products(app, tenant_a.id) == 1
    assert count_products(app, tenant_b.id) == 0
    assert stranger.post(f"{base}/rollback").status_code == 404
    assert count_products(app, tenant_a.id) == 1


@pytest.mark.parametrize(("method", "suffix", "body", "expected"), [
    ("POST", "/promote", None, 202),
    ("POST", "/validate", None, 202),
    ("PATCH", "", {"duplicate_policy": "skip"}, 200),
    ("DELETE", "", None, 204),
])
def test_write_routes_need_imports_write(app, two_tenants, method, suffix, body, expected):  # type: ignore[no-untyped-def]
    tenant_a, tenant_b, _, batch_id, _ = two_tenants
    check_access(app, method=method, url=f"/api/v1/imports/batches/{batch_id}{suffix}", owner_tenant=tenant_a, other_tenant=tenant_b,
                 allowed_role="accountant", denied_role="sales", expected_status=expected, snapshot=_snapshot(app), json=body)


def test_fixing_an_item_needs_imports_write(app, two_tenants):  # type: ignore[no-untyped-def]
    tenant_a, tenant_b, _, batch_id, item_id = two_tenants
    response = check_access(app, method="PATCH", url=f"/api/v1/imports/batches/{batch_id}/items/{item_id}", owner_tenant=tenant_a,
                            other_tenant=tenant_b, allowed_role="admin", denied_role="viewer", expected_status=200,
                            snapshot=_snapshot(app), json={"data": {"name": "Dos"}})
    assert response.get_json()["status"] == "valid"


def test_creating_a_batch_needs_imports_write(app, two_tenants):  # type: ignore[no-untyped-def]
    tenant_a, tenant_b, *_ = two_tenants
    response = check_access(app, method="POST", url="/api/v1/imports/batches", owner_tenant=tenant_a, other_tenant=tenant_b,
                            allowed_role="accountant", denied_role="sales", expected_status=201, snapshot=_snapshot(app, tenant_a.id),
                            json={"kind": "customers"}, other_tenant_status=(201,))
    assert response.get_json()["state"] == "created"


@pytest.mark.parametrize("suffix", ["", "/items", "/errors.csv", "/lineage"])
def test_reading_needs_imports_read(app, two_tenants, suffix):  # type: ignore[no-untyped-def]
    tenant_a, tenant_b, _, batch_id, _ = two_tenants
    check_access(app, method="GET", url=f"/api/v1/imports/batches/{batch_id}{suffix}", owner_tenant=tenant_a, other_tenant=tenant_b,
                 allowed_role="viewer", expected_status=200, snapshot=_snapshot(app),
                 denied_session=lambda: login_with_token(app, tenant_a, ["dashboard:read"]))


def test_upload_needs_imports_write(app, two_tenants):  # type: ignore[no-untyped-def]
    tenant_a, tenant_b, owner_a, _, _ = two_tenants
    batch_id = new_batch(owner_a)
    import io

    check_access(app, method="POST", url=f"/api/v1/imports/batches/{batch_id}/upload", owner_tenant=tenant_a, other_tenant=tenant_b,
                 allowed_role="accountant", denied_role="sales", expected_status=200, snapshot=_snapshot(app),
                 data=lambda: {"file": (io.BytesIO(b"sku,name,unit_price\nX-1,Equis,1.50\n"), "p.csv")})
    assert upload  # the helper sends the same multipart body
