"""Ecuador end to end through the API: issue → signed factura 2.1.0 → fake SRI → AUTORIZADO → RIDE; failures bounded."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

from lxml import etree
from signxml import XMLVerifier

from gestiq_app.db import utcnow
from gestiq_app.einvoicing.ec_sri.xml import schema_path, validate_xml
from gestiq_app.fiscal.sri_access_key import validate_access_key
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.einvoicing.settings import update_einvoicing_settings
from gestiq_app.einvoicing.submissions import process_submission
from tests.api_helpers import login_as
from tests.einvoicing.flow import EC_LINES, ec_tenant, einvoicing_rows, issue_through_api
from tests.einvoicing.test_sri_engine import SHA1_CONFIG


def _pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "ride.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_an_invoice_issued_through_the_api_is_signed_authorized_and_printed(
        app, einvoicing_config, fake_sri, test_certificate, sri_schema_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    issued = issue_through_api(owner, customer_id, EC_LINES)
    assert issued.status_code == 200, issued.get_json()
    invoice = issued.get_json()
    # 2 × 850 − 5 % = 1615.00 at 15 % (242.25) + 94.50 at 0 % = 1951.75
    assert (invoice["full_number"], invoice["subtotal"], invoice["total"]) == ("001-001-000000001", "1709.50", "1951.75")

    status = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()
    key = status["access_key"]
    parts = validate_access_key(key)
    assert (parts.doc_type, parts.environment, parts.document_number, parts.ruc) == ("01", 1, "001-001-000000001", tenant.tax_id)
    assert (status["channel"], status["state"], status["authority_state"], status["attempts"], status["max_attempts"]) == (
        "sri", "authorized", "AUTORIZADO", 1, 3)
    assert (status["authorization_number"], status["next_attempt_at"]) == (key, None)
    assert (fake_sri.count("validarComprobante", key), fake_sri.count("autorizacionComprobante", key)) == (1, 1)
    detail = owner.get(f"/api/v1/invoices/{invoice['id']}").get_json()
    assert detail["einvoice"] == {"channel": "sri", "state": "authorized", "authority_state": "AUTORIZADO", "reference": key}

    xml = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice/xml")
    assert (xml.status_code, xml.mimetype) == (200, "application/xml")
    validate_xml(xml.data, schema_path(sri_schema_dir, "01"))  # factura_V2.1.0.xsd, signature included
    verified = XMLVerifier().verify(xml.data, x509_cert=test_certificate[1], expect_config=SHA1_CONFIG)
    assert len(verified) == 3
    root = etree.fromstring(xml.data)
    assert (root.get("version"), root.findtext("infoTributaria/claveAcceso"), root.findtext("infoFactura/importeTotal"),
            root.findtext("infoFactura/obligadoContabilidad"), root.findtext("infoFactura/identificacionComprador")) == (
        "2.1.0", key, "1951.75", "SI", detail["customer_tax_id"])
    assert [(t.findtext("codigoPorcentaje"), t.findtext("baseImponible"), t.findtext("valor"))
            for t in root.findall("infoFactura/totalConImpuestos/totalImpuesto")] == [("0", "94.50", "0.00"), ("4", "1615.00", "242.25")]
    assert xml.data == fake_sri.received[key]  # the XML as signed and sent

    ride = owner.get(f"/api/v1/invoices/{invoice['id']}/ride")
    assert (ride.status_code, ride.mimetype) == (200, "application/pdf")
    text = _pdftotext(ride.data, tmp_path)
    assert "ESTADO: AUTORIZADO" in text and "AMBIENTE: PRUEBAS" in text
    assert text.count(key) == 2  # número de autorización and clave de acceso (under its barcode)
    assert "2025-03-14T10:20:30.000-05:00" in text  # the fake SRI's fechaAutorizacion
    assert "Obligado a llevar contabilidad: SI" in text and "Dirección: Calle Los Pinos E7-89, Cumbayá" in text

    printed = owner.get(f"/api/v1/invoices/{invoice['id']}/pdf")  # the invoice PDF carries the SRI block too
    assert (printed.status_code, printed.mimetype) == (200, "application/pdf")
    flat = "".join(_pdftotext(printed.data, tmp_path).split())
    assert flat.count(key) == 2  # clave de acceso and número de autorización (table cells interleave in pdftotext)
    assert all(label in flat for label in ("Comprobanteelectrónico(SRI)", "Clavedeacceso:", "Númerodeautorización:",
                                           "EstadoSRI:Autorizado", "Ambiente:Pruebas"))


def test_a_credit_note_becomes_a_nota_de_credito_pointing_at_the_invoice(
        app, einvoicing_config, fake_sri, test_certificate, sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    line_id = invoice["lines"][0]["id"]
    draft = owner.post(f"/api/v1/invoices/{invoice['id']}/credit-notes",
                       json={"reason": "Devolución de una laptop", "lines": [{"source_line_id": line_id, "quantity": "1"}]})
    note = owner.post(f"/api/v1/invoices/{draft.get_json()['id']}/issue", json={}).get_json()
    status = owner.get(f"/api/v1/invoices/{note['id']}/einvoice").get_json()
    assert (status["state"], status["submissions"][0]["document_kind"]) == ("authorized", "nota_credito")
    xml = owner.get(f"/api/v1/invoices/{note['id']}/einvoice/xml").data
    validate_xml(xml, schema_path(sri_schema_dir, "04"))
    info = etree.fromstring(xml).find("infoNotaCredito")
    assert (info.findtext("codDocModificado"), info.findtext("numDocModificado"), info.findtext("motivo"),
            info.findtext("valorModificacion")) == ("01", invoice["full_number"], "Devolución de una laptop", "928.63")


def test_a_mapping_failure_is_a_422_and_nothing_is_issued(app, einvoicing_config, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate, settings={"is_accounting_required": True})  # no head office address
    owner = login_as(app, tenant, "owner")
    draft = owner.post("/api/v1/invoices", json={"customer_id": str(customer_id), "lines": EC_LINES}).get_json()
    before = einvoicing_rows(app, tenant)
    response = owner.post(f"/api/v1/invoices/{draft['id']}/issue", json={})
    assert (response.status_code, response.mimetype) == (422, "application/problem+json")
    assert response.get_json()["errors"] == {"einvoicing": [
        "Configure la dirección de la matriz de la empresa (Facturación electrónica > Ajustes)"]}
    assert einvoicing_rows(app, tenant) == before  # still a draft, no number taken, no submission
    assert owner.get(f"/api/v1/invoices/{draft['id']}").get_json()["status"] == "draft"


def test_without_a_certificate_ecuador_issues_without_einvoicing(app, einvoicing_config) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    assert invoice["einvoice"] == {"channel": None, "state": "not_applicable", "authority_state": None, "reference": None}
    assert owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice/xml").status_code == 404
    assert owner.get(f"/api/v1/invoices/{invoice['id']}/ride").status_code == 404
    assert owner.post(f"/api/v1/invoices/{invoice['id']}/einvoice/retry").status_code == 409


def _run_due(app, tenant, submission_id, now) -> str:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return process_submission(submission_id=submission_id, now=now)


def _submission_id(owner, document_id):  # type: ignore[no-untyped-def]
    return uuid.UUID(owner.get(f"/api/v1/invoices/{document_id}/einvoice").get_json()["submissions"][-1]["id"])


def test_failures_are_retried_at_most_max_attempts_then_wait_for_a_change(
        app, einvoicing_config, fake_sri, test_certificate, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "0")  # issue first, to learn the clave; nothing is sent
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    url = f"/api/v1/invoices/{invoice['id']}/einvoice"
    pending = owner.get(url).get_json()
    assert (pending["state"], pending["attempts"], fake_sri.calls) == ("pending", 0, [])
    key = pending["access_key"]
    fake_sri.script(key, reception=[503, 503, 503, "RECIBIDA"])
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "1")
    submission_id = _submission_id(owner, invoice["id"])
    start = utcnow()

    assert _run_due(app, tenant, submission_id, start) == "retry_wait"  # attempt 1: HTTP 503
    first = owner.get(url).get_json()
    assert (first["attempts"], first["state"]) == (1, "retry_wait")
    assert owner.post(f"{url}/retry").status_code == 200  # the owner asks now: attempt 2 runs at once, counted
    second = owner.get(url).get_json()
    assert (second["attempts"], second["state"], fake_sri.count("validarComprobante", key)) == (2, "retry_wait", 2)
    assert _run_due(app, tenant, submission_id, start + timedelta(hours=7)) == "failed"  # attempt 3 of 3
    failed = owner.get(url).get_json()
    assert (failed["attempts"], failed["next_attempt_at"], fake_sri.count("validarComprobante", key)) == (3, None, 3)

    # Failed waits for a change: neither the dispatcher nor a retry sends it again.
    assert _run_due(app, tenant, submission_id, start + timedelta(days=2)) == "failed"
    refused = owner.post(f"{url}/retry")
    assert (refused.status_code, refused.get_json()["detail"]) == (
        409, "El envío fue rechazado y ni el documento ni la configuración han cambiado.")
    assert fake_sri.count("validarComprobante", key) == 3

    # A change (the trade name printed on the comprobante) re-arms it: the retry sends it and the SRI authorizes.
    with app.app_context(), tenant_context(tenant.id):
        update_einvoicing_settings(tenant_id=tenant.id, changes={"trade_name": "Andina Tech Quito"}, actor="test")
    assert owner.post(f"{url}/retry").status_code == 200
    done = owner.get(url).get_json()
    assert (done["state"], done["attempts"], done["access_key"]) == ("authorized", 1, key)
    assert fake_sri.count("validarComprobante", key) == 4


def test_voiding_an_invoice_sent_to_the_sri_is_refused(app, einvoicing_config, fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    before = einvoicing_rows(app, tenant)
    response = owner.post(f"/api/v1/invoices/{invoice['id']}/void", json={"reason": "Error en el cliente"})
    assert response.status_code == 409
    assert "nota de crédito" in response.get_json()["detail"]
    assert einvoicing_rows(app, tenant) == before


def test_an_ecuadorian_invoice_without_einvoicing_can_be_voided(app) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app)  # no certificate: e-invoicing is not active, nothing went to the SRI
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    voided = owner.post(f"/api/v1/invoices/{invoice['id']}/void", json={"reason": "Cliente equivocado"})
    assert voided.status_code == 200, voided.get_json()
    assert (voided.get_json()["status"], voided.get_json()["einvoice"]["state"]) == ("voided", "not_applicable")
    assert einvoicing_rows(app, tenant)["einvoice_submissions"] == []


def test_the_stored_invoice_pdf_is_reprinted_with_the_authorization(app, einvoicing_config, fake_sri, test_certificate, tmp_path,
                                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "0")  # issued while sending is off: pending
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()
    before = "".join(_pdftotext(owner.get(f"/api/v1/invoices/{invoice['id']}/pdf").data, tmp_path).split())
    assert "Clavedeacceso:" in before and "Númerodeautorización:" not in before  # stored while pending
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "1")
    assert _run_due(app, tenant, _submission_id(owner, invoice["id"]), utcnow()) == "authorized"
    after = "".join(_pdftotext(owner.get(f"/api/v1/invoices/{invoice['id']}/pdf").data, tmp_path).split())
    key = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()["access_key"]
    assert "Númerodeautorización:" in after and "EstadoSRI:Autorizado" in after and after.count(key) == 2
