"""Write the SRI comprobantes as XML (lxml) and validate them against the SRI XSDs when a schema folder is given.

Schemas are not shipped with the app (they are the SRI's files): `validate_xml` takes a folder, the tests pass
`../shared/reference/sri`, and the service validates only when `GESTIQ_SRI_SCHEMA_DIR` is configured (else it
logs a warning and sends unvalidated XML; the SRI validates on reception anyway and answers DEVUELTA).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Final

from lxml import etree

from gestiq_app.einvoicing.ec_sri.documents import (
    SriCreditNote,
    SriDocument,
    SriDocumentBase,
    SriInvoice,
    SriLine,
    SriPayment,
    SriRetention,
    SriTax,
    check_document,
)

log = logging.getLogger("gestiq.einvoicing.sri")

#: (root element, version attribute, XSD file name) per codDoc.
DOCUMENT_FORMATS: Final[dict[str, tuple[str, str, str]]] = {
    "01": ("factura", "2.1.0", "factura_V2.1.0.xsd"),
    "04": ("notaCredito", "1.1.0", "NotaCredito_V1.1.0.xsd"),
    "07": ("comprobanteRetencion", "2.0.0", "ComprobanteRetencion_V2.0.0.xsd"),
}


class SriSchemaError(ValueError):
    """The XML does not validate against the SRI schema; `errors` lists libxml2's messages."""

    def __init__(self, errors: list[str]) -> None:
        """Keep the validation messages."""
        super().__init__("El XML no cumple el esquema del SRI: " + "; ".join(errors[:5]))
        self.errors = errors


def amount2(value: Decimal) -> str:
    """Format money with exactly 2 decimals (XSD fractionDigits 2)."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def amount6(value: Decimal) -> str:
    """Format quantities and unit prices with 6 decimals (XSD fractionDigits 6)."""
    return str(Decimal(value).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def sri_date(value: date) -> str:
    """Format a date as dd/mm/aaaa."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _optional(parent: etree._Element, tag: str, text: str | None) -> None:
    if text:
        _sub(parent, tag, text)


def _info_tributaria(root: etree._Element, document: SriDocumentBase) -> None:
    issuer = document.issuer
    info = _sub(root, "infoTributaria")
    _sub(info, "ambiente", str(document.environment))
    _sub(info, "tipoEmision", "1")
    _sub(info, "razonSocial", issuer.legal_name)
    _optional(info, "nombreComercial", issuer.trade_name)
    _sub(info, "ruc", issuer.ruc)
    _sub(info, "claveAcceso", document.access_key)
    _sub(info, "codDoc", document.doc_type)
    _sub(info, "estab", document.establishment)
    _sub(info, "ptoEmi", document.emission_point)
    _sub(info, "secuencial", f"{document.sequential:09d}")
    _sub(info, "dirMatriz", issuer.head_office_address)
    _optional(info, "agenteRetencion", issuer.withholding_agent_resolution)
    _optional(info, "contribuyenteRimpe", issuer.rimpe_label)


def _issuer_fields(info: etree._Element, document: SriDocumentBase) -> None:
    _optional(info, "dirEstablecimiento", document.issuer.establishment_address)
    _optional(info, "contribuyenteEspecial", document.issuer.special_taxpayer_number)
    _sub(info, "obligadoContabilidad", "SI" if document.issuer.is_accounting_required else "NO")


def _tax(parent: etree._Element, tax: SriTax, *, with_rate: bool = True) -> None:
    element = _sub(parent, "impuesto")
    _sub(element, "codigo", tax.code)
    _sub(element, "codigoPorcentaje", tax.rate_code)
    if with_rate:
        _sub(element, "tarifa", amount2(tax.rate))
    _sub(element, "baseImponible", amount2(tax.base))
    _sub(element, "valor", amount2(tax.amount))


def _detalles(root: etree._Element, lines: tuple[SriLine, ...], *, credit_note: bool) -> None:
    details = _sub(root, "detalles")
    for line in lines:
        detail = _sub(details, "detalle")
        _sub(detail, "codigoInterno" if credit_note else "codigoPrincipal", line.main_code)
        _optional(detail, "codigoAdicional" if credit_note else "codigoAuxiliar", line.auxiliary_code)
        _sub(detail, "descripcion", line.description)
        if not credit_note:
            _optional(detail, "unidadMedida", line.unit)
        _sub(detail, "cantidad", amount6(line.quantity))
        _sub(detail, "precioUnitario", amount6(line.unit_price))
        _sub(detail, "descuento", amount2(line.discount))
        _sub(detail, "precioTotalSinImpuesto", amount2(line.total_without_tax))
        if line.additional_details:
            extra = _sub(detail, "detallesAdicionales")
            for name, value in line.additional_details:
                _sub(extra, "detAdicional", nombre=name, valor=value)
        taxes = _sub(detail, "impuestos")
        for tax in line.taxes:
            _tax(taxes, tax)


