"""A local fake of the SRI offline web services (werkzeug on 127.0.0.1, in a thread).

It answers validarComprobante and autorizacionComprobante with the SRI's envelope shapes
(RespuestaRecepcionComprobante; RespuestaAutorizacionComprobante with the comprobante in CDATA,
numeroAutorizacion, fechaAutorizacion and ambiente), checks every request body against the schema embedded
in the SRI WSDL, and is scriptable per clave de acceso:

    fake.script(key, reception=["RECIBIDA"], authorization=["EN PROCESO", "AUTORIZADO"])
    fake.script(key, reception=[("DEVUELTA", [("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML", "…")])])
    fake.script(key, reception=[503, "RECIBIDA"])          # an HTTP error first, then a normal answer

Each call consumes the next step of its list; the last step repeats.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
RECEPTION_NS = "http://ec.gob.sri.ws.recepcion"
AUTHORIZATION_NS = "http://ec.gob.sri.ws.autorizacion"
XS = "http://www.w3.org/2001/XMLSchema"


def wsdl_schema(wsdl_path: Path) -> etree.XMLSchema:
    """Compile the XML schema embedded in a WSDL's wsdl:types."""
    wsdl = etree.parse(str(wsdl_path))
    schema = wsdl.find(f"{{http://schemas.xmlsoap.org/wsdl/}}types/{{{XS}}}schema")
    return etree.XMLSchema(etree.fromstring(etree.tostring(schema)))


@dataclass
class Script:
    """What the fake answers for one clave."""

    reception: list[Any] = field(default_factory=lambda: ["RECIBIDA"])
    authorization: list[Any] = field(default_factory=lambda: ["AUTORIZADO"])


