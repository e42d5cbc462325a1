"""Ecuador, purchases side: recording a supplier invoice with withholdings issues the comprobante de retención (07),
signed, authorized by the fake SRI, printed as a RIDE; its endpoints are checked four ways; failures roll back."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from lxml import etree
from signxml import XMLVerifier
from sqlalchemy import select, update

from gestiq_app.db import utcnow
from gestiq_app.einvoicing.ec_sri.xml import schema_path, validate_xml
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.extensions import db
from gestiq_app.fiscal.sri_access_key import validate_access_key
from gestiq_app.purchases.models import PurchaseDocument, PurchaseWithholding
from gestiq_app.tenancy.context import platform_scope, tenant_context
from tests.api_helpers import login_as, login_with_token
from tests.einvoicing.flow import ec_tenant
from tests.einvoicing.test_sri_engine import SHA1_CONFIG
from tests.factories import make_tenant
from tests.permissions import check_access
from tests.purchases.helpers import add_supplier

P = "/api/v1/purchases"
LINES = [
    {"description": "Tóner", "quantity": "2", "unit_price": "45.50", "tax_category": "general",
     "renta_withholding_category": "bienes_muebles", "iva_withholding_category": "iva_30"},
    {"description": "Asesoría", "quantity": "1", "unit_price": "200", "tax_category": "general",
     "renta_withholding_category": "honorarios", "iva_withholding_category": "iva_100"},
]


def _world(app, test_certificate=None, **kwargs: Any):  # type: ignore[no-untyped-def]
    tenant, _customer = ec_tenant(app, test_certificate, **kwargs)
    with app.app_context():
        supplier = add_supplier(tenant, legal_name="DISTRIBUIDORA DEL NORTE S.A.")
        return tenant, supplier.id, supplier.tax_id


def _record(session, supplier_id) -> Any:  # type: ignore[no-untyped-def]
    draft = session.post(f"{P}/invoices", json={
        "supplier_id": str(supplier_id), "supplier_number": "001-002-000004567", "issue_date": "2026-03-10",
        "authorization_number": "1003202601179214673900110010020000045671234567811", "lines": LINES})
    assert draft.status_code == 201, draft.get_json()
    return draft.get_json()["id"], session.post(f"{P}/invoices/{draft.get_json()['id']}/record", json={"withholding_date": "2026-03-12"})


def _withholding_id(app, tenant, document_id) -> str:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return str(db.session.scalar(select(PurchaseWithholding.id).where(PurchaseWithholding.document_id == uuid.UUID(str(document_id)))))


def _rows(app, tenant) -> dict[str, list[tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    with app.app_context(), platform_scope(actor="test", reason="snapshot"):
        rows = {
            model.__tablename__: sorted(tuple(str(value) for value in row) for row in db.session.execute(
                select(*model.__table__.columns).where(model.tenant_id == tenant.id)))
            for model in (EinvoiceSubmission, PurchaseDocument, PurchaseWithholding)
        }
        db.session.rollback()
    return rows


def _pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "ride.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_recording_issues_a_signed_retention_the_sri_authorizes_and_its_ride(
        app, einvoicing_config, fake_sri, test_certificate, sri_schema_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tenant, supplier_id, supplier_ruc = _world(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    document_id, recorded = _record(owner, supplier_id)
    assert recorded.status_code == 200, recorded.get_json()
    # 91.00 + 200.00 at 15 %: renta 1.75 % of 91 (1.59) + 10 % of 200 (20.00); IVA 30 % of 13.65 (4.10) + 100 % of 30 (30.00)
    assert (recorded.get_json()["total"], recorded.get_json()["withholding_total"]) == ("334.65", "55.69")
    withholding_id = _withholding_id(app, tenant, document_id)
    base = f"{P}/withholdings/{withholding_id}"

    status = owner.get(f"{base}/einvoice").get_json()
    key = status["access_key"]
    parts = validate_access_key(key)
    assert (parts.doc_type, parts.environment, parts.document_number, parts.ruc) == ("07", 1, "001-001-000000001", tenant.tax_id)
    assert (status["document_id"], status["channel"], status["state"], status["authority_state"], status["attempts"]) == (
        withholding_id, "sri", "authorized", "AUTORIZADO", 1)
    assert (status["authorization_number"], status["submissions"][0]["document_kind"]) == (key, "retencion")
    assert (fake_sri.count("validarComprobante", key), fake_sri.count("autorizacionComprobante", key)) == (1, 1)

    xml = owner.get(f"{base}/einvoice/xml")
    assert (xml.status_code, xml.mimetype) == (200, "application/xml")
    validate_xml(xml.data, schema_path(sri_schema_dir, "07"))  # ComprobanteRetencion 2.0.0, signature included
    assert len(XMLVerifier().verify(xml.data, x509_cert=test_certificate[1], expect_config=SHA1_CONFIG)) == 3
    root = etree.fromstring(xml.data)
    assert (root.tag, root.get("version"), root.findtext("infoTributaria/claveAcceso"), root.findtext("infoTributaria/codDoc"),
            root.findtext("infoCompRetencion/periodoFiscal"), root.findtext("infoCompRetencion/identificacionSujetoRetenido"),
            root.findtext("infoCompRetencion/razonSocialSujetoRetenido")) == (
        "comprobanteRetencion", "2.0.0", key, "07", "03/2026", supplier_ruc, "DISTRIBUIDORA DEL NORTE S.A.")
    support = root.find("docsSustento/docSustento")
    assert (support.findtext("numDocSustento"), support.findtext("importeTotal")) == ("001002000004567", "334.65")
    assert [(r.findtext("codigo"), r.findtext("codigoRetencion"), r.findtext("baseImponible"), r.findtext("valorRetenido"))
            for r in support.findall("retenciones/retencion")] == [
        ("1", "303", "200.00", "20.00"), ("1", "312", "91.00", "1.59"), ("2", "1", "13.65", "4.10"), ("2", "3", "30.00", "30.00")]
    assert xml.data == fake_sri.received[key]  # the XML as signed and sent

    ride = owner.get(f"{base}/ride")
    assert (ride.status_code, ride.mimetype) == (200, "application/pdf")
    text = _pdftotext(ride.data, tmp_path)
    assert "ESTADO: AUTORIZADO" in text and "AMBIENTE: PRUEBAS" in text
    assert text.count(key) == 2  # número de autorización and clave de acceso
    assert "COMPROBANTE DE RETENCIÓN" in text and f"Identificación (RUC): {supplier_ruc}" in text
    assert "TOTAL RETENIDO                 55.69" in text

    again = owner.post(f"{base}/einvoice/retry")
    assert (again.status_code, again.mimetype) == (409, "application/problem+json")
    assert fake_sri.count("validarComprobante") == 1


def test_retention_endpoints_four_ways_and_cross_tenant_404(app, einvoicing_config, fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant, supplier_id, _ruc = _world(app, test_certificate)
    with app.app_context():
        stranger = make_tenant(country="EC")
    document_id, recorded = _record(login_as(app, tenant, "owner"), supplier_id)
    assert recorded.status_code == 200
    base = f"{P}/withholdings/{_withholding_id(app, tenant, document_id)}"
    snapshot = lambda: _rows(app, tenant)  # noqa: E731
    state = check_access(app, method="GET", url=f"{base}/einvoice", owner_tenant=tenant, other_tenant=stranger,
                         allowed_role="accountant", denied_role="sales", expected_status=200, snapshot=snapshot)
    assert state.get_json()["state"] == "authorized"
    xml = check_access(app, method="GET", url=f"{base}/einvoice/xml", owner_tenant=tenant, other_tenant=stranger,
                       allowed_role="viewer", denied_role="sales", expected_status=200, snapshot=snapshot)
    assert state.get_json()["access_key"].encode() in xml.data
    ride = check_access(app, method="GET", url=f"{base}/ride", owner_tenant=tenant, other_tenant=stranger,
                        allowed_role="accountant", expected_status=200, snapshot=snapshot,
                        denied_session=lambda: login_with_token(app, tenant, ["einvoicing:read"]))
    assert ride.data.startswith(b"%PDF")
    with app.app_context(), tenant_context(tenant.id):  # make it wait, so that a retry has something to do
        later = utcnow() + timedelta(hours=1)
        db.session.execute(update(EinvoiceSubmission).values(state="retry_wait", attempts=1, next_attempt_at=later,
                                                             authority_state=None))
        db.session.commit()
    retried = check_access(app, method="POST", url=f"{base}/einvoice/retry", owner_tenant=tenant, other_tenant=stranger,
                           allowed_role="owner", denied_role="admin", expected_status=200, snapshot=snapshot)
    assert (retried.get_json()["state"], retried.get_json()["attempts"]) == ("retry_wait", 1)  # made due now, as of the commit
    after = login_as(app, tenant, "owner").get(f"{base}/einvoice").get_json()
    assert (after["state"], after["attempts"], after["authority_state"]) == ("authorized", 2, "AUTORIZADO")  # run after commit


def test_without_a_certificate_the_retention_is_not_sent(app, einvoicing_config, fake_sri) -> None:  # type: ignore[no-untyped-def]
    tenant, supplier_id, _ruc = _world(app)
    owner = login_as(app, tenant, "owner")
    document_id, recorded = _record(owner, supplier_id)
    assert recorded.status_code == 200
    base = f"{P}/withholdings/{_withholding_id(app, tenant, document_id)}"
    status = owner.get(f"{base}/einvoice").get_json()
    assert (status["channel"], status["state"], status["submissions"]) == (None, "not_applicable", [])
    assert [owner.get(f"{base}/einvoice/xml").status_code, owner.get(f"{base}/ride").status_code,
            owner.post(f"{base}/einvoice/retry").status_code] == [404, 404, 409]
    assert fake_sri.calls == []


def test_a_retention_mapping_failure_is_a_422_and_the_purchase_stays_a_draft(
        app, einvoicing_config, fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant, supplier_id, _ruc = _world(app, test_certificate, settings={"is_accounting_required": True})  # no head office
    owner = login_as(app, tenant, "owner")
    draft = owner.post(f"{P}/invoices", json={"supplier_id": str(supplier_id), "supplier_number": "001-002-000000001",
                                              "issue_date": "2026-03-10", "lines": LINES}).get_json()
    before = _rows(app, tenant)
    response = owner.post(f"{P}/invoices/{draft['id']}/record", json={"withholding_date": "2026-03-12"})
    assert (response.status_code, response.mimetype) == (422, "application/problem+json")
    assert response.get_json()["errors"] == {"einvoicing": [
        "Configure la dirección de la matriz de la empresa (Facturación electrónica > Ajustes)"]}
    assert _rows(app, tenant) == before  # still a draft, no retention number taken, no submission
    assert owner.get(f"{P}/invoices/{draft['id']}").get_json()["status"] == "draft"
    assert fake_sri.calls == []


def test_a_rejected_retention_is_resent_only_after_a_change(app, einvoicing_config, fake_sri, test_certificate, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tenant, supplier_id, _ruc = _world(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "0")  # record first, to learn the clave
    document_id, _recorded = _record(owner, supplier_id)
    base = f"{P}/withholdings/{_withholding_id(app, tenant, document_id)}"
    key = owner.get(f"{base}/einvoice").get_json()["access_key"]
    fake_sri.script(key, reception=[("DEVUELTA", [("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML", "Dirección matriz")])])
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "1")
    first = owner.post(f"{base}/einvoice/retry")
    assert first.status_code == 409  # pending: nothing to re-arm
    with app.app_context(), tenant_context(tenant.id):
        from gestiq_app.einvoicing.submissions import process_submission

        submission_id = db.session.scalar(select(EinvoiceSubmission.id))
        assert process_submission(submission_id=submission_id) == "rejected"
    assert owner.post(f"{base}/einvoice/retry").status_code == 409  # rejected and unchanged: no retry storm
    assert owner.patch("/api/v1/einvoicing/settings", json={"head_office_address": "Av. 6 de Diciembre N24-253, Quito"}).status_code == 200
    fake_sri.script(key, reception=["RECIBIDA"])
    resent = owner.post(f"{base}/einvoice/retry")
    assert resent.status_code == 200, resent.get_json()
    assert resent.get_json()["state"] == "pending"  # re-armed (as of the commit), then sent after the commit
    after = owner.get(f"{base}/einvoice").get_json()
    assert (after["state"], after["authority_state"], after["attempts"]) == ("authorized", "AUTORIZADO", 1)
    assert fake_sri.count("validarComprobante", key) == 2
    assert b"Av. 6 de Diciembre N24-253" in owner.get(f"{base}/einvoice/xml").data
