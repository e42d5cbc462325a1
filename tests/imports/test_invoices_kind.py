"""`invoices` batches: a legacy ERP's sales invoices, one row per line, grouped by number into issued invoices.

A realistic Spanish CSV (semicolons, Windows-1252, decimal commas, dd/mm/yyyy) with four invoices: one fine, one
with an unknown SKU, one with a bad date and one for an unknown customer; fixed through PATCH, promoted into issued
invoices that keep their number (posted to the journal, never sent to VERI*FACTU), promoted again (nothing twice),
rolled back (refused once an invoice is paid afterwards).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gestiq_app.accounting.models import JournalEntry, JournalLine
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.extensions import db
from gestiq_app.imports import pipeline
from gestiq_app.imports.models import ImportLineage
from gestiq_app.payments.models import Payment
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.factories import make_tenant, random_nif
from tests.imports.helpers import new_batch, upload

HEADER = "Nº factura;Fecha;Vencimiento;NIF cliente;Código;Descripción;Cantidad;Precio;Dto %;IVA %;Cobrado"


def _csv(nif_one: str, nif_two: str) -> bytes:
    rows = [
        HEADER,
        f"A-2025/001;15/03/2025;14/04/2025;{nif_one};P-1;;2;10,00;0;21;",         # row 2
        f"A-2025/001;15/03/2025;14/04/2025;{nif_one};;Instalación eléctrica;1;50,00;10;21;",  # row 3
        f"A-2025/001;15/03/2025;14/04/2025;{nif_one};;Libro técnico;3;4,00;0;4;",  # row 4
        f"A-2025/002;20/03/2025;;{nif_two};P-2;;3;4,50;0;10;20,00",               # row 5
        f"A-2025/002;20/03/2025;;{nif_two};NOEXISTE;Transporte;1;5,00;0;10;20,00",  # row 6: unknown SKU
        f"A-2025/003;31/03/2025;;{nif_one};;Consultoría;2;100,00;0;21;",           # row 7
        f"A-2025/003;31/02/2025;;{nif_one};;Mantenimiento;1;30,00;0;21;",          # row 8: bad date
        "A-2025/004;01/04/2025;;B00000000;;Portes;1;10,00;0;21;",                 # row 9: unknown customer
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


@pytest.fixture()
def shop(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant with two customers and two products, and the owner's session."""
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    nifs = []
    for name in ("Ferretería Uno SL", "Talleres Dos SL"):
        nif = random_nif()
        response = owner.post("/api/v1/customers", json={"legal_name": name, "tax_id": nif, "country": "ES"})
        assert response.status_code == 201, response.get_json()
        nifs.append(response.get_json()["tax_id"])
    for sku, name, price, category in (("P-1", "Tornillo", "10.00", "general"), ("P-2", "Tuerca", "4.50", "reducido")):
        response = owner.post("/api/v1/products", json={"sku": sku, "name": name, "unit_price": price, "tax_category": category})
        assert response.status_code == 201, response.get_json()
    return tenant, owner, nifs


def _validated(owner, content: bytes, **options) -> tuple[str, dict[int, dict]]:  # type: ignore[no-untyped-def]
    batch_id = new_batch(owner, kind="invoices", **options)
    response = upload(owner, batch_id, content, "facturas.csv")
    assert response.status_code == 200, response.get_json()
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    return batch_id, _items(owner, batch_id)


def _items(owner, batch_id: str) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    items = owner.get(f"/api/v1/imports/batches/{batch_id}/items?sort=row_number&page_size=100").get_json()["items"]
    return {item["row_number"]: item for item in items}


def _codes(item: dict) -> dict[str, list[str]]:
    return {name: [entry["code"] for entry in entries] for name, entries in item["errors"].items()}


def _invoices(app, tenant_id: uuid.UUID) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant_id):
        documents = db.session.scalars(select(SalesDocument).where(SalesDocument.kind == "invoice")).all()
        return {d.full_number: (d.state, d.origin, d.issue_date.isoformat(), d.due_date.isoformat(), d.subtotal, d.tax_total,
                                d.total, d.amount_paid, d.amount_due, len(d.lines), d.id) for d in documents}