class FakeSri:
    """The fake server: start(), script(), urls, calls; stop()."""

    def __init__(self, reference_dir: Path, *, delay_seconds: float = 0.0, remember_received: bool = False) -> None:
        """Load the WSDL schemas used to check requests and answers.

        `delay_seconds` delays every answer (after `arrived` counts the request); with `remember_received`, a clave
        already RECIBIDA is answered DEVUELTA with message 43 "CLAVE ACCESO REGISTRADA", as the real SRI does.
        """
        self.remember_received = remember_received
        self.arrived = 0
        self.reception_schema = wsdl_schema(reference_dir / "RecepcionComprobantesOffline.wsdl")
        self.authorization_schema = wsdl_schema(reference_dir / "AutorizacionComprobantesOffline.wsdl")
        self.scripts: dict[str, Script] = {}
        self.calls: list[tuple[str, str]] = []
        self.received: dict[str, bytes] = {}
        self.delay_seconds = delay_seconds
        self._positions: dict[tuple[str, str], int] = defaultdict(int)
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/comprobantes-electronicos-ws"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def reception_url(self) -> str:
        """Return the reception WSDL URL (as configured in production)."""
        return f"{self.base_url}/RecepcionComprobantesOffline?wsdl"

    @property
    def authorization_url(self) -> str:
        """Return the authorization WSDL URL."""
        return f"{self.base_url}/AutorizacionComprobantesOffline?wsdl"

    def start(self) -> FakeSri:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()

    def script(self, access_key: str, *, reception: list[Any] | None = None, authorization: list[Any] | None = None) -> None:
        """Set the answers for one clave de acceso."""
        self.scripts[access_key] = Script(reception or ["RECIBIDA"], authorization or ["AUTORIZADO"])

    def count(self, operation: str, access_key: str | None = None) -> int:
        """Count the calls of an operation (validarComprobante or autorizacionComprobante)."""
        return sum(1 for op, key in self.calls if op == operation and (access_key is None or key == access_key))

    def _next(self, operation: str, access_key: str) -> Any:
        script = self.scripts.get(access_key, Script())
        steps = script.reception if operation == "validarComprobante" else script.authorization
        with self._lock:
            position = self._positions[(operation, access_key)]
            self._positions[(operation, access_key)] = position + 1
        return steps[min(position, len(steps) - 1)]

    def _app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.arrived += 1
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        try:
            envelope = etree.fromstring(request.get_data())
            call = envelope.find(f"{{{SOAPENV}}}Body")[0]
        except (etree.XMLSyntaxError, TypeError, IndexError):
            return self._fault("Cuerpo SOAP ilegible")(environ, start_response)
        schema = self.reception_schema if call.tag == f"{{{RECEPTION_NS}}}validarComprobante" else self.authorization_schema
        if not schema.validate(call):
            return self._fault(str(schema.error_log))(environ, start_response)
        if call.tag == f"{{{RECEPTION_NS}}}validarComprobante":
            response = self._reception(call)
        else:
            response = self._authorization(call)
        return response(environ, start_response)

    @staticmethod
    def _fault(text: str) -> Response:
        body = (f'<soap:Envelope xmlns:soap="{SOAPENV}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode>'
                f"<faultstring>{text}</faultstring></soap:Fault></soap:Body></soap:Envelope>")
        return Response(body, status=500, content_type="text/xml; charset=utf-8")

    @staticmethod
    def _envelope(payload: etree._Element) -> Response:
        envelope = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soap": SOAPENV})
        etree.SubElement(envelope, f"{{{SOAPENV}}}Body").append(payload)
        return Response(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"), content_type="text/xml; charset=utf-8")

    @staticmethod
    def _messages(parent: etree._Element, messages: list[tuple[str, ...]], namespace: str, default_type: str = "ERROR") -> None:
        container = etree.SubElement(parent, "mensajes")
        for item in messages:
            identifier, text, *rest = item
            # mensaje is a global element used by ref in the WSDL schema: namespace-qualified; its children are not.
            message = etree.SubElement(container, f"{{{namespace}}}mensaje")
            etree.SubElement(message, "identificador").text = identifier
            etree.SubElement(message, "mensaje").text = text
            if rest and rest[0]:
                etree.SubElement(message, "informacionAdicional").text = rest[0]
            etree.SubElement(message, "tipo").text = rest[1] if len(rest) > 1 else default_type

    def _reception(self, call: etree._Element) -> Response:
        signed = base64.b64decode(call.findtext("xml") or "")
        access_key = etree.fromstring(signed).findtext("infoTributaria/claveAcceso") or ""
        self.calls.append(("validarComprobante", access_key))
        step = self._next("validarComprobante", access_key)
        if self.remember_received and access_key in self.received and step == "RECIBIDA":
            step = ("DEVUELTA", [("43", "CLAVE ACCESO REGISTRADA", None)])
        if isinstance(step, int):
            return Response("Servicio no disponible", status=step)
        state, messages = (step, []) if isinstance(step, str) else step
        if state == "RECIBIDA":
            self.received[access_key] = signed
        answer = etree.Element(f"{{{RECEPTION_NS}}}validarComprobanteResponse", nsmap={"ns2": RECEPTION_NS})
        result = etree.SubElement(answer, "RespuestaRecepcionComprobante")
        etree.SubElement(result, "estado").text = state
        comprobantes = etree.SubElement(result, "comprobantes")
        if messages:
            comprobante = etree.SubElement(comprobantes, f"{{{RECEPTION_NS}}}comprobante")
            etree.SubElement(comprobante, "claveAcceso").text = access_key
            self._messages(comprobante, messages, RECEPTION_NS)
        assert self.reception_schema.validate(answer), self.reception_schema.error_log
        return self._envelope(answer)

    def _authorization(self, call: etree._Element) -> Response:
        access_key = call.findtext("claveAccesoComprobante") or ""
        self.calls.append(("autorizacionComprobante", access_key))
        step = self._next("autorizacionComprobante", access_key)
        if isinstance(step, int):
            return Response("Servicio no disponible", status=step)
        state, messages = (step, []) if isinstance(step, str) else step
        answer = etree.Element(f"{{{AUTHORIZATION_NS}}}autorizacionComprobanteResponse", nsmap={"ns2": AUTHORIZATION_NS})
        result = etree.SubElement(answer, "RespuestaAutorizacionComprobante")
        etree.SubElement(result, "claveAccesoConsultada").text = access_key
        if state == "EN PROCESO":
            etree.SubElement(result, "numeroComprobantes").text = "0"
            etree.SubElement(result, "autorizaciones")
        else:
            etree.SubElement(result, "numeroComprobantes").text = "1"
            authorization = etree.SubElement(etree.SubElement(result, "autorizaciones"), f"{{{AUTHORIZATION_NS}}}autorizacion")
            etree.SubElement(authorization, "estado").text = state
            if state == "AUTORIZADO":
                etree.SubElement(authorization, "numeroAutorizacion").text = access_key
            etree.SubElement(authorization, "fechaAutorizacion").text = "2025-03-14T10:20:30.000-05:00"
            etree.SubElement(authorization, "ambiente").text = "PRUEBAS" if access_key[23:24] == "1" else "PRODUCCIÓN"
            document = self.received.get(access_key, b"").decode("utf-8")
            etree.SubElement(authorization, "comprobante").text = etree.CDATA(document)
            self._messages(authorization, messages, AUTHORIZATION_NS)
        assert self.authorization_schema.validate(answer), self.authorization_schema.error_log
        return self._envelope(answer)
