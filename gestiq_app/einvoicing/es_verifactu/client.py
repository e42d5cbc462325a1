"""Submit VERI*FACTU records to the AEAT (RegFactuSistemaFacturacion) and parse RespuestaSuministro.

Mutual TLS: the tenant's key and certificate are written as PEM files into a private temporary folder (0700,
files 0600) for the duration of one request and deleted afterwards, because requests only takes file paths.
Outcomes: a parsed RespuestaSuministro (Correcto / ParcialmenteCorrecto / Incorrecto, with each record's
EstadoRegistro and error) is final; network errors, timeouts, HTTP 5xx without a readable answer and SOAP
faults of the server are retryable (VerifactuTransientError); a SOAP fault of the client (malformed request)
is final (VerifactuRequestError).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from lxml import etree

from gestiq_app.einvoicing.ec_sri.signing import SigningMaterial
from gestiq_app.einvoicing.es_verifactu.xml import SF, SFR, SOAPENV

#: CodigoErrorRegistro of a record the AEAT already holds (registro duplicado).
DUPLICATE_ERROR_CODE = "3000"


class VerifactuTransientError(RuntimeError):
    """A failure worth retrying later."""


class VerifactuRequestError(RuntimeError):
    """The AEAT refused the request itself (SOAP client fault, HTTP 4xx): resending it unchanged will not help."""


@dataclass(frozen=True)
class RecordResponse:
    """The AEAT's verdict on one record (RespuestaLinea)."""

    issuer_nif: str
    invoice_number: str
    issue_date: str
    operation: str
    state: str
    error_code: str = ""
    error_description: str = ""
    duplicate_state: str = ""

    @property
    def is_accepted(self) -> bool:
        """Tell whether the AEAT holds the record (accepted now, with errors, or already from an earlier send)."""
        if self.state in ("Correcto", "AceptadoConErrores"):
            return True
        return self.error_code == DUPLICATE_ERROR_CODE and self.duplicate_state in ("Correcta", "AceptadaConErrores")

    def as_dict(self) -> dict[str, str]:
        """Return the verdict as a JSON-ready dict."""
        return {"EstadoRegistro": self.state, "CodigoErrorRegistro": self.error_code,
                "DescripcionErrorRegistro": self.error_description, "NumSerieFactura": self.invoice_number,
                "Operacion": self.operation, "EstadoRegistroDuplicado": self.duplicate_state}


@dataclass(frozen=True)
class SubmissionResponse:
    """The AEAT's answer to one submission."""

    state: str
    csv: str
    wait_seconds: int
    records: tuple[RecordResponse, ...]


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def parse_response(content: bytes) -> SubmissionResponse:
    """Parse a SOAP answer of the AEAT: RespuestaRegFactuSistemaFacturacion or a SOAP fault."""
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise VerifactuTransientError(f"Respuesta de la AEAT ilegible: {error}") from error
    body = root.find(f"{{{SOAPENV}}}Body")
    if body is None or not len(body):
        raise VerifactuTransientError("Respuesta de la AEAT sin cuerpo SOAP")
    payload = body[0]
    if payload.tag == f"{{{SOAPENV}}}Fault":
        code, text = _text(payload, "faultcode"), _text(payload, "faultstring")
        if code.endswith("Server"):
            raise VerifactuTransientError(f"Error del servidor de la AEAT: {text}")
        raise VerifactuRequestError(f"La AEAT rechazó el envío: {text}")
    if payload.tag != f"{{{SFR}}}RespuestaRegFactuSistemaFacturacion":
        raise VerifactuTransientError(f"Respuesta inesperada de la AEAT: {payload.tag}")
    records = []
    for line in payload.findall(f"{{{SFR}}}RespuestaLinea"):
        ids = line.find(f"{{{SFR}}}IDFactura")
        duplicate = line.find(f"{{{SFR}}}RegistroDuplicado")
        records.append(RecordResponse(
            issuer_nif=_text(ids, f"{{{SF}}}IDEmisorFactura"), invoice_number=_text(ids, f"{{{SF}}}NumSerieFactura"),
            issue_date=_text(ids, f"{{{SF}}}FechaExpedicionFactura"),
            operation=_text(line.find(f"{{{SFR}}}Operacion"), f"{{{SF}}}TipoOperacion"),
            state=_text(line, f"{{{SFR}}}EstadoRegistro"), error_code=_text(line, f"{{{SFR}}}CodigoErrorRegistro"),
            error_description=_text(line, f"{{{SFR}}}DescripcionErrorRegistro"),
            duplicate_state=_text(duplicate, f"{{{SF}}}EstadoRegistroDuplicado"),
        ))
    wait = _text(payload, f"{{{SFR}}}TiempoEsperaEnvio")
    return SubmissionResponse(state=_text(payload, f"{{{SFR}}}EstadoEnvio"), csv=_text(payload, f"{{{SFR}}}CSV"),
                              wait_seconds=int(wait) if wait.isdigit() else 0, records=tuple(records))


@contextmanager
def certificate_files(material: SigningMaterial) -> Iterator[tuple[str, str]]:
    """Write the certificate and key as PEM files in a private temporary folder; delete them afterwards."""
    folder = tempfile.mkdtemp(prefix="gestiq-aeat-")
    os.chmod(folder, 0o700)
    cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    try:
        for path, data in (
            (cert_path, material.certificate.public_bytes(serialization.Encoding.PEM)
             + b"".join(item.public_bytes(serialization.Encoding.PEM) for item in material.chain)),
            (key_path, material.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption())),
        ):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
        yield str(cert_path), str(key_path)
    finally:
        for path in (cert_path, key_path):
            path.unlink(missing_ok=True)
        os.rmdir(folder)


class VerifactuClient:
    """Send SOAP envelopes to the AEAT endpoint, presenting the tenant's certificate when required."""

    def __init__(self, *, url: str, material: SigningMaterial | None, timeout: float = 30.0,
                 verify: bool | str = True, http: requests.Session | None = None) -> None:
        """Keep the endpoint, the certificate (None only for a plain-HTTP test endpoint) and the timeout."""
        self.url = url
        self.material = material
        self.timeout = (min(10.0, timeout), timeout)
        self.verify = verify
        self.http = http or requests.Session()

    def _post(self, envelope: bytes, cert: tuple[str, str] | None) -> requests.Response:
        try:
            return self.http.post(self.url, data=envelope, timeout=self.timeout, cert=cert, verify=self.verify,
                                  headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
        except requests.RequestException as error:
            raise VerifactuTransientError(f"No se pudo conectar con la AEAT: {type(error).__name__}") from error

    def submit(self, envelope: bytes) -> SubmissionResponse:
        """Send one RegFactuSistemaFacturacion envelope and return the AEAT's answer."""
        if self.material is None:
            response = self._post(envelope, None)
        else:
            with certificate_files(self.material) as cert:
                response = self._post(envelope, cert)
        if response.status_code >= 500 and b"Fault" not in response.content:
            raise VerifactuTransientError(f"La AEAT respondió HTTP {response.status_code}")
        if 400 <= response.status_code < 500:
            raise VerifactuRequestError(f"La AEAT rechazó la petición (HTTP {response.status_code})")
        return parse_response(response.content)