def _fix_all(owner, batch_id: str, nif_two: str) -> None:  # type: ignore[no-untyped-def]
    base = f"/api/v1/imports/batches/{batch_id}/items"
    items = _items(owner, batch_id)
    for row, data in ((6, {"sku": "P-2"}), (8, {"issue_date": "31/03/2025"}), (9, {"customer_tax_id": nif_two})):
        response = owner.patch(f"{base}/{items[row]['id']}", json={"data": data})
        assert response.status_code == 200, response.get_json()


def test_csv_validates_per_row_and_per_invoice_with_exact_counts_and_messages(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, items = _validated(owner, _csv(nif_one, nif_two))
    batch = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()
    assert batch["state"] == "validated"
    assert batch["options"]["encoding"] == "cp1252" and batch["options"]["delimiter"] == ";"
    assert batch["mapping"] == {"Nº factura": "number", "Fecha": "issue_date", "Vencimiento": "due_date", "NIF cliente": "customer_tax_id",
                                "Código": "sku", "Descripción": "description", "Cantidad": "quantity", "Precio": "unit_price",
                                "Dto %": "discount_percent", "IVA %": "tax_rate", "Cobrado": "amount_paid"}
    counts = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["counts"]
    assert (counts["valid"], counts["invalid"], counts["skipped"], counts["promoted"]) == (3, 5, 0, 0)
    assert [row for row, item in items.items() if item["status"] == "valid"] == [2, 3, 4]
    assert items[6]["errors"] == {"sku": [{"code": "unknown_product", "message": "No hay ningún producto con el código «NOEXISTE»."}]}
    assert items[5]["errors"] == {"_row": [{"code": "invoice_incomplete", "message":
                                           "La factura A-2025/002 tiene errores en la fila 6: corríjala para importar la factura entera."}]}
    assert items[8]["errors"] == {"issue_date": [{"code": "invalid_date", "message": "«31/02/2025» no es una fecha (dd/mm/aaaa)."}]}
    assert _codes(items[7]) == {"_row": ["invoice_incomplete"]}
    assert items[9]["errors"] == {"customer_tax_id": [{"code": "unknown_customer",
                                                       "message": "No hay ningún cliente con el identificador B00000000: créelo antes."}]}
    # The valid invoice is priced at validation with the domain's rules (the total promotion will give).
    assert items[2]["data"]["invoice_total"] == "91.13"
    assert items[2]["data"]["issue_date"] == "2025-03-15" and items[2]["data"]["unit_price"] == "10.00"
    assert items[2]["natural_key"] == "A-2025/001"
    report = owner.get(f"/api/v1/imports/batches/{batch_id}/errors.csv").get_data().decode("utf-8-sig").splitlines()
    assert [line.split(";")[0] for line in report] == ["fila", "5", "6", "7", "8", "9"]
    assert report[2].endswith("sku: No hay ningún producto con el código «NOEXISTE».")


def test_fix_promote_once_and_rollback(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, _ = _validated(owner, _csv(nif_one, nif_two))
    _fix_all(owner, batch_id, nif_two)
    items = _items(owner, batch_id)
    assert {row: item["status"] for row, item in items.items()} == {row: "valid" for row in range(2, 10)}
    assert items[8]["data"]["issue_date"] == "2025-03-31" and items[9]["data"]["invoice_total"] == "12.10"

    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    batch = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()
    assert batch["state"] == "promoted" and batch["counts"]["promoted"] == 8 and batch["promoted_items"] == 8
    invoices = _invoices(app, tenant.id)
    expected = {
        "A-2025/001": ("issued", "import", "2025-03-15", "2025-04-14", Decimal("77.00"), Decimal("14.13"), Decimal("91.13"),
                       Decimal("0.00"), Decimal("91.13"), 3),
        "A-2025/002": ("partially_paid", "import", "2025-03-20", "2025-03-20", Decimal("18.50"), Decimal("1.85"), Decimal("20.35"),
                       Decimal("20.00"), Decimal("0.35"), 2),
        "A-2025/003": ("issued", "import", "2025-03-31", "2025-03-31", Decimal("230.00"), Decimal("48.30"), Decimal("278.30"),
                       Decimal("0.00"), Decimal("278.30"), 2),
        "A-2025/004": ("issued", "import", "2025-04-01", "2025-04-01", Decimal("10.00"), Decimal("2.10"), Decimal("12.10"),
                       Decimal("0.00"), Decimal("12.10"), 1),
    }
    assert {number: values[:10] for number, values in invoices.items()} == expected
    ids = {number: values[10] for number, values in invoices.items()}
    lineage = sorted((str(entity), str(item)) for entity, _, item in _lineage(app, tenant.id, batch_id))
    assert len(lineage) == 8 and len({item for _, item in lineage}) == 8
    assert {entity for entity, _ in lineage} == {str(value) for value in ids.values()}

    with app.app_context(), tenant_context(tenant.id):
        # Posted to the journal like any invoice (and the payment), never sent to VERI*FACTU / SRI.
        sources = db.session.execute(select(JournalEntry.source_type, func.count()).group_by(JournalEntry.source_type)).all()
        assert dict(sources) == {"sales_document": 4, "payment": 1}
        assert db.session.scalar(select(func.count()).select_from(VerifactuRecord)) == 0
        assert db.session.scalar(select(func.count()).select_from(EinvoiceSubmission)) == 0
        payment = db.session.scalar(select(Payment))
        assert (payment.amount, payment.reference, payment.document_id) == (Decimal("20.00"), f"import:{batch_id}", ids["A-2025/002"])
    aged = owner.get("/api/v1/reports/aged-receivables?as_of=2025-06-30").get_json()
    assert Decimal(aged["total"]) == Decimal("381.88")  # 91.13 + 0.35 + 278.30 + 12.10

    # A repeated or late promotion creates nothing twice.
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code in (200, 202)
    with app.app_context():
        assert pipeline.run_promotion(tenant_id=tenant.id, batch_id=uuid.UUID(batch_id)) == "promoted"
    assert len(_invoices(app, tenant.id)) == 4 and len(_lineage(app, tenant.id, batch_id)) == 8

    # Rollback: the invoices, their lines and the import's payment are gone; the journal is reversed, not deleted.
    response = owner.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "rolled_back"
    assert _invoices(app, tenant.id) == {}
    assert _lineage(app, tenant.id, batch_id) == []
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
        assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.reversal_of_id.is_not(None))) == 5
        balance = db.session.scalar(select(func.sum(JournalLine.debit) - func.sum(JournalLine.credit)))
        assert Decimal(balance) == 0
        receivable = db.session.execute(select(JournalLine.account_id, func.sum(JournalLine.debit - JournalLine.credit))
                                        .group_by(JournalLine.account_id)).all()
        assert all(Decimal(amount) == 0 for _, amount in receivable)
    assert {item["status"] for item in _items(owner, batch_id).values()} == {"valid"}


