"""Documents batches: text PDFs read directly, scans and images through Tesseract, classified and extracted with
confidences; unsure documents go to review; reviewed ones become draft supplier invoices with their original attached."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from sqlalchemy import select

from gestiq_app.extensions import db
from gestiq_app.imports import classify, ocr
from gestiq_app.imports.models import ImportBatch, ImportItem, ImportLineage
from gestiq_app.purchases.models import PurchaseAttachment, PurchaseDocument
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.imports.documents_samples import (
    INVOICE_FIELDS,
    SUPPLIER_TAX_ID,
    image_pdf,
    invoice_lines,
    noise_png,
    receipt_lines,
    render_png,
    text_pdf,
)
from tests.imports.helpers import new_batch, upload
from tests.permissions import check_access

FIELD_NAMES = ("document_type", "supplier_tax_id", "number", "issue_date", "base", "tax", "total")


@pytest.fixture()
def shop(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant with the supplier ACME (its NIF is on the sample invoice) and the owner's session."""
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    response = owner.post("/api/v1/suppliers", json={"legal_name": "Acme Suministros SL", "tax_id": SUPPLIER_TAX_ID, "country": "ES"})
    assert response.status_code == 201, response.get_json()
    return tenant, owner, response.get_json()["id"]


def _validated(owner, files: list[tuple[bytes, str]]) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    batch_id = new_batch(owner, kind="documents")
    response = owner.post(f"/api/v1/imports/batches/{batch_id}/upload", json=None, content_type="multipart/form-data",
                          data={"file": [(io.BytesIO(content), name) for content, name in files]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total_items"] == len(files)
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    batch = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()
    assert batch["state"] == "validated", batch
    items = owner.get(f"/api/v1/imports/batches/{batch_id}/items?sort=row_number").get_json()["items"]
    return batch_id, items


def _fields(item: dict) -> dict:
    return {name: item["data"][name] for name in FIELD_NAMES}


def test_text_pdf_invoice_is_read_directly_classified_and_extracted_exactly(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, supplier_id = shop
    _, [item] = _validated(owner, [(text_pdf(invoice_lines(tenant.tax_id)), "factura.pdf")])
    assert item["status"] == "valid", item["errors"]
    assert item["errors"] == {}
    assert item["data"]["method"] == "pdf_text"
    assert _fields(item) == INVOICE_FIELDS  # the customer's own NIF (the tenant's) is not taken for the supplier's
    assert item["data"]["supplier_id"] == supplier_id
    assert (item["data"]["tax_category"], item["data"]["tax_rate"]) == ("general", "21")
    assert item["data"]["confidence"] == {"document_type": 0.98, "supplier_tax_id": 0.97, "number": 0.92, "issue_date": 0.93,
                                          "base": 0.96, "tax": 0.96, "total": 0.96}


def test_the_same_invoice_scanned_goes_through_ocr_and_gives_the_same_fields(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, _ = shop
    png = render_png(text_pdf(invoice_lines(tenant.tax_id)))
    _, items = _validated(owner, [(png, "escaneada.png"), (image_pdf(png), "escaneada.pdf")])
    for item in items:
        assert item["data"]["method"] == "ocr"
        assert "ACME" in item["data"]["text"].upper()  # OCR tolerance on the text, not on the values
        assert _fields(item) == INVOICE_FIELDS
        assert item["status"] == "valid", item["errors"]
        assert min(item["data"]["confidence"].values()) >= 0.9


def test_a_ticket_is_classified_as_receipt_and_waits_for_review(app, shop):  # type: ignore[no-untyped-def]
    _, owner, _ = shop
    _, [item] = _validated(owner, [(text_pdf(receipt_lines()), "ticket.pdf")])
    assert _fields(item) == {"document_type": "receipt", "supplier_tax_id": SUPPLIER_TAX_ID, "number": "T-000123",
                             "issue_date": "2026-04-02", "base": None, "tax": None, "total": "5.50"}
    assert item["status"] == "needs_review"
    assert sorted(item["errors"]) == ["base", "tax", "total"]
    assert item["errors"]["base"][0]["code"] == "required"
    assert item["errors"]["total"][0]["code"] == "low_confidence"


def test_a_garbage_image_is_other_with_low_confidence_needs_review_and_is_never_promoted(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, _ = shop
    batch_id, [item] = _validated(owner, [(noise_png(), "ruido.png")])
    assert item["data"]["document_type"] == "other"
    assert item["data"]["confidence"]["document_type"] <= 0.2
    assert item["status"] == "needs_review"
    assert item["errors"]["document_type"][0]["code"] == "not_promotable"
    counts = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["counts"]
    assert (counts["needs_review"], counts["valid"]) == (1, 0)
    report = owner.get(f"/api/v1/imports/batches/{batch_id}/errors.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert report[0] == "fila;filename;errores"
    assert report[1].startswith("1;ruido.png;")
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    assert owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"] == "promoted"
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalars(select(PurchaseDocument.id)).all() == []
        assert db.session.scalar(select(ImportItem.status).where(ImportItem.id == uuid.UUID(item["id"]))) == "needs_review"


def test_without_tesseract_the_item_says_so_and_nothing_crashes(app, shop, monkeypatch):  # type: ignore[no-untyped-def]
    tenant, owner, _ = shop
    real = ocr.find_program
    monkeypatch.setattr(ocr, "find_program", lambda name: None if name == "tesseract" else real(name))
    png = render_png(text_pdf(invoice_lines(tenant.tax_id)))
    _, items = _validated(owner, [(png, "escaneada.png"), (image_pdf(png), "escaneada.pdf"),
                                  (text_pdf(invoice_lines(tenant.tax_id)), "texto.pdf")])
    for item in items[:2]:
        assert item["status"] == "invalid"
        assert item["errors"] == {"file": [{"code": "ocr_unavailable", "message":
                                            "El reconocimiento de texto (OCR) no está disponible: falta Tesseract en el servidor "
                                            "(paquetes tesseract-ocr y tesseract-ocr-spa)."}]}
    assert items[2]["status"] == "valid"  # a PDF with a text layer needs no OCR


def test_low_confidence_goes_to_review_a_fix_revalidates_and_promotion_creates_a_draft_with_the_original(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, supplier_id = shop
    app.config["GESTIQ_IMPORTS_OCR_MIN_CONFIDENCE"] = 0.95
    try:
        content = text_pdf(invoice_lines(tenant.tax_id))
        batch_id, [item] = _validated(owner, [(content, "factura.pdf")])
        assert item["status"] == "needs_review"
        assert {name: [e["code"] for e in errors] for name, errors in item["errors"].items()} == {
            "number": ["low_confidence"], "issue_date": ["low_confidence"]}
        url = f"/api/v1/imports/batches/{batch_id}/items/{item['id']}"
        wrong = owner.patch(url, json={"data": {"number": "F-2026/0042", "tax": "25,00"}}).get_json()
        assert wrong["status"] == "needs_review"
        assert [e["code"] for e in wrong["errors"]["total"]] == ["totals_mismatch"]
        fixed = owner.patch(url, json={"data": {"tax": "21,00", "issue_date": "15/03/2026"}}).get_json()
        assert fixed["status"] == "valid", fixed["errors"]
        assert (fixed["data"]["tax"], fixed["data"]["issue_date"], fixed["data"]["confidence"]["issue_date"]) == ("21.00", "2026-03-15", 1.0)
    finally:
        app.config["GESTIQ_IMPORTS_OCR_MIN_CONFIDENCE"] = 0.8
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202  # twice: nothing twice
    batch = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()
    assert (batch["state"], batch["promoted_items"]) == ("promoted", 1)
    with app.app_context(), tenant_context(tenant.id):
        [document] = db.session.scalars(select(PurchaseDocument)).all()
        assert (document.kind, document.state, str(document.supplier_id), document.supplier_number) == (
            "supplier_invoice", "draft", supplier_id, "F-2026/0042")
        assert document.issue_date.isoformat() == "2026-03-15"
        assert (str(document.total), len(document.lines), str(document.lines[0].unit_price), document.lines[0].tax_category) == (
            "121.00", 1, "100.0000", "general")
        [attachment] = db.session.scalars(select(PurchaseAttachment)).all()
        assert (attachment.document_id, attachment.filename, attachment.content_type, attachment.sha256) == (
            document.id, "factura.pdf", "application/pdf", hashlib.sha256(content).hexdigest())
        lineage = db.session.execute(select(ImportLineage.item_id, ImportLineage.entity_type, ImportLineage.entity_id)).all()
        assert [tuple(row) for row in lineage] == [(uuid.UUID(item["id"]), "supplier_invoice", document.id)]
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/rollback").status_code == 200
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalars(select(PurchaseDocument.id)).all() == []
        assert db.session.scalars(select(ImportLineage.id)).all() == []


def test_an_unknown_supplier_sends_the_invoice_to_review(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="ES")
    owner = login_as(app, tenant, "owner")
    _, [item] = _validated(owner, [(text_pdf(invoice_lines(tenant.tax_id)), "factura.pdf")])
    assert item["status"] == "needs_review"
    assert item["errors"] == {"supplier_tax_id": [{"code": "unknown_supplier",
                                                   "message": f"No hay ningún proveedor con el identificador {SUPPLIER_TAX_ID}: créelo antes."}]}


def test_documents_batches_refuse_other_files_and_json_rows(app, shop):  # type: ignore[no-untyped-def]
    _, owner, _ = shop
    batch_id = new_batch(owner, kind="documents")
    response = upload(owner, batch_id, b"sku;name\nA;B\n", "productos.csv")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["productos.csv: tipo de archivo no admitido."]}
    response = upload(owner, batch_id, b"%PDF-1.4 disguised", "foto.png")
    assert response.status_code == 422
    response = owner.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": [{"number": "1"}]})
    assert response.status_code == 422
    assert owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["state"] == "created"


def _snapshot(app):  # type: ignore[no-untyped-def]
    def snapshot() -> list[tuple]:
        with app.app_context(), platform_scope(actor="test", reason="snapshot"):
            batches = db.session.execute(select(ImportBatch.id, ImportBatch.state).order_by(ImportBatch.id)).all()
            items = db.session.execute(select(ImportItem.id, ImportItem.status, ImportItem.data).order_by(ImportItem.id)).all()
            documents = db.session.execute(select(PurchaseDocument.id).order_by(PurchaseDocument.id)).all()
            return [tuple(map(tuple, batches)), tuple(map(tuple, items)), tuple(map(tuple, documents))]

    return snapshot


def test_uploading_documents_needs_imports_write_and_another_tenant_gets_404(app, shop):  # type: ignore[no-untyped-def]
    tenant, owner, _ = shop
    with app.app_context():
        other = make_tenant(country="EC")
    batch_id = new_batch(owner, kind="documents")
    pdf = text_pdf(invoice_lines(tenant.tax_id))
    check_access(app, method="POST", url=f"/api/v1/imports/batches/{batch_id}/upload", owner_tenant=tenant, other_tenant=other,
                 allowed_role="accountant", denied_role="sales", expected_status=200, snapshot=_snapshot(app),
                 data=lambda: {"file": (io.BytesIO(pdf), "factura.pdf")})
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    [item] = owner.get(f"/api/v1/imports/batches/{batch_id}/items").get_json()["items"]
    check_access(app, method="PATCH", url=f"/api/v1/imports/batches/{batch_id}/items/{item['id']}", owner_tenant=tenant,
                 other_tenant=other, allowed_role="admin", denied_role="viewer", expected_status=200, snapshot=_snapshot(app),
                 json={"data": {"number": "F-9"}})
    stranger = login_as(app, other, "owner")
    for method, suffix in (("GET", "/items"), ("POST", "/promote"), ("POST", "/rollback")):
        assert stranger.send(method, f"/api/v1/imports/batches/{batch_id}{suffix}", json=None).status_code == 404
    with app.app_context(), tenant_context(other.id):
        assert db.session.scalars(select(PurchaseDocument.id)).all() == []


@pytest.mark.parametrize(("text", "expected"), [
    ("FACTURA RECTIFICATIVA Nº R-7\nNIF: B12345674\nRectifica la factura F-1\nBase imponible -10,00\nIVA 21% -2,10\nTOTAL -12,10",
     "credit_note"),
    ("NOTA DE CRÉDITO 001-001-000000045\nRUC: 1790011674001\nTOTAL 11,20", "credit_note"),
    ("Ticket 0045\nTPV 2\nTOTAL 4,20\nTarjeta 4,20\nGracias por su compra", "receipt"),
    ("FACTURA\nNº factura: A-1\nFecha: 01/02/2026\nBase imponible 10,00\nIVA 21 % 2,10\nTOTAL 12,10", "invoice"),
    ("Estimado cliente, le recordamos la reunión del jueves.", "other"),
])
def test_classifier_keywords(text, expected):  # type: ignore[no-untyped-def]
    assert classify.classify(text)[0] == expected


def test_extractor_reads_an_ecuadorian_invoice():  # type: ignore[no-untyped-def]
    text = ("DISTRIBUIDORA QUITO S.A.\nRUC: 1790011674001\nFACTURA No. 001-002-000000123\nFecha de emisión: 05/06/2026\n"
            "SUBTOTAL 15%   200.00\nIVA 15%   30.00\nVALOR TOTAL   230.00")
    result = classify.extract(text, country="EC")
    assert result.as_data() | {"confidence": None} == {"document_type": "invoice", "supplier_tax_id": "1790011674001",
                                                       "number": "001-002-000000123", "issue_date": "2026-06-05", "base": "200.00",
                                                       "tax": "30.00", "total": "230.00", "confidence": None}
    assert result.confidence["total"] == 0.96


def test_a_program_that_hangs_is_stopped_with_a_clear_error(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    import subprocess

    image = tmp_path / "scan.png"
    image.write_bytes(noise_png(40, 20))
    seen = {}

    def hanging(arguments, **kwargs):  # type: ignore[no-untyped-def]
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(arguments, kwargs["timeout"])

    monkeypatch.setattr(ocr.subprocess, "run", hanging)
    with pytest.raises(ocr.OcrError) as raised:
        ocr.extract_text(image, timeout=7)
    assert (raised.value.code, raised.value.message) == ("ocr_timeout", "Tesseract tardó más de 7 s y se ha detenido.")
    assert (seen["timeout"], seen["check"]) == (7, False)


def test_a_file_that_is_neither_pdf_nor_image_is_refused_by_the_reader(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "x.pdf"
    path.write_bytes(b"hola, no soy un PDF")
    with pytest.raises(ocr.OcrError) as raised:
        ocr.extract_text(path)
    assert raised.value.code == "unsupported_file"


@pytest.mark.parametrize(("line", "number"), [
    ("FACTURA Nº factura: A-1", "A-1"), ("Factura nº 2026/17", "2026/17"), ("Número de factura: FV-0003", "FV-0003"),
    ("N° Factura 77", "77"), ("Ticket nº: T-9", "T-9"), ("Factura de papelería", None),
])
def test_extractor_finds_the_number_after_its_label(line, number):  # type: ignore[no-untyped-def]
    assert classify.extract(line).values["number"] == number
