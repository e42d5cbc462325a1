"""XAdES-BES enveloped signature in the SRI profile, with lxml (inclusive C14N 1.0) and cryptography.

The SRI's profile (Ficha técnica, "Firma electrónica"): RSA-SHA1 signature and SHA-1 digests; a ds:Signature
appended as the comprobante's last child, with three references — the etsi:SignedProperties (Type
http://uri.etsi.org/01903#SignedProperties), the ds:KeyInfo (X509 certificate and RSA key value) and the
comprobante itself (URI #comprobante, enveloped-signature transform) — and XAdES 1.3.2 SignedProperties
holding SigningTime, SigningCertificate (certificate SHA-1 digest and issuer/serial) and the data object format.

signxml is not used to sign: it refuses SHA-1 for signing and its XAdES layout differs from the SRI's. Each
digest is taken over the element canonicalized in place (its inherited ds/etsi namespace declarations included),
which is exactly what a verifier recomputes; the tests verify with signxml's independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

DS: Final = "http://www.w3.org/2000/09/xmldsig#"
ETSI: Final = "http://uri.etsi.org/01903/v1.3.2#"
C14N: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA1: Final = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1: Final = "http://www.w3.org/2000/09/xmldsig#sha1"
ENVELOPED: Final = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES_TYPE: Final = "http://uri.etsi.org/01903#SignedProperties"
#: Ecuador's civil time (UTC-5, no daylight saving): the SRI tools stamp SigningTime in it.
ECUADOR_TZ: Final = timezone(timedelta(hours=-5))


class CertificateError(ValueError):
    """The .p12 cannot be used to sign (wrong password, no RSA key, expired…); message in Spanish."""


@dataclass(frozen=True)
class SigningMaterial:
    """The private key and certificate taken from a tenant's .p12."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def load_p12(data: bytes, password: str) -> SigningMaterial:
    """Open a PKCS#12 file and return its RSA key and the certificate that matches it."""
    try:
        bundle = pkcs12.load_pkcs12(data, password.encode() if password else None)
    except ValueError as error:
        raise CertificateError("No se pudo abrir el certificado: contraseña incorrecta o archivo .p12 no válido") from error
    key = bundle.key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError("El certificado debe tener una clave privada RSA")
    public_numbers = key.public_key().public_numbers()
    candidates = ([bundle.cert] if bundle.cert else []) + list(bundle.additional_certs)
    for candidate in candidates:
        certificate = candidate.certificate
        certificate_key = certificate.public_key()
        if isinstance(certificate_key, rsa.RSAPublicKey) and certificate_key.public_numbers() == public_numbers:
            chain = tuple(item.certificate for item in candidates if item.certificate is not certificate)
            return SigningMaterial(private_key=key, certificate=certificate, chain=chain)
    raise CertificateError("El archivo .p12 no contiene el certificado de su clave privada")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sha1_b64(data: bytes) -> str:
    return _b64(hashlib.sha1(data).digest())  # noqa: S324 - the SRI profile mandates SHA-1


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=False, with_comments=False)


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _ds(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{DS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _etsi(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ETSI}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _reference(signed_info: etree._Element, *, uri: str, digest: str, reference_id: str | None = None,
               reference_type: str | None = None, enveloped: bool = False) -> None:
    attributes = {"URI": uri}
    if reference_id:
        attributes["Id"] = reference_id
    if reference_type:
        attributes["Type"] = reference_type
    reference = _ds(signed_info, "Reference", **attributes)
    if enveloped:
        transforms = _ds(reference, "Transforms")
        _ds(transforms, "Transform", Algorithm=ENVELOPED)
    _ds(reference, "DigestMethod", Algorithm=SHA1)
    _ds(reference, "DigestValue", digest)


def sign_comprobante(xml: bytes, material: SigningMaterial, *, signing_time: datetime | None = None) -> bytes:
    """Return the comprobante with an SRI XAdES-BES enveloped signature appended (UTF-8, with declaration)."""
    parser = etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True)
    root = etree.fromstring(xml, parser)
    if root.get("id") != "comprobante":
        raise ValueError("El elemento raíz del comprobante debe tener id=\"comprobante\"")
    certificate = material.certificate
    suffix = f"{secrets.randbelow(900000) + 100000}"
    signature_id = f"Signature{suffix}"
    ids = {
        "signed_info": f"Signature-SignedInfo{suffix}", "signed_properties": f"{signature_id}-SignedProperties{suffix}",
        "signed_properties_ref": f"SignedPropertiesID{suffix}", "certificate": f"Certificate{suffix}",
        "document_ref": f"Reference-ID-{suffix}", "signature_value": f"SignatureValue{suffix}",
        "object": f"{signature_id}-Object{suffix}",
    }
    # The enveloped transform removes the signature, so the comprobante's digest is taken before appending it.
    document_digest = _sha1_b64(_c14n(root))

    signature = etree.SubElement(root, f"{{{DS}}}Signature", {"Id": signature_id}, nsmap={"ds": DS, "etsi": ETSI})
    signed_info = _ds(signature, "SignedInfo", Id=ids["signed_info"])
    _ds(signed_info, "CanonicalizationMethod", Algorithm=C14N)
    _ds(signed_info, "SignatureMethod", Algorithm=RSA_SHA1)
    signature_value = _ds(signature, "SignatureValue", Id=ids["signature_value"])

    key_info = _ds(signature, "KeyInfo", Id=ids["certificate"])
    x509_data = _ds(key_info, "X509Data")
    _ds(x509_data, "X509Certificate", _b64(certificate.public_bytes(serialization.Encoding.DER)))
    numbers = material.private_key.public_key().public_numbers()
    rsa_value = _ds(_ds(key_info, "KeyValue"), "RSAKeyValue")
    _ds(rsa_value, "Modulus", _int_b64(numbers.n))
    _ds(rsa_value, "Exponent", _int_b64(numbers.e))

    qualifying = _etsi(_ds(signature, "Object", Id=ids["object"]), "QualifyingProperties", Target=f"#{signature_id}")
    signed_properties = _etsi(qualifying, "SignedProperties", Id=ids["signed_properties"])
    signature_properties = _etsi(signed_properties, "SignedSignatureProperties")
    moment = (signing_time or datetime.now(ECUADOR_TZ)).replace(microsecond=0)
    _etsi(signature_properties, "SigningTime", moment.isoformat())
    cert = _etsi(_etsi(signature_properties, "SigningCertificate"), "Cert")
    cert_digest = _etsi(cert, "CertDigest")
    _ds(cert_digest, "DigestMethod", Algorithm=SHA1)
    _ds(cert_digest, "DigestValue", _sha1_b64(certificate.public_bytes(serialization.Encoding.DER)))
    issuer_serial = _etsi(cert, "IssuerSerial")
    _ds(issuer_serial, "X509IssuerName", certificate.issuer.rfc4514_string())
    _ds(issuer_serial, "X509SerialNumber", str(certificate.serial_number))
    data_format = _etsi(_etsi(signed_properties, "SignedDataObjectProperties"), "DataObjectFormat",
                        ObjectReference=f"#{ids['document_ref']}")
    _etsi(data_format, "Description", "contenido comprobante")
    _etsi(data_format, "MimeType", "text/xml")

    _reference(signed_info, uri=f"#{ids['signed_properties']}", digest=_sha1_b64(_c14n(signed_properties)),
               reference_id=ids["signed_properties_ref"], reference_type=SIGNED_PROPERTIES_TYPE)
    _reference(signed_info, uri=f"#{ids['certificate']}", digest=_sha1_b64(_c14n(key_info)))
    _reference(signed_info, uri="#comprobante", digest=document_digest, reference_id=ids["document_ref"], enveloped=True)
    raw_signature = material.private_key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    signature_value.text = _b64(raw_signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """Return the certificate's SHA-256 fingerprint in hex."""
    return certificate.fingerprint(hashes.SHA256()).hex()
