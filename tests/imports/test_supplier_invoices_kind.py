"""`supplier_invoices` batches: supplier invoices with lines, keyed by supplier + number, recorded through purchases."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gestiq_app.accounting.models import JournalEntry
from gestiq_app.extensions import db
from gestiq_app.imports.models import ImportLineage
from gestiq_app.purchases.models import PurchaseDocument
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.factories import make_tenant, random_nif
from tests.imports.helpers import new_batch, upload

HEADER = "Factura;Fecha factura;Vencimiento;CIF proveedor;Referencia;Concepto;Uds;Precio unitario;Dto;% IVA;Pagado"


@pytest.fixture()
def shop(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant with two suppliers, and the owner's session."""
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    nifs = []
    for name in ("Almacenes Norte SL", "Distribuciones Sur SL"):
        response = owner.post("/api/v1/suppliers", json={"legal_name": name, "tax_id": random_nif(), "country": "ES"})
        assert response.status_code == 201, response.get_json()
        nifs.append(response.get_json()["tax_id"])
    return tenant, owner, nifs


def _csv(nif_one: str, nif_two: str) -> bytes:
    rows = [
        HEADER,
        f"F-10;05/02/2025;07/03/2025;{nif_one};;Papel A4;10;3,50;0;21;",          # row 2
        f"F-10;05/02/2025;07/03/2025;{nif_one};;Tóner;1;60,00;5;21;",             # row 3
        f"F-10;10/02/2025;;{nif_two};;Transporte;1;25,00;0;21;30,25",              # row 4: same number, other supplier
        f"F-11;12/02/2025;;{nif_two};;Embalaje;4;2,00;0;21;",                     # row 5
        f"F-12;13/02/2025;;{nif_two};ZZZ;;1;2,00;0;21;",                          # row 6: unknown product
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def _run(owner, content: bytes, **options):  # type: ignore[no-untyped-def]
    batch_id = new_batch(owner, kind="supplier_invoices", **options)
    assert upload(owner, batch_id, content, "compras.csv").status_code == 200
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    items = owner.get(f"/api/v1/imports/batches/{batch_id}/items?sort=row_number").get_json()["items"]
    return batch_id, {item["row_number"]: item for item in items}


def _documents(app, tenant_id: uuid.UUID) -> dict[tuple[str, str], tuple]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant_id):
        rows = db.session.scalars(select(PurchaseDocument)).all()
        return {(row.supplier_tax_id, row.supplier_number): (row.state, row.issue_date.isoformat(), row.subtotal, row.tax_total,
                                                             row.total, row.amount_paid, row.amount_due, len(row.lines))
                for row in rows}


def test_supplier_invoices_validate_promote_and_roll_back(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, items = _run(owner, _csv(nif_one, nif_two))
    assert {row: item["status"] for row, item in items.items()} == {2: "valid", 3: "valid", 4: "valid", 5: "valid", 6: "invalid"}
    assert items[6]["errors"] == {"sku": [{"code": "unknown_product", "message": "No hay ningún producto con el código «ZZZ»."}]}
    assert items[2]["natural_key"] == f"{nif_one}|F-10" and items[4]["natural_key"] == f"{nif_two}|F-10"
    assert items[2]["data"]["invoice_total"] == "111.32"  # (35.00 + 57.00) + 21 % IVA

    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    assert owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["counts"]["promoted"] == 4
    assert _documents(app, tenant.id) == {
        (nif_one, "F-10"): ("recorded", "2025-02-05", Decimal("92.00"), Decimal("19.32"), Decimal("111.32"), Decimal("0.00"),
                            Decimal("111.32"), 2),
        (nif_two, "F-10"): ("paid", "2025-02-10", Decimal("25.00"), Decimal("5.25"), Decimal("30.25"), Decimal("30.25"),
                            Decimal("0.00"), 1),
        (nif_two, "F-11"): ("recorded", "2025-02-12", Decimal("8.00"), Decimal("1.68"), Decimal("9.68"), Decimal("0.00"),
                            Decimal("9.68"), 1),
    }
    with app.app_context(), tenant_context(tenant.id):
        sources = dict(db.session.execute(select(JournalEntry.source_type, func.count()).group_by(JournalEntry.source_type)).all())
        assert sources == {"purchase_document": 3, "purchase_payment": 1}
        assert db.session.scalar(select(func.count()).select_from(ImportLineage)) == 4

    # The same file again: supplier + number already exist → error (or skipped).
    _, again = _run(owner, _csv(nif_one, nif_two))
    assert again[2]["errors"] == {"number": [{"code": "already_exists",
                                              "message": "Ya existe una factura de este proveedor con el número F-10."}]}
    assert [again[row]["status"] for row in (2, 3, 4, 5)] == ["invalid"] * 4
    _, skipped = _run(owner, _csv(nif_one, nif_two), duplicate_policy="skip")
    assert [skipped[row]["status"] for row in (2, 3, 4, 5)] == ["skipped"] * 4

    response = owner.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert response.status_code == 200, response.get_json()
    assert _documents(app, tenant.id) == {}
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.reversal_of_id.is_not(None))) == 4


def test_rollback_refused_after_a_later_supplier_payment(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, _ = _run(owner, _csv(nif_one, nif_two))
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    with app.app_context(), tenant_context(tenant.id):
        document_id = db.session.scalar(select(PurchaseDocument.id).where(PurchaseDocument.supplier_number == "F-11"))
    response = owner.post(f"/api/v1/purchases/invoices/{document_id}/payments", json={"amount": "5.00", "paid_on": "2025-03-01"})
    assert response.status_code in (200, 201), response.get_json()
    before = _documents(app, tenant.id)
    response = owner.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert response.status_code == 409
    assert response.get_json()["detail"] == "No se puede deshacer: la factura F-11 tiene pagos posteriores a la importación."
    assert _documents(app, tenant.id) == before
