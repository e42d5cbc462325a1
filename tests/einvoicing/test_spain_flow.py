"""Spain end to end through the API: issued invoices and rectificativas chain VERI*FACTU records, `verify` catches a
changed amount, voiding chains a registro de anulación, and submission happens only when the tenant enables it."""

from __future__ import annotations

from lxml import etree

from gestiq_app.extensions import db
from tests.api_helpers import login_as
from tests.einvoicing.flow import ES_LINES, einvoicing_rows, es_tenant, issue_through_api
from tests.einvoicing.test_verifactu import tamper_amount


def _chain(session) -> list[dict]:  # type: ignore[no-untyped-def]
    return session.get("/api/v1/einvoicing/verifactu/records?page_size=200").get_json()["items"]


def _verify(app, tenant):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["gestiq", "verifactu", "verify", "--tenant", tenant.slug])


def test_an_issued_invoice_appears_in_the_chain_and_verify_names_a_changed_record(app, database_urls) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app)
    owner = login_as(app, tenant, "owner")
    first = issue_through_api(owner, customer_id, ES_LINES).get_json()
    second = issue_through_api(owner, customer_id, ES_LINES[:1]).get_json()
    chain = _chain(owner)
    # 2 × 45.00 at 21 % (18.90) + 19.90 at 4 % (0.80) = 129.60; then 90.00 + 18.90 = 108.90
    assert [(r["sequence"], r["record_type"], r["invoice_number"], r["invoice_type"], r["total_tax"], r["total_amount"],
             r["issuer_nif"], r["source_document_id"]) for r in chain] == [
        (1, "alta", first["full_number"], "F1", "19.70", "129.60", tenant.tax_id, first["id"]),
        (2, "alta", second["full_number"], "F1", "18.90", "108.90", tenant.tax_id, second["id"])]
    assert (chain[0]["previous_huella"], chain[1]["previous_huella"]) == ("", chain[0]["huella"])
    status = owner.get(f"/api/v1/invoices/{first['id']}/einvoice").get_json()
    assert (status["channel"], status["state"], status["huella"], status["previous_huella"], status["submissions"]) == (
        "verifactu", "recorded", chain[0]["huella"], "", [])
    assert first["einvoice"] == {"channel": "verifactu", "state": "recorded", "authority_state": None, "reference": chain[0]["huella"]}

    intact = _verify(app, tenant)
    assert (intact.exit_code, "Cadenas VERI*FACTU correctas: 2 registros de 1 emisor(es)" in intact.output) == (0, True)
    import uuid

    with app.app_context():
        tamper_amount(database_urls, tenant.id, uuid.UUID(chain[1]["id"]))
        db.session.expire_all()
    broken = _verify(app, tenant)
    assert broken.exit_code == 1
    assert f"registro nº 2 (factura {second['full_number']}, id {chain[1]['id']})" in broken.output
    assert "datos alterados" in broken.output


def test_rectificativas_chain_as_r_records_by_differences_and_by_substitution(app) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    by_difference = owner.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", json={
        "reason": "Devolución", "rectification_type": "R1", "lines": [{"source_line_id": invoice["lines"][0]["id"], "quantity": "1"}]})
    note = owner.post(f"/api/v1/invoices/{by_difference.get_json()['id']}/issue", json={}).get_json()
    other = issue_through_api(owner, customer_id, ES_LINES[:1]).get_json()
    by_substitution = owner.post(f"/api/v1/invoices/{other['id']}/credit-notes", json={
        "reason": "Factura mal emitida", "rectification_type": "R4", "rectification_method": "sustitucion"})
    replacement = owner.post(f"/api/v1/invoices/{by_substitution.get_json()['id']}/issue", json={}).get_json()
    chain = _chain(owner)
    assert [(r["invoice_number"], r["invoice_type"], r["total_tax"], r["total_amount"]) for r in chain] == [
        (invoice["full_number"], "F1", "19.70", "129.60"),
        (note["full_number"], "R1", "-9.45", "-54.45"),  # one box back: −45.00 − 9.45
        (other["full_number"], "F1", "18.90", "108.90"),
        (replacement["full_number"], "R4", "0.00", "0.00"),  # everything credited: the substitute is zero
    ]
    xml = etree.fromstring(owner.get(f"/api/v1/invoices/{replacement['id']}/einvoice/xml").data)
    ns = {"sum": "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroLR.xsd",
          "sf": "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd"}
    alta = xml.find(".//sum:RegistroFactura/sf:RegistroAlta", ns)
    assert (alta.findtext("sf:TipoRectificativa", namespaces=ns), alta.findtext("sf:ImporteRectificacion/sf:BaseRectificada", namespaces=ns),
            alta.findtext("sf:ImporteRectificacion/sf:CuotaRectificada", namespaces=ns),
            alta.findtext("sf:FacturasRectificadas/sf:IDFacturaRectificada/sf:NumSerieFactura", namespaces=ns)) == (
        "S", "90.00", "18.90", other["full_number"])
    assert _verify(app, tenant).exit_code == 0


