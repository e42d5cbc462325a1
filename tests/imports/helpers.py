"""Helpers of the imports tests: upload a file, run a batch through its stages, read entities and lineage."""

from __future__ import annotations

import io
import uuid
from typing import Any

from sqlalchemy import func, select

from gestiq_app.catalog.models import Product
from gestiq_app.extensions import db
from gestiq_app.imports.models import ImportLineage
from gestiq_app.tenancy.context import tenant_context


def upload(session: Any, batch_id: str, content: bytes, filename: str = "productos.csv"):  # type: ignore[no-untyped-def]
    """Upload a file to a batch through the API."""
    return session.post(f"/api/v1/imports/batches/{batch_id}/upload", json=None,
                        data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def new_batch(session: Any, kind: str = "products", **options: Any) -> str:
    """Create a batch through the API and return its id."""
    response = session.post("/api/v1/imports/batches", json={"kind": kind, "source_name": "prueba", "options": options})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def products_by_sku(app: Any, tenant_id: uuid.UUID) -> dict[str, Product]:
    """Return the tenant's products keyed by SKU (detached copies of the values)."""
    with app.app_context(), tenant_context(tenant_id):
        rows = db.session.scalars(select(Product).order_by(Product.sku)).all()
        return {row.sku: (row.name, row.unit_price, row.tax_category, row.category, row.id) for row in rows}  # type: ignore[misc]


def lineage_rows(app: Any, tenant_id: uuid.UUID, batch_id: str) -> list[tuple]:
    """Return (entity_id, action, item_id) of a batch's lineage, read in the tenant's context."""
    with app.app_context(), tenant_context(tenant_id):
        rows = db.session.execute(select(ImportLineage.entity_id, ImportLineage.action, ImportLineage.item_id)
                                  .where(ImportLineage.batch_id == uuid.UUID(batch_id))).all()
        return [tuple(row) for row in rows]


def count_products(app: Any, tenant_id: uuid.UUID) -> int:
    """Count the tenant's products."""
    with app.app_context(), tenant_context(tenant_id):
        return db.session.scalar(select(func.count()).select_from(Product)) or 0
