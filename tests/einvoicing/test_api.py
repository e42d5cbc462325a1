"""/api/v1/einvoicing: four-way permission checks, secrets never leave, the chain and the submissions log."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from gestiq_app.db import unit_of_work
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.models import EinvoiceCertificate, EinvoiceSubmission
from gestiq_app.einvoicing.services import register_verifactu_invoice
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.einvoicing.conftest import P12_PASSWORD
from tests.einvoicing.samples import es_invoice
from tests.permissions import check_access

CET = timezone(timedelta(hours=1))


def _certificates(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        return [(c.fingerprint_sha256, c.encrypted_p12) for c in db.session.scalars(select(EinvoiceCertificate))]


def _upload_body(p12: bytes, password: str = P12_PASSWORD):  # type: ignore[no-untyped-def]
    return lambda: {"file": (io.BytesIO(p12), "firma.p12"), "password": password}


def test_upload_certificate_is_for_the_owner_only(app, tenant_pair, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _, certificate, p12 = test_certificate
    response = check_access(app, method="POST", url="/api/v1/einvoicing/certificate", owner_tenant=tenant_a,
                            other_tenant=tenant_b, allowed_role="owner", denied_role="admin", expected_status=201,
                            snapshot=lambda: _certificates(app, tenant_a), data=_upload_body(p12),
                            other_tenant_status=(201,))
    body = response.get_json()
    assert body["subject"] == certificate.subject.rfc4514_string()
    assert body["serial_number"] == str(certificate.serial_number)
    assert body["not_after"].startswith(certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S"))
    assert not {"password", "encrypted_p12", "encrypted_password", "file"} & set(body)
    stored = _certificates(app, tenant_a)
    assert len(stored) == 1 and p12.hex() not in stored[0][1]  # encrypted at rest
    # The stranger's upload landed in its own tenant only.
    assert len(_certificates(app, tenant_b)) == 1


def test_read_certificate_metadata_needs_einvoicing_write(app, tenant_pair, test_certificate) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    login_as(app, tenant_a, "owner").post("/api/v1/einvoicing/certificate", data=_upload_body(test_certificate[2])(),
                                          content_type="multipart/form-data")
    response = check_access(app, method="GET", url="/api/v1/einvoicing/certificate", owner_tenant=tenant_a,
                            other_tenant=tenant_b, allowed_role="accountant", denied_role="sales", expected_status=200,
                            snapshot=lambda: _certificates(app, tenant_a), other_tenant_status=(404,))
    assert "encrypted_p12" not in response.get_json() and "password" not in response.text


def test_bad_uploads_are_refused_in_spanish(app, tenant, test_certificate) -> None:  # type: ignore[no-untyped-def]
    owner = login_as(app, tenant, "owner")
    wrong = owner.post("/api/v1/einvoicing/certificate", data=_upload_body(test_certificate[2], "otra")(),
                       content_type="multipart/form-data")
    assert wrong.status_code == 422
    assert "contraseña incorrecta" in wrong.get_json()["detail"]
    from tests.einvoicing.conftest import make_certificate

    expired = make_certificate(days=-2)[2]
    too_old = owner.post("/api/v1/einvoicing/certificate", data=_upload_body(expired)(), content_type="multipart/form-data")
    assert too_old.status_code == 422 and "caducó" in too_old.get_json()["detail"]
    as_json = owner.post("/api/v1/einvoicing/certificate", json={"password": "x"})
    assert as_json.status_code == 415
    assert _certificates(app, tenant) == []


def _chain(app, tenant):  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        records = sorted((r.sequence, r.huella) for r in db.session.scalars(select(VerifactuRecord)))
        submissions = sorted((str(s.id), s.state, s.attempts) for s in db.session.scalars(select(EinvoiceSubmission)))
        return records, submissions


def _issue_two(app, tenant) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        for number, second in (("12345678/G33", 30), ("12345679/G34", 35)):
            with tenant_context(tenant.id), unit_of_work():
                register_verifactu_invoice(invoice=es_invoice(number), document_id=uuid.uuid4(), enqueue=False,
                                           generated_at=datetime(2024, 1, 1, 19, 20, second, tzinfo=CET))


def test_verifactu_records_list_shows_the_chain(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _issue_two(app, tenant_a)
    response = check_access(app, method="GET", url="/api/v1/einvoicing/verifactu/records", owner_tenant=tenant_a,
                            other_tenant=tenant_b, allowed_role="viewer", denied_role="sales", expected_status=200,
                            snapshot=lambda: _chain(app, tenant_a), other_tenant_status=(200,))
    body = response.get_json()
    assert body["total"] == 2
    first, second = body["items"]
    assert (first["sequence"], first["previous_huella"], first["huella"]) == (
        1, "", "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60")
    assert (second["previous_huella"], second["huella"]) == (
        first["huella"], "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97")
    assert (second["issuer_nif"], second["invoice_number"], second["issue_date"], second["invoice_type"],
            second["total_tax"], second["total_amount"], second["generated_at"]) == (
        "89890001K", "12345679/G34", "2024-01-01", "F1", "12.35", "123.45", "2024-01-01T19:20:35+01:00")
    assert login_as(app, tenant_b, "owner").get("/api/v1/einvoicing/verifactu/records").get_json()["total"] == 0


def test_submissions_list_with_filters(app, tenant_pair) -> None:  # type: ignore[no-untyped-def]
    tenant_a, tenant_b = tenant_pair
    _issue_two(app, tenant_a)
    response = check_access(app, method="GET", url="/api/v1/einvoicing/submissions?state=pending", owner_tenant=tenant_a,
                            other_tenant=tenant_b, allowed_role="accountant", denied_role="sales", expected_status=200,
                            snapshot=lambda: _chain(app, tenant_a), other_tenant_status=(200,))
    items = response.get_json()["items"]
    assert [(i["channel"], i["document_kind"], i["state"], i["attempts"]) for i in items] == [
        ("verifactu", "alta", "pending", 0)] * 2
    owner = login_as(app, tenant_a, "owner")
    assert owner.get("/api/v1/einvoicing/submissions?state=authorized").get_json()["total"] == 0
    assert owner.get("/api/v1/einvoicing/submissions?state=nope").status_code == 422
    assert login_as(app, tenant_b, "owner").get("/api/v1/einvoicing/submissions").get_json()["total"] == 0