def test_voiding_a_spanish_invoice_chains_a_registro_de_anulacion(app) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    response = owner.post(f"/api/v1/invoices/{invoice['id']}/void", json={"reason": "Emitida por error"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["void_reason"], body["amount_due"], body["full_number"]) == (
        "voided", "Emitida por error", "0.00", invoice["full_number"])
    chain = _chain(owner)
    assert [(r["record_type"], r["invoice_number"], r["invoice_type"], r["total_amount"]) for r in chain] == [
        ("alta", invoice["full_number"], "F1", "129.60"), ("anulacion", invoice["full_number"], None, None)]
    assert chain[1]["previous_huella"] == chain[0]["huella"]
    assert owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()["huella"] == chain[1]["huella"]
    assert _verify(app, tenant).exit_code == 0
    before = einvoicing_rows(app, tenant)
    again = owner.post(f"/api/v1/invoices/{invoice['id']}/void", json={"reason": "Otra vez"})
    assert again.status_code == 409 and einvoicing_rows(app, tenant) == before
    listed = owner.get("/api/v1/invoices?status=voided").get_json()
    assert [item["id"] for item in listed["items"]] == [invoice["id"]]


def test_void_refusals_change_nothing(app) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    draft = owner.post("/api/v1/invoices", json={"customer_id": str(customer_id), "lines": ES_LINES}).get_json()
    credited = issue_through_api(owner, customer_id, ES_LINES).get_json()
    note = owner.post(f"/api/v1/invoices/{credited['id']}/credit-notes", json={
        "reason": "Devolución", "rectification_type": "R1", "lines": [{"source_line_id": credited["lines"][0]["id"], "quantity": "1"}]})
    owner.post(f"/api/v1/invoices/{note.get_json()['id']}/issue", json={})
    before = einvoicing_rows(app, tenant)
    no_reason = owner.post(f"/api/v1/invoices/{invoice['id']}/void", json={"reason": ""})
    assert (no_reason.status_code, list(no_reason.get_json()["errors"])) == (422, ["reason"])
    assert owner.post(f"/api/v1/invoices/{draft['id']}/void", json={"reason": "x"}).status_code == 409
    assert owner.post(f"/api/v1/invoices/{credited['id']}/void", json={"reason": "x"}).status_code == 409
    assert owner.post(f"/api/v1/invoices/{note.get_json()['id']}/void", json={"reason": "x"}).status_code == 404
    assert einvoicing_rows(app, tenant) == before


def test_with_submission_enabled_the_record_is_sent_and_accepted(app, einvoicing_config, fake_aeat) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app, submit=True)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    status = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()
    assert (status["channel"], status["state"], status["attempts"], status["submissions"][0]["document_kind"]) == (
        "verifactu", "accepted", 1, "alta")
    assert status["submissions"][0]["reference"] == status["huella"]
    retry = owner.post(f"/api/v1/invoices/{invoice['id']}/einvoice/retry")
    assert (retry.status_code, retry.get_json()["detail"]) == (409, "No hay ningún envío que reintentar: ya fue aceptado por la administración.")


def test_nothing_is_sent_while_submission_is_off(app, einvoicing_config, fake_aeat, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_EINVOICE_SUBMIT", "0")
    tenant, customer_id = es_tenant(app, submit=True)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    status = owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()
    assert (status["state"], status["attempts"]) == ("pending", 0)
    from gestiq_app.einvoicing.tasks import dispatch_submissions

    with app.app_context():
        assert dispatch_submissions.call_local() == 0
    assert owner.get(f"/api/v1/invoices/{invoice['id']}/einvoice").get_json()["state"] == "pending"
    assert fake_aeat.requests == []


def test_a_substitution_after_a_partial_credit_carries_what_remains(app) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = es_tenant(app)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, ES_LINES).get_json()
    partial = owner.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", json={
        "reason": "Devolución de una caja", "rectification_type": "R1",
        "lines": [{"source_line_id": invoice["lines"][0]["id"], "quantity": "1"}]})
    assert partial.status_code == 201, partial.get_json()
    owner.post(f"/api/v1/invoices/{partial.get_json()['id']}/issue", json={})
    rest = owner.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", json={
        "reason": "Sustituye a la factura", "rectification_type": "R4", "rectification_method": "sustitucion"})
    assert rest.status_code == 201, rest.get_json()
    replacement = owner.post(f"/api/v1/invoices/{rest.get_json()['id']}/issue", json={})
    assert replacement.status_code == 200, replacement.get_json()
    chain = _chain(owner)
    # One box credited by differences, then the substitution credits the rest: the substitute invoice is what remains
    # after BOTH credit notes (zero), not the invoice minus the substitution alone (54.45).
    assert [(r["invoice_type"], r["total_tax"], r["total_amount"]) for r in chain] == [
        ("F1", "19.70", "129.60"), ("R1", "-9.45", "-54.45"), ("R4", "0.00", "0.00")]
    assert _verify(app, tenant).exit_code == 0
