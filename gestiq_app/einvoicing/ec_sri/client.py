"""SOAP clients of the SRI offline web services: reception (validarComprobante) and authorization
(autorizacionComprobante), built with lxml and requests.

Envelope shapes follow the SRI WSDLs (document/literal, unqualified children). Outcomes:
- final: DEVUELTA (the SRI refused the XML), NO AUTORIZADO, HTTP 4xx;
- retryable (SriTransientError): network errors and timeouts, HTTP 5xx (SOAP faults), unreadable answers,
  EN PROCESO / no authorization yet, and the SRI's own "clave en procesamiento" reception message (70).
DEVUELTA with message 43 "CLAVE ACCESO REGISTRADA" means an earlier attempt was received already: the caller
goes on to ask for the authorization instead of treating it as a refusal.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Final

import requests
from lxml import etree

SOAPENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
RECEPTION_NS: Final = "http://ec.gob.sri.ws.recepcion"
AUTHORIZATION_NS: Final = "http://ec.gob.sri.ws.autorizacion"
#: Reception message identifiers with a special meaning.
ALREADY_REGISTERED: Final = "43"
IN_PROCESS: Final = "70"


class SriTransientError(RuntimeError):
    """A failure worth retrying later (network, timeout, 5xx, unreadable answer)."""


class SriRequestError(RuntimeError):
    """A request the SRI refused outright (HTTP 4xx): retrying the same request will not help."""


@dataclass(frozen=True)
class SriMessage:
    """One mensaje of the SRI: identificador, mensaje, informacionAdicional and tipo (ERROR, ADVERTENCIA…)."""

    identifier: str
    message: str
    additional_info: str = ""
    type: str = ""

    def as_dict(self) -> dict[str, str]:
        """Return the message as a JSON-ready dict."""
        return {"identificador": self.identifier, "mensaje": self.message,
                "informacionAdicional": self.additional_info, "tipo": self.type}


@dataclass(frozen=True)
class ReceptionResult:
    """The answer of validarComprobante: RECIBIDA or DEVUELTA, with the SRI's messages."""

    state: str
    messages: tuple[SriMessage, ...] = ()

    @property
    def is_received(self) -> bool:
        """Tell whether the SRI has the comprobante (now or from an earlier attempt)."""
        return self.state == "RECIBIDA" or any(m.identifier == ALREADY_REGISTERED for m in self.messages)

    @property
    def is_in_process(self) -> bool:
        """Tell whether the SRI is still processing an earlier submission of the same clave."""
        return self.state == "DEVUELTA" and any(m.identifier == IN_PROCESS for m in self.messages)


@dataclass(frozen=True)
class AuthorizationResult:
    """The answer of autorizacionComprobante for one clave."""

    state: str
    authorization_number: str = ""
    authorized_at: str = ""
    environment: str = ""
    authorized_xml: str = ""
    messages: tuple[SriMessage, ...] = field(default_factory=tuple)

    @property
    def is_authorized(self) -> bool:
        """Tell whether the comprobante is AUTORIZADO."""
        return self.state == "AUTORIZADO"

    @property
    def is_pending(self) -> bool:
        """Tell whether the SRI has not decided yet (EN PROCESO or no answer for the clave)."""
        return self.state in ("EN PROCESO", "")


def service_address(url: str) -> str:
    """Return the SOAP address of a web service given by its WSDL URL (without the ?wsdl query)."""
    return url.split("?", 1)[0]


def reception_envelope(signed_xml: bytes) -> bytes:
    """Build the validarComprobante request with the signed comprobante in base64."""
    envelope = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV, "ec": RECEPTION_NS})
    etree.SubElement(envelope, f"{{{SOAPENV}}}Header")
    call = etree.SubElement(etree.SubElement(envelope, f"{{{SOAPENV}}}Body"), f"{{{RECEPTION_NS}}}validarComprobante")
    etree.SubElement(call, "xml").text = base64.b64encode(signed_xml).decode("ascii")
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def authorization_envelope(access_key: str) -> bytes:
    """Build the autorizacionComprobante request for a clave de acceso."""
    envelope = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV, "ec": AUTHORIZATION_NS})
    etree.SubElement(envelope, f"{{{SOAPENV}}}Header")
    call = etree.SubElement(etree.SubElement(envelope, f"{{{SOAPENV}}}Body"), f"{{{AUTHORIZATION_NS}}}autorizacionComprobante")
    etree.SubElement(call, "claveAccesoComprobante").text = access_key
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _any(path: str) -> str:
    # The WSDL makes comprobante, autorizacion and mensaje namespace-qualified (global elements used by ref);
    # answers seen in the wild also carry them unqualified, so every step matches any namespace.
    return "/".join(f"{{*}}{step}" for step in path.split("/"))


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(_any(path))
    return (found.text or "").strip() if found is not None else ""


