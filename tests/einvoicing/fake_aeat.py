"""A local fake of the AEAT VERI*FACTU endpoint (plain HTTP on 127.0.0.1, in a thread).

It validates each request against SuministroLR.xsd and answers RespuestaRegFactuSistemaFacturacion documents
that validate against RespuestaSuministro.xsd. Scriptable per invoice number (the last step repeats):
    "Correcto" | "AceptadoConErrores" | ("Incorrecto", code, description) | ("Duplicado", "Correcta") |
    503 (HTTP error) | "fault:Server" | "fault:Client"
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from lxml import etree
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from gestiq_app.einvoicing.es_verifactu.xml import SF, SFLR, SFR, SOAPENV


class FakeAeat:
    """The fake server: start(), script(), url, requests; stop()."""

    def __init__(self, *, request_schema: etree.XMLSchema, response_schema: etree.XMLSchema) -> None:
        """Keep the schemas; bind a free port."""
        self.request_schema, self.response_schema = request_schema, response_schema
        self.scripts: dict[str, list[Any]] = {}
        self.requests: list[etree._Element] = []
        self._positions: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeAeat:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()

    def script(self, invoice_number: str, steps: list[Any]) -> None:
        """Set the answers for one invoice number."""
        self.scripts[invoice_number] = steps

    def _next(self, invoice_number: str) -> Any:
        steps = self.scripts.get(invoice_number, ["Correcto"])
        with self._lock:
            position = self._positions[invoice_number]
            self._positions[invoice_number] = position + 1
        return steps[min(position, len(steps) - 1)]

    @staticmethod
    def _fault(code: str, text: str) -> Response:
        body = (f'<env:Envelope xmlns:env="{SOAPENV}"><env:Body><env:Fault><faultcode>env:{code}</faultcode>'
                f"<faultstring>{text}</faultstring></env:Fault></env:Body></env:Envelope>")
        return Response(body, status=500, content_type="text/xml; charset=utf-8")

    def _app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        envelope = etree.fromstring(request.get_data())
        payload = envelope.find(f"{{{SOAPENV}}}Body")[0]
        if not self.request_schema.validate(payload):
            return self._fault("Client", f"Codigo[4102].El XML no cumple el esquema: {self.request_schema.error_log}")(environ, start_response)
        self.requests.append(payload)
        record = payload.find(f"{{{SFLR}}}RegistroFactura")[0]
        is_alta = record.tag == f"{{{SF}}}RegistroAlta"
        ids = record.find(f"{{{SF}}}IDFactura")
        suffix = "" if is_alta else "Anulada"
        number = ids.findtext(f"{{{SF}}}NumSerieFactura{suffix}")
        step = self._next(number)
        if isinstance(step, int):
            return Response("Service Unavailable", status=step)(environ, start_response)
        if isinstance(step, str) and step.startswith("fault:"):
            return self._fault(step.split(":", 1)[1], "Error simulado")(environ, start_response)
        answer = etree.Element(f"{{{SFR}}}RespuestaRegFactuSistemaFacturacion", nsmap={"tikR": SFR, "tik": SF})
        accepted = step in ("Correcto", "AceptadoConErrores")
        if accepted:
            etree.SubElement(answer, f"{{{SFR}}}CSV").text = "A-YDSW8NLFLANWPM"
        header = etree.SubElement(answer, f"{{{SFR}}}Cabecera")
        obligado = etree.SubElement(header, f"{{{SF}}}ObligadoEmision")
        source = payload.find(f"{{{SFLR}}}Cabecera/{{{SF}}}ObligadoEmision")
        etree.SubElement(obligado, f"{{{SF}}}NombreRazon").text = source.findtext(f"{{{SF}}}NombreRazon")
        etree.SubElement(obligado, f"{{{SF}}}NIF").text = source.findtext(f"{{{SF}}}NIF")
        etree.SubElement(answer, f"{{{SFR}}}TiempoEsperaEnvio").text = "60"
        etree.SubElement(answer, f"{{{SFR}}}EstadoEnvio").text = "Correcto" if accepted else "Incorrecto"
        line = etree.SubElement(answer, f"{{{SFR}}}RespuestaLinea")
        line_ids = etree.SubElement(line, f"{{{SFR}}}IDFactura")
        for name in ("IDEmisorFactura", "NumSerieFactura", "FechaExpedicionFactura"):
            etree.SubElement(line_ids, f"{{{SF}}}{name}").text = ids.findtext(f"{{{SF}}}{name}{suffix}")
        operation = etree.SubElement(line, f"{{{SFR}}}Operacion")
        etree.SubElement(operation, f"{{{SF}}}TipoOperacion").text = "Alta" if is_alta else "Anulacion"
        if accepted:
            etree.SubElement(line, f"{{{SFR}}}EstadoRegistro").text = step
        elif step[0] == "Duplicado":
            etree.SubElement(line, f"{{{SFR}}}EstadoRegistro").text = "Incorrecto"
            etree.SubElement(line, f"{{{SFR}}}CodigoErrorRegistro").text = "3000"
            etree.SubElement(line, f"{{{SFR}}}DescripcionErrorRegistro").text = "Registro de facturación duplicado."
            duplicate = etree.SubElement(line, f"{{{SFR}}}RegistroDuplicado")
            etree.SubElement(duplicate, f"{{{SF}}}IdPeticionRegistroDuplicado").text = "202501011200000001"
            etree.SubElement(duplicate, f"{{{SF}}}EstadoRegistroDuplicado").text = step[1]
        else:
            _, code, description = step
            etree.SubElement(line, f"{{{SFR}}}EstadoRegistro").text = "Incorrecto"
            etree.SubElement(line, f"{{{SFR}}}CodigoErrorRegistro").text = code
            etree.SubElement(line, f"{{{SFR}}}DescripcionErrorRegistro").text = description
        assert self.response_schema.validate(answer), self.response_schema.error_log
        response_envelope = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"env": SOAPENV})
        etree.SubElement(response_envelope, f"{{{SOAPENV}}}Header")
        etree.SubElement(response_envelope, f"{{{SOAPENV}}}Body").append(answer)
        body = etree.tostring(response_envelope, xml_declaration=True, encoding="UTF-8")
        return Response(body, content_type="text/xml; charset=utf-8")(environ, start_response)
