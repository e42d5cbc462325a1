"""SRI engine: the demo documents' XML against the official XSDs, the XAdES-BES signature, the RIDE.

Oracles: the SRI XSDs in ../shared/reference/sri (factura 2.1.0, nota de crédito 1.1.0, retención 2.0.0);
signxml's independent XML-DSig verifier (SHA-1 explicitly allowed, as the SRI profile needs); pdftotext.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal as D

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from signxml.exceptions import InvalidDigest, InvalidSignature

from gestiq_app.einvoicing.ec_sri.client import AuthorizationResult
from gestiq_app.einvoicing.ec_sri.documents import SriDocumentError, check_document
from gestiq_app.einvoicing.ec_sri.ride import render_ride_pdf
from gestiq_app.einvoicing.ec_sri.signing import CertificateError, load_p12, sign_comprobante
from gestiq_app.einvoicing.ec_sri.xml import SriSchemaError, build_document_xml, schema_path, validate_if_configured, validate_xml
from gestiq_app.fiscal.sri_access_key import validate_access_key
from tests.einvoicing.conftest import P12_PASSWORD
from tests.einvoicing.samples import ec_credit_note, ec_invoice, ec_retention

NS = {"ds": "http://www.w3.org/2000/09/xmldsig#", "etsi": "http://uri.etsi.org/01903/v1.3.2#"}
SHA1_CONFIG = SignatureConfiguration(
    signature_methods=frozenset({SignatureMethod.RSA_SHA1}), digest_algorithms=frozenset({DigestAlgorithm.SHA1}),
    expect_references=3,
)


def _signed(test_certificate, document=None) -> bytes:  # type: ignore[no-untyped-def]
    _, _, p12 = test_certificate
    return sign_comprobante(build_document_xml(document or ec_invoice()), load_p12(p12, P12_PASSWORD))


# ----------------------------------------------------------------------------------------- XML


@pytest.mark.parametrize("factory", [ec_invoice, ec_credit_note, ec_retention], ids=["factura", "nota_credito", "retencion"])
def test_demo_documents_validate_against_the_sri_xsd(factory, sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    document = factory()
    validate_xml(build_document_xml(document), schema_path(sri_schema_dir, document.doc_type))


def test_factura_root_header_and_amounts(sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    root = etree.fromstring(build_document_xml(ec_invoice()))
    assert (root.tag, root.get("id"), root.get("version")) == ("factura", "comprobante", "2.1.0")
    key = root.findtext("infoTributaria/claveAcceso")
    assert key == "1403202501179214673900110010020000001231234567815"
    parts = validate_access_key(key)
    assert (parts.doc_type, parts.environment, parts.document_number) == ("01", 1, "001-002-000000123")
    assert root.findtext("infoFactura/fechaEmision") == "14/03/2025"
    assert root.findtext("infoFactura/totalSinImpuestos") == "1807.50"
    assert root.findtext("infoFactura/totalDescuento") == "50.00"
    assert [(t.findtext("codigoPorcentaje"), t.findtext("baseImponible"), t.findtext("tarifa"), t.findtext("valor"))
            for t in root.findall("infoFactura/totalConImpuestos/totalImpuesto")] == [
        ("0", "37.00", "0.00", "0.00"), ("4", "1650.00", "15.00", "247.50"), ("5", "120.50", "5.00", "6.03")]
    assert root.findtext("infoFactura/importeTotal") == "2061.03"
    assert [(p.findtext("formaPago"), p.findtext("total"), p.findtext("plazo"), p.findtext("unidadTiempo"))
            for p in root.findall("infoFactura/pagos/pago")] == [("20", "2061.03", "30.00", "dias")]
    books = root.findall("detalles/detalle")[2]
    assert (books.findtext("cantidad"), books.findtext("precioUnitario"), books.findtext("precioTotalSinImpuesto")) == (
        "3.000000", "12.333333", "37.00")
    assert [(c.get("nombre"), c.text) for c in root.findall("infoAdicional/campoAdicional")] == [
        ("Email", "mjparedes@example.ec"), ("Teléfono", "0991234567")]


def test_credit_note_points_at_the_modified_invoice() -> None:
    root = etree.fromstring(build_document_xml(ec_credit_note()))
    assert (root.tag, root.get("version")) == ("notaCredito", "1.1.0")
    info = root.find("infoNotaCredito")
    assert (info.findtext("codDocModificado"), info.findtext("numDocModificado"), info.findtext("fechaEmisionDocSustento"),
            info.findtext("valorModificacion"), info.findtext("motivo")) == (
        "01", "001-002-000000123", "14/03/2025", "948.75", "Devolución de mercadería defectuosa")


def test_retention_lists_the_supporting_document_and_its_retentions() -> None:
    root = etree.fromstring(build_document_xml(ec_retention()))
    assert (root.tag, root.get("version"), root.findtext("infoTributaria/codDoc")) == ("comprobanteRetencion", "2.0.0", "07")
    support = root.find("docsSustento/docSustento")
    assert (support.findtext("codDocSustento"), support.findtext("numDocSustento"), support.findtext("fechaEmisionDocSustento")) == (
        "01", "001001000004567", "12/03/2025")
    assert [(r.findtext("codigo"), r.findtext("codigoRetencion"), r.findtext("baseImponible"), r.findtext("porcentajeRetener"),
             r.findtext("valorRetenido")) for r in support.findall("retenciones/retencion")] == [
        ("1", "3440", "1000.00", "2.75", "27.50"), ("2", "1", "150.00", "30.00", "45.00")]


def test_inconsistent_totals_are_refused_before_any_xml() -> None:
    document = ec_invoice()
    broken = replace(document, totals=replace(document.totals, total=D("2000.00")))
    with pytest.raises(SriDocumentError) as raised:
        check_document(broken)
    assert raised.value.problems == ["El importe total debería ser 2061.03", "La suma de las formas de pago debe ser igual al importe total"]


def test_schema_errors_are_reported(sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    root = etree.fromstring(build_document_xml(ec_invoice()))
    root.find("infoTributaria/ruc").text = "123"
    with pytest.raises(SriSchemaError) as raised:
        validate_xml(etree.tostring(root), schema_path(sri_schema_dir, "01"))
    assert any("ruc" in error for error in raised.value.errors)


def test_without_a_schema_folder_validation_is_skipped_with_a_warning(caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="gestiq.einvoicing.sri"):
        assert validate_if_configured(build_document_xml(ec_invoice()), "01", "") is False
    assert "GESTIQ_SRI_SCHEMA_DIR" in caplog.text


# ----------------------------------------------------------------------------------------- signature


@pytest.mark.parametrize("factory", [ec_invoice, ec_credit_note, ec_retention], ids=["factura", "nota_credito", "retencion"])
def test_signature_verifies_with_signxml_and_the_document_still_validates(factory, test_certificate, sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    _, certificate, _ = test_certificate
    document = factory()
    signed = _signed(test_certificate, document)
    results = XMLVerifier().verify(signed, x509_cert=certificate, expect_config=SHA1_CONFIG)
    assert sorted(result.signed_xml.tag.split("}")[-1] for result in results) == sorted(
        ["SignedProperties", "KeyInfo", etree.fromstring(signed).tag])
    validate_xml(signed, schema_path(sri_schema_dir, document.doc_type))


def test_signature_has_the_sri_xades_bes_structure(test_certificate) -> None:  # type: ignore[no-untyped-def]
    _, certificate, _ = test_certificate
    root = etree.fromstring(_signed(test_certificate))
    signature = root[-1]
    assert signature.tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    signature_id = signature.get("Id")
    assert root.xpath("string(ds:Signature/ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm)", namespaces=NS) == \
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    assert root.xpath("string(ds:Signature/ds:SignedInfo/ds:SignatureMethod/@Algorithm)", namespaces=NS) == \
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    references = root.xpath("ds:Signature/ds:SignedInfo/ds:Reference", namespaces=NS)
    signed_properties_id = root.xpath("string(//etsi:SignedProperties/@Id)", namespaces=NS)
    key_info_id = root.xpath("string(ds:Signature/ds:KeyInfo/@Id)", namespaces=NS)
    assert [(r.get("URI"), r.get("Type")) for r in references] == [
        (f"#{signed_properties_id}", "http://uri.etsi.org/01903#SignedProperties"), (f"#{key_info_id}", None),
        ("#comprobante", None)]
    assert {r.xpath("string(ds:DigestMethod/@Algorithm)", namespaces=NS) for r in references} == {
        "http://www.w3.org/2000/09/xmldsig#sha1"}
    assert references[2].xpath("ds:Transforms/ds:Transform/@Algorithm", namespaces=NS) == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature"]
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert root.xpath("string(ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate)", namespaces=NS) == base64.b64encode(der).decode()
    modulus = certificate.public_key().public_numbers().n
    assert base64.b64decode(root.xpath("string(//ds:RSAKeyValue/ds:Modulus)", namespaces=NS)) == modulus.to_bytes(256, "big")
    assert root.xpath("string(//ds:RSAKeyValue/ds:Exponent)", namespaces=NS) == "AQAB"
    properties = root.xpath("//etsi:QualifyingProperties", namespaces=NS)[0]
    assert properties.get("Target") == f"#{signature_id}"
    signing_time = properties.xpath("string(.//etsi:SigningTime)", namespaces=NS)
    assert signing_time.endswith("-05:00")
    cert_digest = properties.xpath("string(.//etsi:CertDigest/ds:DigestValue)", namespaces=NS)
    assert cert_digest == base64.b64encode(hashlib.sha1(der).digest()).decode()  # noqa: S324
    assert properties.xpath("string(.//etsi:IssuerSerial/ds:X509SerialNumber)", namespaces=NS) == str(certificate.serial_number)
    assert properties.xpath("string(.//etsi:IssuerSerial/ds:X509IssuerName)", namespaces=NS) == certificate.issuer.rfc4514_string()
    assert properties.xpath("string(.//etsi:DataObjectFormat/@ObjectReference)", namespaces=NS) == f"#{references[2].get('Id')}"
    assert properties.xpath("string(.//etsi:DataObjectFormat/etsi:MimeType)", namespaces=NS) == "text/xml"


def test_a_changed_amount_breaks_the_signature(test_certificate) -> None:  # type: ignore[no-untyped-def]
    _, certificate, _ = test_certificate
    tampered = _signed(test_certificate).replace(b"<importeTotal>2061.03<", b"<importeTotal>2061.04<")
    with pytest.raises((InvalidDigest, InvalidSignature)):
        XMLVerifier().verify(tampered, x509_cert=certificate, expect_config=SHA1_CONFIG)


def test_a_signature_with_another_key_does_not_verify_against_the_certificate(test_certificate) -> None:  # type: ignore[no-untyped-def]
    from tests.einvoicing.conftest import make_certificate

    _, certificate, _ = test_certificate
    _, _, other_p12 = make_certificate(common_name="OTRA PERSONA")
    signed = sign_comprobante(build_document_xml(ec_invoice()), load_p12(other_p12, P12_PASSWORD))
    with pytest.raises(Exception):  # noqa: B017 - signxml raises InvalidSignature or InvalidInput (key mismatch)
        XMLVerifier().verify(signed, x509_cert=certificate, expect_config=SHA1_CONFIG)


def test_wrong_p12_password_is_reported_in_spanish(test_certificate) -> None:  # type: ignore[no-untyped-def]
    _, _, p12 = test_certificate
    with pytest.raises(CertificateError, match="contraseña incorrecta"):
        load_p12(p12, "otra-clave")


# ----------------------------------------------------------------------------------------- RIDE


def _pdftotext(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) must be installed: .ci/run installs it"
    path = tmp_path / "ride.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_ride_prints_the_authorization_and_the_clave(tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = ec_invoice()
    authorization = AuthorizationResult(state="AUTORIZADO", authorization_number=document.access_key,
                                        authorized_at="2025-03-14T10:20:30.000-05:00", environment="PRUEBAS")
    pdf = render_ride_pdf(document, authorization)
    assert pdf.startswith(b"%PDF")
    text = _pdftotext(pdf, tmp_path)
    assert "FACTURA" in text and "001-002-000000123" in text
    assert "AUTORIZADO" in text and "2025-03-14T10:20:30.000-05:00" in text
    assert text.count(document.access_key) == 2  # authorization number and the clave under the barcode
    assert "PRUEBAS" in text and "VALOR TOTAL" in text and "2061.03" in text and "IVA 15%" in text


def test_ride_of_a_retention_lists_the_retentions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = _pdftotext(render_ride_pdf(ec_retention(), None), tmp_path)
    assert "COMPROBANTE DE RETENCIÓN" in text and "PENDIENTE DE AUTORIZACIÓN" in text
    assert "3440" in text and "27.50" in text and "TOTAL RETENIDO" in text and "72.50" in text