def _pagos(parent: etree._Element, payments: tuple[SriPayment, ...], *, with_terms: bool = True) -> None:
    pagos = _sub(parent, "pagos")
    for payment in payments:
        pago = _sub(pagos, "pago")
        _sub(pago, "formaPago", payment.method)
        _sub(pago, "total", amount2(payment.total))
        if with_terms and payment.term is not None:
            _sub(pago, "plazo", amount2(payment.term))
            _sub(pago, "unidadTiempo", payment.time_unit or "dias")


def _info_adicional(root: etree._Element, document: SriDocumentBase) -> None:
    if not document.additional_info:
        return
    info = _sub(root, "infoAdicional")
    for name, value in document.additional_info:
        _sub(info, "campoAdicional", value, nombre=name)


def _factura(document: SriInvoice) -> etree._Element:
    root = etree.Element("factura", id="comprobante", version="2.1.0")
    _info_tributaria(root, document)
    info = _sub(root, "infoFactura")
    _sub(info, "fechaEmision", sri_date(document.issue_date))
    _issuer_fields(info, document)
    _sub(info, "tipoIdentificacionComprador", document.buyer.id_type)
    _sub(info, "razonSocialComprador", document.buyer.legal_name)
    _sub(info, "identificacionComprador", document.buyer.id_number)
    _optional(info, "direccionComprador", document.buyer.address)
    _sub(info, "totalSinImpuestos", amount2(document.totals.total_without_taxes))
    _sub(info, "totalDescuento", amount2(document.totals.total_discount))
    totals = _sub(info, "totalConImpuestos")
    for tax in document.totals.tax_totals:
        total = _sub(totals, "totalImpuesto")
        _sub(total, "codigo", tax.code)
        _sub(total, "codigoPorcentaje", tax.rate_code)
        _sub(total, "baseImponible", amount2(tax.base))
        _sub(total, "tarifa", amount2(tax.rate))
        _sub(total, "valor", amount2(tax.amount))
    _sub(info, "propina", amount2(document.totals.tip))
    _sub(info, "importeTotal", amount2(document.totals.total))
    _sub(info, "moneda", document.currency)
    if document.payments:
        _pagos(info, document.payments)
    _detalles(root, document.lines, credit_note=False)
    _info_adicional(root, document)
    return root


def _nota_credito(document: SriCreditNote) -> etree._Element:
    root = etree.Element("notaCredito", id="comprobante", version="1.1.0")
    _info_tributaria(root, document)
    info = _sub(root, "infoNotaCredito")
    _sub(info, "fechaEmision", sri_date(document.issue_date))
    _optional(info, "dirEstablecimiento", document.issuer.establishment_address)
    _sub(info, "tipoIdentificacionComprador", document.buyer.id_type)
    _sub(info, "razonSocialComprador", document.buyer.legal_name)
    _sub(info, "identificacionComprador", document.buyer.id_number)
    _optional(info, "contribuyenteEspecial", document.issuer.special_taxpayer_number)
    _sub(info, "obligadoContabilidad", "SI" if document.issuer.is_accounting_required else "NO")
    modified = document.modified_document
    _sub(info, "codDocModificado", modified.doc_type)
    _sub(info, "numDocModificado", modified.number)
    _sub(info, "fechaEmisionDocSustento", sri_date(modified.issue_date))
    _sub(info, "totalSinImpuestos", amount2(document.totals.total_without_taxes))
    _sub(info, "valorModificacion", amount2(document.totals.total))
    _sub(info, "moneda", document.currency)
    totals = _sub(info, "totalConImpuestos")
    for tax in document.totals.tax_totals:
        total = _sub(totals, "totalImpuesto")
        _sub(total, "codigo", tax.code)
        _sub(total, "codigoPorcentaje", tax.rate_code)
        _sub(total, "baseImponible", amount2(tax.base))
        _sub(total, "valor", amount2(tax.amount))
    _sub(info, "motivo", document.reason)
    _detalles(root, document.lines, credit_note=True)
    _info_adicional(root, document)
    return root