def _messages(container: etree._Element | None) -> tuple[SriMessage, ...]:
    if container is None:
        return ()
    return tuple(
        SriMessage(identifier=_text(item, "identificador"), message=_text(item, "mensaje"),
                   additional_info=_text(item, "informacionAdicional"), type=_text(item, "tipo"))
        for item in container.iter("{*}mensaje") if item.find("{*}identificador") is not None
    )


def _body(content: bytes) -> etree._Element:
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        raise SriTransientError(f"Respuesta del SRI ilegible: {error}") from error
    body = root.find(f"{{{SOAPENV}}}Body")
    if body is None or not len(body):
        raise SriTransientError("Respuesta del SRI sin cuerpo SOAP")
    return body[0]


def parse_reception_response(content: bytes) -> ReceptionResult:
    """Parse a validarComprobanteResponse."""
    answer = _body(content).find(_any("RespuestaRecepcionComprobante"))
    state = _text(answer, "estado")
    if state not in ("RECIBIDA", "DEVUELTA"):
        raise SriTransientError(f"Estado de recepción desconocido: {state!r}")
    return ReceptionResult(state=state, messages=_messages(answer.find(_any("comprobantes")) if answer is not None else None))


def parse_authorization_response(content: bytes) -> AuthorizationResult:
    """Parse an autorizacionComprobanteResponse (no autorizacion element yet = still in process)."""
    answer = _body(content).find(_any("RespuestaAutorizacionComprobante"))
    authorizations = answer.findall(_any("autorizaciones/autorizacion")) if answer is not None else []
    if not authorizations:
        return AuthorizationResult(state="EN PROCESO")
    # When a clave was sent several times the SRI lists every attempt; an AUTORIZADO one wins.
    chosen = next((item for item in authorizations if _text(item, "estado") == "AUTORIZADO"), authorizations[0])
    state = _text(chosen, "estado")
    if state not in ("AUTORIZADO", "NO AUTORIZADO", "EN PROCESO"):
        raise SriTransientError(f"Estado de autorización desconocido: {state!r}")
    return AuthorizationResult(
        state=state, authorization_number=_text(chosen, "numeroAutorizacion"),
        authorized_at=_text(chosen, "fechaAutorizacion"), environment=_text(chosen, "ambiente"),
        authorized_xml=_text(chosen, "comprobante"), messages=_messages(chosen.find(_any("mensajes"))),
    )


class SriClient:
    """Call the SRI reception and authorization services of one environment."""

    def __init__(self, *, reception_url: str, authorization_url: str, timeout: float = 30.0,
                 http: requests.Session | None = None) -> None:
        """Keep the service addresses, the read timeout and an optional requests session."""
        self.reception_url = service_address(reception_url)
        self.authorization_url = service_address(authorization_url)
        self.timeout = (min(10.0, timeout), timeout)
        self.http = http or requests.Session()

    def _post(self, url: str, envelope: bytes) -> bytes:
        try:
            response = self.http.post(url, data=envelope, timeout=self.timeout,
                                      headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
        except requests.RequestException as error:
            raise SriTransientError(f"No se pudo conectar con el SRI: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise SriTransientError(f"El SRI respondió HTTP {response.status_code}")
        if response.status_code >= 400:
            raise SriRequestError(f"El SRI rechazó la petición (HTTP {response.status_code})")
        return response.content

    def send(self, signed_xml: bytes) -> ReceptionResult:
        """Send a signed comprobante to reception."""
        return parse_reception_response(self._post(self.reception_url, reception_envelope(signed_xml)))

    def authorize(self, access_key: str) -> AuthorizationResult:
        """Ask for the authorization of a clave de acceso."""
        return parse_authorization_response(self._post(self.authorization_url, authorization_envelope(access_key)))
