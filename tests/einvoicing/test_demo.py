"""The demo seed: demo-ec has a test certificate and SRI submissions whose factura validates, signs, is authorized by the
fake SRI and prints a RIDE; demo-es has an intact VERI*FACTU chain. Nothing is sent by default."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from lxml import etree
from signxml import XMLVerifier
from sqlalchemy import func, select

from gestiq_app.demo import DEMO_PASSWORD, seed_demo
from gestiq_app.einvoicing.certificates import load_signing_material
from gestiq_app.einvoicing.ec_sri.signing import sign_comprobante
from gestiq_app.einvoicing.ec_sri.xml import schema_path, validate_xml
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.submissions import process_submission
from gestiq_app.extensions import db
from gestiq_app.purchases.models import PurchaseWithholding
from gestiq_app.sales.demo import EVERY_DAYS, SPAN_DAYS
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant
from tests.api_helpers import login
from tests.einvoicing.test_sri_engine import SHA1_CONFIG

INVOICES = len(range(SPAN_DAYS, 0, -EVERY_DAYS))


def _tenant_id(slug: str) -> uuid.UUID:
    return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def test_demo_ecuador_invoice_validates_signs_is_authorized_and_prints(
        app, einvoicing_config, fake_sri, sri_schema_dir, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        list(seed_demo())
        tenant_id = _tenant_id("demo-ec")
        with tenant_context(tenant_id):
            submissions = list(db.session.scalars(select(EinvoiceSubmission).order_by(EinvoiceSubmission.created_at)))
            issued = db.session.scalar(select(SalesDocument.id).where(SalesDocument.kind == "invoice", SalesDocument.state != "draft")
                                       .order_by(SalesDocument.number.desc()).limit(1))
            material = load_signing_material()
            assert material is not None and "GESTIQCLOUD CERTIFICADO DE PRUEBAS" in material.certificate.issuer.rfc4514_string()
            assert sorted({(s.channel, s.document_kind, s.environment) for s in submissions}) == [
                ("sri", "factura", 1), ("sri", "nota_credito", 1), ("sri", "retencion", 1)]
            retentions = db.session.scalar(select(func.count()).select_from(PurchaseWithholding))
            assert retentions >= 1 and sum(s.document_kind == "retencion" for s in submissions) == retentions
            assert len(submissions) == INVOICES + 1 + retentions
            submission = next(s for s in submissions if s.document_id == issued)
            assert submission.state in ("pending", "authorized")  # pending unless an earlier test of this session sent it
            unsigned = submission.payload.encode("utf-8")
            validate_xml(unsigned, schema_path(sri_schema_dir, "01"))
            signed = sign_comprobante(unsigned, material)
            validate_xml(signed, schema_path(sri_schema_dir, "01"))
            assert len(XMLVerifier().verify(signed, x509_cert=material.certificate, expect_config=SHA1_CONFIG)) == 3
            key, submission_id = submission.reference, submission.id
            db.session.rollback()
            if submission.state == "pending":
                assert process_submission(submission_id=submission_id) == "authorized"
    owner = login(app, "demo-ec", "owner@demo-ec.test", DEMO_PASSWORD)
    status = owner.get(f"/api/v1/invoices/{issued}/einvoice").get_json()
    assert (status["state"], status["authority_state"], status["access_key"]) == ("authorized", "AUTORIZADO", key)
    assert etree.fromstring(owner.get(f"/api/v1/invoices/{issued}/einvoice/xml").data).findtext("infoTributaria/claveAcceso") == key
    pdf = tmp_path / "ride.pdf"
    pdf.write_bytes(owner.get(f"/api/v1/invoices/{issued}/ride").data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "ESTADO: AUTORIZADO" in text and "AMBIENTE: PRUEBAS" in text and text.count(key) == 2


def test_demo_spain_has_an_intact_verifactu_chain(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        list(seed_demo())
        tenant_id = _tenant_id("demo-es")
        with tenant_context(tenant_id):
            records = list(db.session.scalars(select(VerifactuRecord).order_by(VerifactuRecord.sequence)))
            types = [(r.record_type, r.invoice_type) for r in records]
            db.session.rollback()
        assert types == [("alta", "F1")] * INVOICES + [("alta", "R1")]
    result = app.test_cli_runner().invoke(args=["gestiq", "verifactu", "verify", "--tenant", "demo-es"])
    assert result.exit_code == 0, result.output
    assert f"Cadenas VERI*FACTU correctas: {INVOICES + 1} registros de 1 emisor(es)" in result.output