def test_rollback_is_refused_once_an_invoice_is_paid_afterwards(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, _ = _validated(owner, _csv(nif_one, nif_two))
    _fix_all(owner, batch_id, nif_two)
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    invoice_id = _invoices(app, tenant.id)["A-2025/003"][10]
    response = owner.post(f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "100.00", "method": "bank_transfer",
                                                                          "paid_on": "2025-04-10"})
    assert response.status_code == 201, response.get_json()
    before = _invoices(app, tenant.id)
    response = owner.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert response.status_code == 409
    assert response.get_json()["detail"] == ("No se puede deshacer: la factura A-2025/003 tiene cobros o devoluciones "
                                             "posteriores a la importación.")
    assert _invoices(app, tenant.id) == before
    assert len(_lineage(app, tenant.id, batch_id)) == 8
    assert owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"] == "promoted"


def test_existing_number_is_an_error_or_skipped_and_update_is_refused(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    first, _ = _validated(owner, _csv(nif_one, nif_two))
    assert owner.post(f"/api/v1/imports/batches/{first}/promote").status_code == 202  # A-2025/001 only
    _, items = _validated(owner, _csv(nif_one, nif_two))
    assert [item["status"] for row, item in items.items() if row <= 4] == ["invalid"] * 3
    assert items[2]["errors"] == {"number": [{"code": "already_exists", "message": "Ya existe una factura con el número A-2025/001."}]}
    _, items = _validated(owner, _csv(nif_one, nif_two), duplicate_policy="skip")
    assert [item["status"] for row, item in items.items() if row <= 4] == ["skipped"] * 3
    response = owner.post("/api/v1/imports/batches", json={"kind": "invoices", "options": {"duplicate_policy": "update"}})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"duplicate_policy": ["«update» no se admite para facturas: use skip o error."]}