def _comprobante_retencion(document: SriRetention) -> etree._Element:
    root = etree.Element("comprobanteRetencion", id="comprobante", version="2.0.0")
    _info_tributaria(root, document)
    info = _sub(root, "infoCompRetencion")
    _sub(info, "fechaEmision", sri_date(document.issue_date))
    _issuer_fields(info, document)
    _sub(info, "tipoIdentificacionSujetoRetenido", document.subject.id_type)
    _optional(info, "tipoSujetoRetenido", document.subject_kind)
    _sub(info, "parteRel", "SI" if document.is_related_party else "NO")
    _sub(info, "razonSocialSujetoRetenido", document.subject.legal_name)
    _sub(info, "identificacionSujetoRetenido", document.subject.id_number)
    _sub(info, "periodoFiscal", document.fiscal_period)
    supports = _sub(root, "docsSustento")
    for support in document.supporting_documents:
        element = _sub(supports, "docSustento")
        _sub(element, "codSustento", support.support_code)
        _sub(element, "codDocSustento", support.doc_type)
        _sub(element, "numDocSustento", support.number.replace("-", ""))
        _sub(element, "fechaEmisionDocSustento", sri_date(support.issue_date))
        if support.accounting_date:
            _sub(element, "fechaRegistroContable", sri_date(support.accounting_date))
        _optional(element, "numAutDocSustento", support.authorization_number)
        _sub(element, "pagoLocExt", "02" if support.is_foreign_payment else "01")
        _sub(element, "totalSinImpuestos", amount2(support.total_without_taxes))
        _sub(element, "importeTotal", amount2(support.total))
        taxes = _sub(element, "impuestosDocSustento")
        for tax in support.taxes:
            item = _sub(taxes, "impuestoDocSustento")
            _sub(item, "codImpuestoDocSustento", tax.code)
            _sub(item, "codigoPorcentaje", tax.rate_code)
            _sub(item, "baseImponible", amount2(tax.base))
            _sub(item, "tarifa", amount2(tax.rate))
            _sub(item, "valorImpuesto", amount2(tax.amount))
        retentions = _sub(element, "retenciones")
        for line in support.retentions:
            item = _sub(retentions, "retencion")
            _sub(item, "codigo", line.code)
            _sub(item, "codigoRetencion", line.retention_code)
            _sub(item, "baseImponible", amount2(line.base))
            _sub(item, "porcentajeRetener", amount2(line.percentage))
            _sub(item, "valorRetenido", amount2(line.amount))
        _pagos(element, support.payments, with_terms=False)
    _info_adicional(root, document)
    return root


def build_document_xml(document: SriDocument) -> bytes:
    """Check the document and return its unsigned XML (UTF-8, with declaration)."""
    check_document(document)
    if isinstance(document, SriInvoice):
        root = _factura(document)
    elif isinstance(document, SriCreditNote):
        root = _nota_credito(document)
    else:
        root = _comprobante_retencion(document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@lru_cache(maxsize=16)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def schema_path(schema_dir: str | Path, doc_type: str) -> Path:
    """Return the XSD file of a document type inside a schema folder."""
    return Path(schema_dir) / DOCUMENT_FORMATS[doc_type][2]


def strip_signature(root: etree._Element) -> etree._Element:
    """Return a copy of a comprobante without its ds:Signature (the SRI XSDs do not declare it)."""
    copy = etree.fromstring(etree.tostring(root))
    for signature in copy.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        copy.remove(signature)
    return copy


def validate_xml(xml: bytes, xsd_path: str | Path) -> None:
    """Validate a comprobante (signed or not) against an XSD file; raise SriSchemaError with every error."""
    root = strip_signature(etree.fromstring(xml))
    schema = _schema(str(Path(xsd_path).resolve()))
    if not schema.validate(root):
        raise SriSchemaError([f"línea {error.line}: {error.message}" for error in schema.error_log])


def validate_if_configured(xml: bytes, doc_type: str, schema_dir: str) -> bool:
    """Validate against the configured schema folder; without one, log a warning and return False."""
    if not schema_dir:
        log.warning("GESTIQ_SRI_SCHEMA_DIR is not set: SRI XML sent without local XSD validation")
        return False
    validate_xml(xml, schema_path(schema_dir, doc_type))
    return True
