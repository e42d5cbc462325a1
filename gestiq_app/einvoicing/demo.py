"""Demo e-invoicing: demo-ec gets its fiscal settings and a generated test certificate (ambiente de pruebas).

The certificate is self-signed, made on the spot: the SRI would refuse it, which is fine because the demo never
sends anything unless GESTIQ_EINVOICE_SUBMIT=1 (and then only to the pruebas environment). Spanish demo tenants need
nothing here: their VERI*FACTU chain is kept on every issue.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from gestiq_app.einvoicing.certificates import upload_certificate
from gestiq_app.einvoicing.settings import is_sri_active, update_einvoicing_settings
from gestiq_app.tenancy.context import tenant_context

ACTOR = "demo-seed"
DEMO_EC_SETTINGS = {
    "sri_environment": 1, "head_office_address": "Av. Amazonas N34-451 y Av. Atahualpa, Quito",
    "establishment_address": "Av. Amazonas N34-451 y Av. Atahualpa, Quito", "trade_name": "Demo Comercial",
    "is_accounting_required": True,
}


def generate_test_p12(*, common_name: str, password: str, days: int = 730) -> bytes:
    """Return a self-signed signing certificate and its RSA key as a .p12 protected by `password`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GESTIQCLOUD CERTIFICADO DE PRUEBAS"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(b"firma", key, certificate, None,
                                                 serialization.BestAvailableEncryption(password.encode()))


def seed_einvoicing_demo(*, tenant_id: uuid.UUID, legal_name: str) -> str | None:
    """Give an Ecuadorian demo tenant its settings and a test certificate, once; say what was done."""
    with tenant_context(tenant_id):
        if is_sri_active():
            return None
        update_einvoicing_settings(tenant_id=tenant_id, changes=DEMO_EC_SETTINGS, actor=ACTOR)
        password = secrets.token_urlsafe(16)
        upload_certificate(tenant_id=tenant_id, data=generate_test_p12(common_name=legal_name, password=password),
                           password=password, actor=ACTOR)
    return "certificado de pruebas y ajustes del SRI (ambiente 1, nada se envía sin GESTIQ_EINVOICE_SUBMIT=1)"
