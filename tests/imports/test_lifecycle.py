"""Batch lifecycle rules: duplicate policies, customers with fiscal checks, chunks, rollback refusals, delete, limits, states."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from gestiq_app import storage
from gestiq_app.audit.models import AuditEvent
from gestiq_app.crm.models import Customer
from gestiq_app.extensions import db
from gestiq_app.imports.models import ImportItem, ImportLineage
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.imports.helpers import count_products, lineage_rows, new_batch, products_by_sku, upload


@pytest.fixture()
def owner(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant and its owner's API session."""
    with app.app_context():
        tenant = make_tenant(country="ES")
    return tenant, login_as(app, tenant, "owner")


def _run(session, batch_id: str, rows: list[dict]) -> dict:  # type: ignore[no-untyped-def]
    assert session.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": rows}).status_code == 200
    assert session.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    return session.get(f"/api/v1/imports/batches/{batch_id}").get_json()


def _items(session, batch_id: str, status: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return session.get(f"/api/v1/imports/batches/{batch_id}/items?status={status}").get_json()["items"]


def _add_product(session, sku: str, price: str = "10.00") -> str:  # type: ignore[no-untyped-def]
    response = session.post("/api/v1/products", json={"sku": sku, "name": f"Existente {sku}", "unit_price": price})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_policy_error_reports_duplicates_in_file_and_existing_rows(owner):  # type: ignore[no-untyped-def]
    _, session = owner
    _add_product(session, "OLD-1")
    batch_id = new_batch(session)
    batch = _run(session, batch_id, [{"sku": "N-1", "name": "Nuevo", "unit_price": "1"}, {"sku": "N-1", "name": "Otra vez", "unit_price": "2"},
                                     {"sku": "OLD-1", "name": "Viejo", "unit_price": "3"}])
    assert batch["counts"] == {"pending": 0, "valid": 1, "invalid": 2, "skipped": 0, "promoted": 0}
    assert [(item["row_number"], item["errors"]) for item in _items(session, batch_id, "invalid")] == [
        (2, {"sku": [{"code": "duplicate_in_file", "message": "SKU repetido en el archivo (ya aparece en la fila 1)."}]}),
        (3, {"sku": [{"code": "already_exists", "message": "Ya existe un registro con este SKU."}]}),
    ]


def test_policy_update_changes_existing_products_and_rollback_restores_them(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    old_id = _add_product(session, "OLD-1", "10.00")
    batch_id = new_batch(session, duplicate_policy="update")
    batch = _run(session, batch_id, [{"sku": "OLD-1", "name": "Renombrado", "unit_price": "12,50"}, {"sku": "N-2", "name": "Nuevo", "unit_price": "1"}])
    assert batch["counts"]["valid"] == 2
    assert [item["action"] for item in _items(session, batch_id, "valid")] == ["update", "create"]
    assert session.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    products = products_by_sku(app, tenant.id)
    assert products["OLD-1"][:2] == ("Renombrado", Decimal("12.5000"))
    assert products["OLD-1"][4] == uuid.UUID(old_id)
    assert sorted(action for _, action, _ in lineage_rows(app, tenant.id, batch_id)) == ["created", "updated"]
    assert session.get(f"/api/v1/products/{old_id}").get_json()["version"] == 2

    assert session.post(f"/api/v1/imports/batches/{batch_id}/rollback").status_code == 200
    products = products_by_sku(app, tenant.id)
    assert list(products) == ["OLD-1"]
    assert products["OLD-1"][:2] == ("Existente OLD-1", Decimal("10.0000"))


def test_one_audit_event_per_promoted_batch_not_per_row(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    batch_id = new_batch(session)
    _run(session, batch_id, [{"sku": f"S-{n}", "name": f"P {n}", "unit_price": "1"} for n in range(5)])
    session.post(f"/api/v1/imports/batches/{batch_id}/promote")
    with app.app_context(), tenant_context(tenant.id):
        events = db.session.execute(select(AuditEvent.action, AuditEvent.changes).where(AuditEvent.entity_id == batch_id)
                                    .order_by(AuditEvent.created_at)).all()
        product_events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "product.created")).all()
    assert [action for action, _ in events] == ["import.created", "import.promoted"]
    assert events[1][1] == {"kind": "products", "created": 5, "updated": 0}
    assert product_events == []


def test_customers_are_checked_with_the_crm_fiscal_rules(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    batch_id = new_batch(session, kind="customers")
    rows = [
        {"Razón social": "Ferretería Pérez S.L.", "CIF": "B-6541001-1", "Correo": "compras@perez.test", "Días de pago": "30"},
        {"Razón social": "Juan García", "CIF": "12345678A", "Correo": "juan@garcia.test", "Días de pago": "0"},
        {"Razón social": "Sin correo", "CIF": "00000001R", "Correo": "no-es-correo", "Días de pago": "treinta"},
    ]
    batch = _run(session, batch_id, rows)
    assert batch["mapping"] == {"Razón social": "legal_name", "CIF": "tax_id", "Correo": "email", "Días de pago": "payment_terms_days"}
    assert batch["counts"] == {"pending": 0, "valid": 1, "invalid": 2, "skipped": 0, "promoted": 0}
    valid = _items(session, batch_id, "valid")[0]
    assert (valid["data"]["tax_id"], valid["data"]["tax_id_type"], valid["data"]["country"], valid["data"]["payment_terms_days"]) == (
        "B65410011", "cif", "ES", 30)
    invalid = {item["row_number"]: item["errors"] for item in _items(session, batch_id, "invalid")}
    assert invalid[2] == {"tax_id": [{"code": "invalid_tax_id", "message": "La letra de control del NIF no es correcta"}]}
    assert invalid[3] == {"payment_terms_days": [{"code": "invalid_integer", "message": "«treinta» no es un número entero."}],
                          "email": [{"code": "invalid", "message": "Correo electrónico no válido."}]}
    assert session.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    with app.app_context(), tenant_context(tenant.id):
        customers = db.session.execute(select(Customer.legal_name, Customer.tax_id, Customer.email, Customer.version)).all()
    assert [tuple(row) for row in customers] == [("Ferretería Pérez S.L.", "B65410011", "compras@perez.test", 1)]
    listed = session.get("/api/v1/customers").get_json()["items"]
    assert [(customer["legal_name"], customer["address"], customer["tags"]) for customer in listed] == [("Ferretería Pérez S.L.", {}, [])]


def test_promotion_runs_in_chunks_with_progress(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "2"
    try:
        batch_id = new_batch(session)
        _run(session, batch_id, [{"sku": f"C-{n}", "name": f"P {n}", "unit_price": "1"} for n in range(5)])
        session.post(f"/api/v1/imports/batches/{batch_id}/promote")
    finally:
        app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "1000"
    batch = session.get(f"/api/v1/imports/batches/{batch_id}").get_json()
    assert (batch["state"], batch["chunks_done"], batch["promoted_items"], batch["progress"]) == ("promoted", 3, 5, 100)
    assert set(batch["durations"]) == {"validation", "promotion"}
    assert count_products(app, tenant.id) == 5


def test_rollback_is_refused_when_a_created_product_was_invoiced(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    batch_id = new_batch(session)
    _run(session, batch_id, [{"sku": "INV-1", "name": "Facturado", "unit_price": "5"}, {"sku": "INV-2", "name": "Libre", "unit_price": "6"}])
    session.post(f"/api/v1/imports/batches/{batch_id}/promote")
    product_id = products_by_sku(app, tenant.id)["INV-1"][4]
    customer = session.post("/api/v1/customers", json={"legal_name": "Cliente", "tax_id": "B65410011"}).get_json()
    invoice = session.post("/api/v1/invoices", json={"customer_id": customer["id"], "lines": [
        {"product_id": str(product_id), "description": "Facturado", "quantity": "1", "unit_price": "5.00", "tax_category": "general"}]})
    assert invoice.status_code == 201, invoice.get_json()

    refused = session.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert refused.status_code == 409
    assert refused.get_json()["detail"] == "No se puede deshacer: 1 registro(s) creados por este lote ya se usan en otros documentos."
    assert sorted(products_by_sku(app, tenant.id)) == ["INV-1", "INV-2"]
    assert session.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"] == "promoted"


def test_delete_before_promotion_removes_items_and_file_and_is_refused_after(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    batch_id = new_batch(session)
    assert upload(session, batch_id, b"sku,name,unit_price\nD-1,Uno,1\n").status_code == 200
    key = f"imports/{batch_id}/source.csv"
    with app.app_context():
        assert storage.exists(tenant.id, key)
    assert session.delete(f"/api/v1/imports/batches/{batch_id}").status_code == 204
    assert session.get(f"/api/v1/imports/batches/{batch_id}").status_code == 404
    with app.app_context(), tenant_context(tenant.id):
        assert not storage.exists(tenant.id, key)
        assert db.session.scalars(select(ImportItem.id).where(ImportItem.batch_id == uuid.UUID(batch_id))).all() == []

    promoted = new_batch(session)
    _run(session, promoted, [{"sku": "D-2", "name": "Dos", "unit_price": "1"}])
    session.post(f"/api/v1/imports/batches/{promoted}/promote")
    refused = session.delete(f"/api/v1/imports/batches/{promoted}")
    assert refused.status_code == 409
    assert refused.get_json()["detail"] == "No se puede borrar un lote en estado «promoted»."
    with app.app_context(), tenant_context(tenant.id):
        assert len(db.session.scalars(select(ImportLineage.id).where(ImportLineage.batch_id == uuid.UUID(promoted))).all()) == 1


def test_upload_over_the_limit_is_413_and_keeps_nothing(app, owner):  # type: ignore[no-untyped-def]
    tenant, session = owner
    batch_id = new_batch(session)
    app.config["GESTIQ_IMPORTS_MAX_UPLOAD_MB"] = "0.001"  # 1,048 bytes
    try:
        response = upload(session, batch_id, b"sku,name,unit_price\n" + b"X,Nombre,1\n" * 200)
    finally:
        app.config["GESTIQ_IMPORTS_MAX_UPLOAD_MB"] = "50"
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {"file": ["Archivo demasiado grande."]}
    with app.app_context():
        assert list(storage.iter_files(tenant.id)) == []
    assert session.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"] == "created"


def test_malformed_file_is_422_naming_the_line_and_the_batch_stays_empty(owner):  # type: ignore[no-untyped-def]
    _, session = owner
    batch_id = new_batch(session)
    response = upload(session, batch_id, b'sku;name;unit_price\nA;uno;1\nB;"dos;2\nC;tres;3\n')
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Línea 3: el archivo está mal formado (comillas sin cerrar)."
    batch = session.get(f"/api/v1/imports/batches/{batch_id}").get_json()
    assert (batch["state"], batch["total_items"]) == ("created", 0)


def test_xlsx_upload_with_a_chosen_sheet(app, owner):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    tenant, session = owner
    workbook = Workbook()
    workbook.active.append(["Portada"])
    sheet = workbook.create_sheet("Productos")
    sheet.append(["Referencia", "Nombre", "Precio", "IVA"])
    sheet.append(["XL-1", "Cinta", 1.25, 21])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch_id = new_batch(session, sheet="Productos")
    assert upload(session, batch_id, buffer.getvalue(), "libro.xlsx").status_code == 200
    session.post(f"/api/v1/imports/batches/{batch_id}/validate")
    assert [item["data"] for item in _items(session, batch_id, "valid")] == [
        {"sku": "XL-1", "name": "Cinta", "unit_price": "1.2500", "tax_category": "general"}]


def test_states_move_only_forward(owner):  # type: ignore[no-untyped-def]
    _, session = owner
    batch_id = new_batch(session)
    base = f"/api/v1/imports/batches/{batch_id}"
    assert session.post(f"{base}/validate").status_code == 409
    assert session.post(f"{base}/promote").status_code == 409
    assert session.post(f"{base}/rollback").status_code == 409
    assert session.post(f"{base}/ingest", json={"rows": [{"sku": "S", "name": "N", "unit_price": "1"}]}).status_code == 200
    assert session.post(f"{base}/ingest", json={"rows": [{"sku": "S", "name": "N", "unit_price": "1"}]}).status_code == 409
    bad = session.patch(base, json={"mapping": {"sku": "colour"}})
    assert bad.status_code == 422
    assert list(bad.get_json()["errors"]) == ["mapping.sku"]
    assert session.patch(base, json={"mapping": {"nope": "sku"}}).status_code == 422
    assert session.post(f"{base}/validate").status_code == 202
    assert session.post(f"{base}/promote").status_code == 202
    assert session.patch(base, json={"duplicate_policy": "skip"}).status_code == 409
    assert session.post(f"{base}/validate").status_code == 409
