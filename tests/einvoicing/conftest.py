"""Fixtures of the e-invoicing tests: the official schemas (../shared/reference), a test certificate, the fakes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree

from gestiq_app.config import PROJECT_ROOT
from tests.einvoicing.fake_aeat import FakeAeat
from tests.einvoicing.fake_sri import FakeSri

P12_PASSWORD = "clave-del-p12"
XMLDSIG_URL = "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The shared reference folder (../shared/reference beside the repository; GESTIQ_REFERENCE_DIR overrides)."""
    candidates = [Path(os.environ["GESTIQ_REFERENCE_DIR"])] if os.environ.get("GESTIQ_REFERENCE_DIR") else []
    candidates.append(PROJECT_ROOT.parent / "shared" / "reference")
    for candidate in candidates:
        if (candidate / "sri" / "factura_V2.1.0.xsd").is_file():
            return candidate
    pytest.fail(f"Reference schemas not found in {candidates}: the e-invoicing oracles need ../shared/reference")


@pytest.fixture(scope="session")
def sri_schema_dir(reference_dir: Path) -> Path:
    """The SRI XSD folder."""
    return reference_dir / "sri"


class _XmldsigResolver(etree.Resolver):
    """Map the W3C xmldsig schema URL to the local copy (no network)."""

    def __init__(self, local: Path) -> None:
        super().__init__()
        self.local = local

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        """Resolve the xmldsig URL to the local file."""
        if url == XMLDSIG_URL:
            return self.resolve_filename(str(self.local), context)
        return None


def aeat_schema(reference_dir: Path, name: str) -> etree.XMLSchema:
    """Compile an AEAT schema offline."""
    folder = reference_dir / "aeat-verifactu"
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_XmldsigResolver(folder / "xmldsig-core-schema.xsd"))
    return etree.XMLSchema(etree.parse(str(folder / name), parser))


@pytest.fixture(scope="session")
def suministro_schema(reference_dir: Path) -> etree.XMLSchema:
    """SuministroLR.xsd (RegFactuSistemaFacturacion)."""
    return aeat_schema(reference_dir, "SuministroLR.xsd")


@pytest.fixture(scope="session")
def respuesta_schema(reference_dir: Path) -> etree.XMLSchema:
    """RespuestaSuministro.xsd."""
    return aeat_schema(reference_dir, "RespuestaSuministro.xsd")


def make_certificate(*, common_name: str = "MARIA JOSE PAREDES VINUEZA", days: int = 365,
                     key_usage_signature: bool = True) -> tuple[rsa.RSAPrivateKey, x509.Certificate, bytes]:
    """Generate an RSA key, a self-signed certificate and a .p12 protected by P12_PASSWORD."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ENTIDAD DE CERTIFICACION DE PRUEBA"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    now = datetime.now(timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(min(now, now + timedelta(days=days)) - timedelta(days=1))
               .not_valid_after(now + timedelta(days=days)))
    if key_usage_signature:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
        ), critical=True)
    certificate = builder.sign(key, hashes.SHA256())
    p12 = pkcs12.serialize_key_and_certificates(b"firma", key, certificate, None,
                                                serialization.BestAvailableEncryption(P12_PASSWORD.encode()))
    return key, certificate, p12


@pytest.fixture(scope="session")
def test_certificate() -> tuple[rsa.RSAPrivateKey, x509.Certificate, bytes]:
    """One generated certificate for the whole session (key generation is slow)."""
    return make_certificate()


@pytest.fixture()
def fake_sri(sri_schema_dir: Path) -> Iterator[FakeSri]:
    """A running fake SRI."""
    server = FakeSri(sri_schema_dir).start()
    yield server
    server.stop()


@pytest.fixture()
def fake_aeat(respuesta_schema: etree.XMLSchema, suministro_schema: etree.XMLSchema) -> Iterator[FakeAeat]:
    """A running fake AEAT VERI*FACTU endpoint (plain HTTP)."""
    server = FakeAeat(request_schema=suministro_schema, response_schema=respuesta_schema).start()
    yield server
    server.stop()


@pytest.fixture()
def einvoicing_config(app, fake_sri, fake_aeat, monkeypatch):  # type: ignore[no-untyped-def]
    """Point the app at the fakes for one test."""
    for name, value in {
        "GESTIQ_SRI_RECEPTION_URL": fake_sri.reception_url,
        "GESTIQ_SRI_AUTHORIZATION_URL": fake_sri.authorization_url,
        "GESTIQ_SRI_PRODUCTION_RECEPTION_URL": fake_sri.reception_url,
        "GESTIQ_SRI_PRODUCTION_AUTHORIZATION_URL": fake_sri.authorization_url,
        "GESTIQ_VERIFACTU_URL": fake_aeat.url,
        "GESTIQ_VERIFACTU_CLIENT_CERT": "0",
        "GESTIQ_EINVOICE_SUBMIT": "1",
        "GESTIQ_EINVOICE_TIMEOUT_SECONDS": "5",
        "GESTIQ_EINVOICE_MAX_ATTEMPTS": "3",
        "GESTIQ_EINVOICE_RETRY_BASE_SECONDS": "60",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return app.config
