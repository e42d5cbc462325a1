"""`flask gestiq verifactu verify`, `flask gestiq einvoicing check-key` and the back-office submissions view."""

from __future__ import annotations

import uuid

from gestiq_app.db import unit_of_work
from gestiq_app.einvoicing.services import issue_sri_document
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from tests.admin.conftest import ADMIN_PASSWORD, admin_login
from tests.einvoicing.samples import ec_invoice
from tests.einvoicing.test_verifactu import _aeat_chain, tamper_amount
from tests.factories import make_tenant


def test_verify_passes_then_names_the_tampered_record(app, tenant, database_urls) -> None:  # type: ignore[no-untyped-def]
    record_id = _aeat_chain(tenant.id)[1].id
    runner = app.test_cli_runner()
    intact = runner.invoke(args=["gestiq", "verifactu", "verify", "--tenant", tenant.slug])
    assert intact.exit_code == 0, intact.output
    assert "Cadenas VERI*FACTU correctas: 3 registros de 1 emisor(es)" in intact.output
    tamper_amount(database_urls, tenant.id, record_id)
    db.session.expire_all()
    broken = runner.invoke(args=["gestiq", "verifactu", "verify", "--tenant", tenant.slug])
    assert broken.exit_code == 1
    assert f"registro nº 2 (factura 12345679/G34, id {record_id})" in broken.output
    assert "datos alterados" in broken.output


def test_verify_of_an_unknown_tenant_fails(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["gestiq", "verifactu", "verify", "--tenant", "no-existe"])
    assert result.exit_code != 0 and "No existe la empresa" in result.output


def test_check_key_accepts_a_valid_clave_and_explains_an_invalid_one(app) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    key = ec_invoice().access_key
    valid = runner.invoke(args=["gestiq", "einvoicing", "check-key", key])
    assert valid.exit_code == 0
    assert "Clave de acceso válida" in valid.output and "001-002-000000123" in valid.output and "1792146739001" in valid.output
    typo = runner.invoke(args=["gestiq", "einvoicing", "check-key", key[:-1] + "4"])
    assert typo.exit_code == 1 and "El dígito verificador de la clave de acceso no es correcto" in typo.output
    short = runner.invoke(args=["gestiq", "einvoicing", "check-key", "123"])
    assert short.exit_code == 1 and "debe tener 49 dígitos" in short.output


def test_back_office_lists_submissions_of_every_tenant_read_only(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
        with tenant_context(tenant.id), unit_of_work():
            submission = issue_sri_document(document=ec_invoice(sequential=901), document_id=uuid.uuid4(), enqueue=False)
            submission.messages = [{"identificador": "35", "mensaje": "ARCHIVO NO CUMPLE ESTRUCTURA XML",
                                    "informacionAdicional": "", "tipo": "ERROR"}]
            submission.state = "rejected"
        key, submission_id = submission.reference, submission.id
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    listing = client.get("/admin/einvoicesubmissionview/list/?psize_EinvoiceSubmissionView=100").get_data(as_text=True)
    assert key in listing and "rejected" in listing
    shown = client.get(f"/admin/einvoicesubmissionview/show/{submission_id}").get_data(as_text=True)
    assert "ARCHIVO NO CUMPLE ESTRUCTURA XML" in shown
    assert client.get("/admin/einvoicesubmissionview/add").status_code in (302, 403, 404)
    assert client.get(f"/admin/einvoicesubmissionview/edit/{submission_id}").status_code in (302, 403, 404)