def test_header_fields_that_disagree_within_an_invoice_are_row_errors(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    content = "\r\n".join([HEADER, f"B-1;01/02/2025;;{nif_one};P-1;;1;10,00;0;21;",
                           f"B-1;02/02/2025;;{nif_two};P-1;;1;10,00;0;21;"]).encode("cp1252")
    _, items = _validated(owner, content)
    assert _codes(items[3]) == {"issue_date": ["inconsistent_invoice"], "customer_tax_id": ["inconsistent_invoice"]}
    assert items[3]["errors"]["issue_date"][0]["message"] == (
        "La fecha (2025-02-02) no coincide con la de la fila 2 de la misma factura (2025-02-01).")
    assert _codes(items[2]) == {"_row": ["invoice_incomplete"]}


def test_another_tenant_gets_404_on_an_invoices_batch(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, items = _validated(owner, _csv(nif_one, nif_two))
    with app.app_context():
        other = make_tenant(country="ES")
    stranger = login_as(app, other, "owner")
    base = f"/api/v1/imports/batches/{batch_id}"
    for method, url, body in (("GET", base, None), ("GET", f"{base}/items", None), ("POST", f"{base}/promote", None),
                              ("PATCH", f"{base}/items/{items[6]['id']}", {"data": {"sku": "P-2"}}), ("POST", f"{base}/rollback", None)):
        assert stranger.send(method, url, json=body).status_code == 404, (method, url)
    assert _invoices(app, tenant.id) == {} and _invoices(app, other.id) == {}


def _lineage(app, tenant_id: uuid.UUID, batch_id: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant_id):
        return [tuple(row) for row in db.session.execute(select(ImportLineage.entity_id, ImportLineage.action, ImportLineage.item_id)
                                                         .where(ImportLineage.batch_id == uuid.UUID(batch_id)))]


def _claimed(app, tenant, owner, nif_two: str, batch_id: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    from gestiq_app.db import unit_of_work
    from gestiq_app.imports import services

    _fix_all(owner, batch_id, nif_two)
    with app.app_context(), tenant_context(tenant.id), unit_of_work():
        assert services.move_state(uuid.UUID(batch_id), ("validated",), "promoting")
    return uuid.UUID(batch_id)


def _progress(app, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> tuple:  # type: ignore[no-untyped-def]
    from gestiq_app.imports.models import ImportBatch

    with app.app_context(), tenant_context(tenant_id):
        batch = db.session.get(ImportBatch, batch_id)
        lineage = db.session.scalar(select(func.count()).select_from(ImportLineage).where(ImportLineage.batch_id == batch_id))
        invoices = db.session.scalar(select(func.count()).select_from(SalesDocument))
        return invoices, lineage, batch.state, batch.promoted_items  # type: ignore[union-attr]


def test_a_crashed_promotion_keeps_whole_invoices_and_resumes(app, shop, monkeypatch):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, _ = _validated(owner, _csv(nif_one, nif_two))
    claimed = _claimed(app, tenant, owner, nif_two, batch_id)
    app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "1"  # one invoice per chunk: its 3 rows are never split

    def crash(batch_id: uuid.UUID) -> None:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(pipeline, "_after_chunk_hook", crash)
    with app.app_context(), pytest.raises(RuntimeError):
        pipeline.run_promotion(tenant_id=tenant.id, batch_id=claimed)
    assert _progress(app, tenant.id, claimed) == (1, 3, "promoting", 3)
    monkeypatch.undo()
    with app.app_context():
        assert pipeline.run_promotion(tenant_id=tenant.id, batch_id=claimed) == "promoted"
    assert _progress(app, tenant.id, claimed) == (4, 8, "promoted", 8)
    assert sorted(_invoices(app, tenant.id)) == ["A-2025/001", "A-2025/002", "A-2025/003", "A-2025/004"]


@pytest.mark.postgres
def test_concurrent_promotions_create_each_invoice_once(app, shop):  # type: ignore[no-untyped-def]
    import threading

    tenant, owner, (nif_one, nif_two) = shop
    batch_id, _ = _validated(owner, _csv(nif_one, nif_two))
    claimed = _claimed(app, tenant, owner, nif_two, batch_id)
    app.config["GESTIQ_IMPORTS_CHUNK_SIZE"] = "2"
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                results.append(pipeline.run_promotion(tenant_id=tenant.id, batch_id=claimed))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and sorted(results) == ["promoted"] * 3
    assert _progress(app, tenant.id, claimed) == (4, 8, "promoted", 8)


def test_voiding_an_imported_invoice_sends_nothing_and_blocks_the_rollback(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    batch_id, _ = _validated(owner, _csv(nif_one, nif_two))
    _fix_all(owner, batch_id, nif_two)
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    invoice_id = _invoices(app, tenant.id)["A-2025/004"][10]
    response = owner.post(f"/api/v1/invoices/{invoice_id}/void", json={"reason": "Duplicada en el sistema anterior"})
    assert response.status_code == 200, response.get_json()
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(VerifactuRecord)) == 0  # neither alta nor anulación
    response = owner.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert response.status_code == 409
    assert response.get_json()["detail"] == "No se puede deshacer: la factura A-2025/004 está anulada o rectificada."
    assert len(_invoices(app, tenant.id)) == 4


def test_an_invoice_issued_here_in_spain_does_get_its_verifactu_record(app, shop):  # type: ignore[no-untyped-def]
    """The control of the tests above: the same tenant's own invoices are registered (so 0 records there means skipped)."""
    tenant, owner, (nif_one, _) = shop
    with app.app_context(), tenant_context(tenant.id):
        from gestiq_app.crm.models import Customer

        customer_id = db.session.scalar(select(Customer.id).where(Customer.tax_id == nif_one))
    draft = owner.post("/api/v1/invoices", json={"customer_id": str(customer_id), "lines": [
        {"description": "Servicio", "quantity": "1", "unit_price": "10.00", "tax_category": "general"}]})
    assert draft.status_code == 201, draft.get_json()
    assert owner.post(f"/api/v1/invoices/{draft.get_json()['id']}/issue", json={}).status_code == 200
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(VerifactuRecord)) == 1
        assert db.session.scalar(select(SalesDocument.origin)) == "app"


def test_a_number_taken_between_validation_and_promotion_leaves_that_invoice_invalid(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, nif_two) = shop
    first, _ = _validated(owner, _csv(nif_one, nif_two))
    second, _ = _validated(owner, _csv(nif_one, nif_two))  # both see A-2025/001 free
    assert owner.post(f"/api/v1/imports/batches/{first}/promote").status_code == 202
    assert owner.post(f"/api/v1/imports/batches/{second}/promote").status_code == 202
    batch = owner.get(f"/api/v1/imports/batches/{second}").get_json()
    assert batch["state"] == "promoted" and batch["counts"]["promoted"] == 0 and batch["counts"]["invalid"] == 8
    items = _items(owner, second)
    assert items[2]["errors"] == {"number": [{"code": "refused", "message": "Ya existe una factura con el número A-2025/001."}]}
    assert items[3]["errors"] == {"_row": [{"code": "refused", "message": "La factura no se pudo crear: vea las otras filas."}]}
    assert len(_invoices(app, tenant.id)) == 1


def test_json_rows_paid_more_than_the_total_and_a_missing_price(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, (nif_one, _) = shop
    batch_id = new_batch(owner, kind="invoices")
    rows = [{"number": "J-1", "issue_date": "2025-05-02", "customer_tax_id": nif_one, "sku": "P-1", "quantity": "1",
             "amount_paid": "50.00"},  # P-1 at its catalog price 10.00 + 21 % = 12.10
            {"number": "J-2", "issue_date": "02-05-2025", "customer_tax_id": nif_one, "description": "Sin precio", "quantity": "1"}]
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": rows}).status_code == 200
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    items = _items(owner, batch_id)
    assert items[1]["errors"] == {"amount_paid": [{"code": "exceeds_total",
                                                   "message": "El importe pagado (50.00) supera el total de la factura (12.10)."}]}
    assert items[2]["data"]["issue_date"] == "2025-05-02"
    assert _codes(items[2]) == {"unit_price": ["invalid"]}
    response = owner.patch(f"/api/v1/imports/batches/{batch_id}/items/{items[1]['id']}", json={"data": {"amount_paid": "12,10"}})
    assert response.status_code == 200 and response.get_json()["status"] == "valid", response.get_json()
