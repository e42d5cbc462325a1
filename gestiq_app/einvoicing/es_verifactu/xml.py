"""Write stored VERI*FACTU records as RegistroAlta / RegistroAnulacion inside a SuministroLR envelope.

Built from the stored record only (its columns and `details`), so a resend carries exactly the values that
were hashed. Tests validate the output against the AEAT SuministroLR.xsd (an lxml resolver maps the W3C
xmldsig URL to a local copy); the app itself does not need the schemas.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.fiscal.verifactu_hash import format_issue_date

_BASE: Final = "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/"
SF: Final = _BASE + "SuministroInformacion.xsd"
SFLR: Final = _BASE + "SuministroLR.xsd"
SFR: Final = _BASE + "RespuestaSuministro.xsd"
SOAPENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
NSMAP: Final = {"sfLR": SFLR, "sf": SF}


def _sf(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{SF}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _optional(parent: etree._Element, tag: str, text: str | None) -> None:
    if text:
        _sf(parent, tag, text)


def _yes_no(value: bool) -> str:
    return "S" if value else "N"


def _party(parent: etree._Element, tag: str, party: dict[str, Any]) -> None:
    element = _sf(parent, tag)
    _sf(element, "NombreRazon", party["name"])
    if party.get("nif"):
        _sf(element, "NIF", party["nif"])
    else:
        other = _sf(element, "IDOtro")
        _optional(other, "CodigoPais", party.get("country"))
        _sf(other, "IDType", party.get("other_id_type") or "02")
        _sf(other, "ID", party["other_id"])


def _invoice_ids(parent: etree._Element, tag: str, items: list[dict[str, Any]], item_tag: str) -> None:
    if not items:
        return
    container = _sf(parent, tag)
    for item in items:
        element = _sf(container, item_tag)
        _sf(element, "IDEmisorFactura", item["issuer_nif"])
        _sf(element, "NumSerieFactura", item["invoice_number"])
        _sf(element, "FechaExpedicionFactura", _aeat_date(item["issue_date"]))


def _aeat_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}-{month}-{year}"


def _chain(parent: etree._Element, record: VerifactuRecord, previous: VerifactuRecord | None) -> None:
    chain = _sf(parent, "Encadenamiento")
    if previous is None:
        _sf(chain, "PrimerRegistro", "S")
        return
    link = _sf(chain, "RegistroAnterior")
    _sf(link, "IDEmisorFactura", previous.issuer_nif)
    _sf(link, "NumSerieFactura", previous.invoice_number)
    _sf(link, "FechaExpedicionFactura", format_issue_date(previous.issue_date))
    _sf(link, "Huella", record.previous_huella)


def _software(parent: etree._Element, software: dict[str, Any]) -> None:
    element = _sf(parent, "SistemaInformatico")
    _sf(element, "NombreRazon", software["producer_name"])
    _sf(element, "NIF", software["producer_nif"])
    _sf(element, "NombreSistemaInformatico", software["system_name"])
    _sf(element, "IdSistemaInformatico", software["system_id"])
    _sf(element, "Version", software["version"])
    _sf(element, "NumeroInstalacion", software["installation_number"])
    _sf(element, "TipoUsoPosibleSoloVerifactu", _yes_no(software["is_verifactu_only"]))
    _sf(element, "TipoUsoPosibleMultiOT", _yes_no(software["is_multi_taxpayer_capable"]))
    _sf(element, "IndicadorMultiplesOT", _yes_no(software["is_multi_taxpayer_in_use"]))


def _breakdown(parent: etree._Element, lines: list[dict[str, Any]]) -> None:
    desglose = _sf(parent, "Desglose")
    for line in lines:
        detail = _sf(desglose, "DetalleDesglose")
        _sf(detail, "Impuesto", line["tax_code"])
        _sf(detail, "ClaveRegimen", line["regime_key"])
        if line.get("exemption_code"):
            _sf(detail, "OperacionExenta", line["exemption_code"])
        else:
            _sf(detail, "CalificacionOperacion", line["operation_kind"])
            _sf(detail, "TipoImpositivo", line["rate"])
        _sf(detail, "BaseImponibleOimporteNoSujeto", line["base"])
        if not line.get("exemption_code"):
            _sf(detail, "CuotaRepercutida", line["tax"])
        if line.get("surcharge_rate") is not None:
            _sf(detail, "TipoRecargoEquivalencia", line["surcharge_rate"])
            _sf(detail, "CuotaRecargoEquivalencia", line["surcharge"])


def _registro_alta(parent: etree._Element, record: VerifactuRecord, previous: VerifactuRecord | None) -> None:
    invoice, software = record.details["invoice"], record.details["software"]
    alta = _sf(parent, "RegistroAlta")
    _sf(alta, "IDVersion", "1.0")
    ids = _sf(alta, "IDFactura")
    _sf(ids, "IDEmisorFactura", record.issuer_nif)
    _sf(ids, "NumSerieFactura", record.invoice_number)
    _sf(ids, "FechaExpedicionFactura", format_issue_date(record.issue_date))
    _sf(alta, "NombreRazonEmisor", record.issuer_name)
    if invoice.get("is_correction"):
        _sf(alta, "Subsanacion", "S")
    if invoice.get("is_after_rejection"):
        _sf(alta, "RechazoPrevio", "X" if not invoice.get("is_correction") else "S")
    _sf(alta, "TipoFactura", record.invoice_type)
    _optional(alta, "TipoRectificativa", invoice.get("rectification_kind"))
    _invoice_ids(alta, "FacturasRectificadas", invoice.get("rectified") or [], "IDFacturaRectificada")
    _invoice_ids(alta, "FacturasSustituidas", invoice.get("substituted") or [], "IDFacturaSustituida")
    if invoice.get("rectification_kind") == "S":
        amounts = _sf(alta, "ImporteRectificacion")
        _sf(amounts, "BaseRectificada", invoice["rectified_base"])
        _sf(amounts, "CuotaRectificada", invoice["rectified_tax"])
    if invoice.get("operation_date"):
        _sf(alta, "FechaOperacion", _aeat_date(invoice["operation_date"]))
    _sf(alta, "DescripcionOperacion", invoice["description"])
    if invoice.get("recipients"):
        recipients = _sf(alta, "Destinatarios")
        for party in invoice["recipients"]:
            _party(recipients, "IDDestinatario", party)
    _breakdown(alta, invoice["breakdown"])
    _sf(alta, "CuotaTotal", f"{record.total_tax:.2f}")
    _sf(alta, "ImporteTotal", f"{record.total_amount:.2f}")
    _chain(alta, record, previous)
    _software(alta, software)
    _sf(alta, "FechaHoraHusoGenRegistro", record.generated_at)
    _sf(alta, "TipoHuella", "01")
    _sf(alta, "Huella", record.huella)


def _registro_anulacion(parent: etree._Element, record: VerifactuRecord, previous: VerifactuRecord | None) -> None:
    cancellation, software = record.details["cancellation"], record.details["software"]
    anulacion = _sf(parent, "RegistroAnulacion")
    _sf(anulacion, "IDVersion", "1.0")
    ids = _sf(anulacion, "IDFactura")
    _sf(ids, "IDEmisorFacturaAnulada", record.issuer_nif)
    _sf(ids, "NumSerieFacturaAnulada", record.invoice_number)
    _sf(ids, "FechaExpedicionFacturaAnulada", format_issue_date(record.issue_date))
    if cancellation.get("is_without_previous_record"):
        _sf(anulacion, "SinRegistroPrevio", "S")
    if cancellation.get("is_after_rejection"):
        _sf(anulacion, "RechazoPrevio", "S")
    _chain(anulacion, record, previous)
    _software(anulacion, software)
    _sf(anulacion, "FechaHoraHusoGenRegistro", record.generated_at)
    _sf(anulacion, "TipoHuella", "01")
    _sf(anulacion, "Huella", record.huella)


def build_registration(records: list[tuple[VerifactuRecord, VerifactuRecord | None]], *, taxpayer_name: str,
                       taxpayer_nif: str) -> etree._Element:
    """Return the sfLR:RegFactuSistemaFacturacion element for (record, previous record) pairs (1 to 1000)."""
    if not 1 <= len(records) <= 1000:
        raise ValueError("Un envío lleva entre 1 y 1000 registros")
    root = etree.Element(f"{{{SFLR}}}RegFactuSistemaFacturacion", nsmap=NSMAP)
    header = etree.SubElement(root, f"{{{SFLR}}}Cabecera")
    obligado = _sf(header, "ObligadoEmision")
    _sf(obligado, "NombreRazon", taxpayer_name)
    _sf(obligado, "NIF", taxpayer_nif)
    for record, previous in records:
        container = etree.SubElement(root, f"{{{SFLR}}}RegistroFactura")
        if record.record_type == "alta":
            _registro_alta(container, record, previous)
        else:
            _registro_anulacion(container, record, previous)
    return root


def soap_envelope(body: etree._Element) -> bytes:
    """Wrap a request element in a SOAP 1.1 envelope (UTF-8, with declaration)."""
    envelope = etree.Element(f"{{{SOAPENV}}}Envelope", nsmap={"soapenv": SOAPENV})
    etree.SubElement(envelope, f"{{{SOAPENV}}}Header")
    etree.SubElement(envelope, f"{{{SOAPENV}}}Body").append(body)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
