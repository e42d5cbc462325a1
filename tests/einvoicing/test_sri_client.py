"""SRI SOAP clients against the local fake (request and answer shapes checked against the SRI WSDL schemas)."""

from __future__ import annotations

import socket

import pytest
from lxml import etree

from gestiq_app.einvoicing.ec_sri.client import (
    SriClient,
    SriTransientError,
    authorization_envelope,
    parse_authorization_response,
    reception_envelope,
    service_address,
)
from gestiq_app.einvoicing.ec_sri.signing import load_p12, sign_comprobante
from gestiq_app.einvoicing.ec_sri.xml import build_document_xml
from tests.einvoicing.conftest import P12_PASSWORD
from tests.einvoicing.fake_sri import wsdl_schema
from tests.einvoicing.samples import ec_invoice

SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"


def _client(fake) -> SriClient:  # type: ignore[no-untyped-def]
    return SriClient(reception_url=fake.reception_url, authorization_url=fake.authorization_url, timeout=5)


def _signed(test_certificate) -> bytes:  # type: ignore[no-untyped-def]
    return sign_comprobante(build_document_xml(ec_invoice()), load_p12(test_certificate[2], P12_PASSWORD))


def test_request_envelopes_match_the_wsdl_schemas(sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    reception = etree.fromstring(reception_envelope(b"<factura/>")).find(f"{SOAP}Body")[0]
    authorization = etree.fromstring(authorization_envelope("1" * 49)).find(f"{SOAP}Body")[0]
    assert wsdl_schema(sri_schema_dir / "RecepcionComprobantesOffline.wsdl").validate(reception)
    assert wsdl_schema(sri_schema_dir / "AutorizacionComprobantesOffline.wsdl").validate(authorization)
    assert reception.findtext("xml") == "PGZhY3R1cmEvPg=="


def test_the_wsdl_url_is_posted_without_its_query() -> None:
    assert service_address("https://celcer.sri.gob.ec/comprobantes-electronicos-ws/RecepcionComprobantesOffline?wsdl") == \
        "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/RecepcionComprobantesOffline"


def test_received_then_authorized(fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    key = ec_invoice().access_key
    client = _client(fake_sri)
    reception = client.send(_signed(test_certificate))
    assert (reception.state, reception.is_received, reception.messages) == ("RECIBIDA", True, ())
    authorization = client.authorize(key)
    assert (authorization.state, authorization.authorization_number, authorization.environment) == ("AUTORIZADO", key, "PRUEBAS")
    assert authorization.authorized_at == "2025-03-14T10:20:30.000-05:00"
    assert etree.fromstring(authorization.authorized_xml.encode()).findtext("infoTributaria/claveAcceso") == key


def test_devuelta_carries_the_sri_messages(fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    key = ec_invoice().access_key
    fake_sri.script(key, reception=[("DEVUELTA", [("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML", "Se encontró el tag ruc vacío")])])
    reception = _client(fake_sri).send(_signed(test_certificate))
    assert (reception.state, reception.is_received) == ("DEVUELTA", False)
    assert [m.as_dict() for m in reception.messages] == [{"identificador": "35", "mensaje": "ARCHIVO NO CUMPLE ESTRUCTURA XML",
                                                          "informacionAdicional": "Se encontró el tag ruc vacío", "tipo": "ERROR"}]


def test_clave_already_registered_counts_as_received(fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    key = ec_invoice().access_key
    fake_sri.script(key, reception=[("DEVUELTA", [("43", "CLAVE ACCESO REGISTRADA", "")])])
    assert _client(fake_sri).send(_signed(test_certificate)).is_received is True


def test_en_proceso_then_no_autorizado(fake_sri) -> None:  # type: ignore[no-untyped-def]
    key = ec_invoice().access_key
    fake_sri.script(key, authorization=["EN PROCESO", ("NO AUTORIZADO", [("39", "FIRMA INVALIDA", "El certificado no es de firma")])])
    client = _client(fake_sri)
    first = client.authorize(key)
    assert (first.state, first.is_pending) == ("EN PROCESO", True)
    second = client.authorize(key)
    assert (second.state, second.is_pending, second.is_authorized) == ("NO AUTORIZADO", False, False)
    assert second.messages[0].identifier == "39"


def test_http_5xx_is_retryable(fake_sri, test_certificate) -> None:  # type: ignore[no-untyped-def]
    fake_sri.script(ec_invoice().access_key, reception=[503])
    with pytest.raises(SriTransientError, match="HTTP 503"):
        _client(fake_sri).send(_signed(test_certificate))


def test_network_failure_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SriClient(reception_url=f"http://127.0.0.1:{port}/r?wsdl", authorization_url=f"http://127.0.0.1:{port}/a", timeout=2)
    with pytest.raises(SriTransientError, match="No se pudo conectar"):
        client.authorize("1" * 49)


def test_a_lot_with_an_authorized_attempt_wins() -> None:
    body = (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            b'<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion"><RespuestaAutorizacionComprobante>'
            b"<claveAccesoConsultada>1</claveAccesoConsultada><numeroComprobantes>2</numeroComprobantes><autorizaciones>"
            b"<autorizacion><estado>NO AUTORIZADO</estado><mensajes/></autorizacion>"
            b"<autorizacion><estado>AUTORIZADO</estado><numeroAutorizacion>123</numeroAutorizacion></autorizacion>"
            b"</autorizaciones></RespuestaAutorizacionComprobante></ns2:autorizacionComprobanteResponse></soap:Body></soap:Envelope>")
    result = parse_authorization_response(body)
    assert (result.state, result.authorization_number) == ("AUTORIZADO", "123")


def test_garbage_is_retryable() -> None:
    with pytest.raises(SriTransientError):
        parse_authorization_response(b"<html>Bad gateway</html")
