"""Typed inputs of the SRI engine: factura 2.1.0, nota de crédito 1.1.0, comprobante de retención 2.0.0.

The sales module maps its documents onto these dataclasses. Money is Decimal everywhere; the XML writer
formats it as the XSDs require (2 decimals, 6 for quantities and unit prices). Codes follow the SRI
"Ficha técnica de comprobantes electrónicos esquema offline" tables (tipos de identificación, impuestos,
formas de pago).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from gestiq_app.fiscal.sri_access_key import build_access_key

#: tipoIdentificacionComprador (Tabla 6).
BUYER_ID_TYPES: Final[dict[str, str]] = {
    "04": "RUC",
    "05": "Cédula",
    "06": "Pasaporte",
    "07": "Consumidor final",
    "08": "Identificación del exterior",
}
#: codigo de impuesto (Tabla 16): 2 IVA, 3 ICE, 5 IRBPNR.
TAX_CODES: Final[dict[str, str]] = {"2": "IVA", "3": "ICE", "5": "IRBPNR"}
#: IVA codigoPorcentaje (Tabla 17) used by the RIDE's subtotals; rates come from the tax catalog, not from here.
IVA_RATE_LABELS: Final[dict[str, str]] = {
    "0": "0%", "2": "12%", "3": "14%", "4": "15%", "5": "5%", "6": "No objeto de IVA", "7": "Exento de IVA",
    "8": "IVA diferenciado", "10": "13%",
}
#: formaPago (Tabla 24).
PAYMENT_METHODS: Final[dict[str, str]] = {
    "01": "Sin utilización del sistema financiero",
    "15": "Compensación de deudas",
    "16": "Tarjeta de débito",
    "17": "Dinero electrónico",
    "18": "Tarjeta prepago",
    "19": "Tarjeta de crédito",
    "20": "Otros con utilización del sistema financiero",
    "21": "Endoso de títulos",
}
#: Retention codigo (comprobante de retención 2.0.0): 1 renta, 2 IVA, 6 ISD.
RETENTION_TAX_CODES: Final[dict[str, str]] = {"1": "Renta", "2": "IVA", "6": "ISD"}
RIMPE_LABELS: Final = ("CONTRIBUYENTE RÉGIMEN RIMPE", "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE")

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round an amount to cents, half up (the SRI's rounding)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class SriDocumentError(ValueError):
    """A document the SRI would refuse: every problem found, in Spanish."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the list of problems."""
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SriIssuer:
    """The emisor (the tenant): infoTributaria and the issuer part of infoFactura."""

    ruc: str
    legal_name: str
    head_office_address: str
    is_accounting_required: bool
    trade_name: str | None = None
    establishment_address: str | None = None
    special_taxpayer_number: str | None = None
    rimpe_label: str | None = None
    withholding_agent_resolution: str | None = None


@dataclass(frozen=True)
class SriBuyer:
    """The comprador (or sujeto retenido): tipo de identificación 04–08, number, name and address."""

    id_type: str
    id_number: str
    legal_name: str
    address: str | None = None


@dataclass(frozen=True)
class SriTax:
    """One tax of a line (impuesto): codigo 2 IVA, codigoPorcentaje, tarifa (%), baseImponible, valor."""

    rate_code: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    code: str = "2"


@dataclass(frozen=True)
class SriLine:
    """One detalle: quantities and unit prices keep 6 decimals, the rest 2."""

    main_code: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    total_without_tax: Decimal
    taxes: tuple[SriTax, ...]
    auxiliary_code: str | None = None
    unit: str | None = None
    additional_details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SriTaxTotal:
    """One totalImpuesto: the taxes of every line grouped by (codigo, codigoPorcentaje)."""

    code: str
    rate_code: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class SriTotals:
    """Document totals: subtotal without taxes, discounts, per-rate taxes, tip and importe total."""

    total_without_taxes: Decimal
    total_discount: Decimal
    tax_totals: tuple[SriTaxTotal, ...]
    total: Decimal
    tip: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class SriPayment:
    """One pago: formaPago code, total, optional plazo and unidadTiempo (e.g. 30 dias)."""

    method: str
    total: Decimal
    term: Decimal | None = None
    time_unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class SriDocumentBase:
    """Fields every comprobante shares: environment, issuer, numbering, date and numeric code."""

    environment: int
    issuer: SriIssuer
    establishment: str
    emission_point: str
    sequential: int
    issue_date: date
    additional_info: tuple[tuple[str, str], ...] = ()
    numeric_code: str = ""

    doc_type: str = field(default="", init=False)

    @property
    def effective_numeric_code(self) -> str:
        """Return the 8-digit código numérico: the given one, else a stable one derived from the numbering.

        Derived (not random) so that rebuilding the same document gives the same clave de acceso.
        """
        if self.numeric_code:
            return self.numeric_code
        seed = f"{self.issuer.ruc}|{self.doc_type}|{self.establishment}|{self.emission_point}|{self.sequential}"
        return f"{int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 100_000_000:08d}"

    @property
    def access_key(self) -> str:
        """Return the 49-digit clave de acceso of the document."""
        return build_access_key(
            issue_date=self.issue_date, doc_type=self.doc_type, ruc=self.issuer.ruc, environment=self.environment,
            establishment=self.establishment, emission_point=self.emission_point, sequential=self.sequential,
            numeric_code=self.effective_numeric_code,
        )

    @property
    def document_number(self) -> str:
        """Return the printed number, e.g. 001-002-000000123."""
        return f"{self.establishment}-{self.emission_point}-{self.sequential:09d}"


@dataclass(frozen=True, kw_only=True)
class SriInvoice(SriDocumentBase):
    """A factura (codDoc 01), XML version 2.1.0."""

    buyer: SriBuyer
    lines: tuple[SriLine, ...]
    totals: SriTotals
    payments: tuple[SriPayment, ...] = ()
    currency: str = "DOLAR"
    doc_type: str = field(default="01", init=False)


@dataclass(frozen=True)
class SriModifiedDocument:
    """The document a nota de crédito modifies: type (01 factura), number 001-001-000000001 and date."""

    doc_type: str
    number: str
    issue_date: date


@dataclass(frozen=True, kw_only=True)
class SriCreditNote(SriDocumentBase):
    """A nota de crédito (codDoc 04), XML version 1.1.0."""

    buyer: SriBuyer
    modified_document: SriModifiedDocument
    reason: str
    lines: tuple[SriLine, ...]
    totals: SriTotals
    currency: str = "DOLAR"
    doc_type: str = field(default="04", init=False)


@dataclass(frozen=True)
class SriRetentionLine:
    """One retención: codigo 1 renta / 2 IVA / 6 ISD, codigoRetencion, base, porcentaje and valor retenido."""

    code: str
    retention_code: str
    base: Decimal
    percentage: Decimal
    amount: Decimal


@dataclass(frozen=True)
class SriSupportingDocument:
    """A docSustento of a retention: the purchase document, its taxes and the retentions applied to it."""

    support_code: str
    doc_type: str
    number: str
    issue_date: date
    total_without_taxes: Decimal
    total: Decimal
    taxes: tuple[SriTax, ...]
    retentions: tuple[SriRetentionLine, ...]
    payments: tuple[SriPayment, ...]
    authorization_number: str | None = None
    accounting_date: date | None = None
    is_foreign_payment: bool = False


@dataclass(frozen=True, kw_only=True)
class SriRetention(SriDocumentBase):
    """A comprobante de retención (codDoc 07), XML version 2.0.0."""

    subject: SriBuyer
    is_related_party: bool = False
    subject_kind: str | None = None
    fiscal_period: str
    supporting_documents: tuple[SriSupportingDocument, ...]
    doc_type: str = field(default="07", init=False)


SriDocument = SriInvoice | SriCreditNote | SriRetention


def line_tax(*, rate_code: str, rate: Decimal, base: Decimal, code: str = "2") -> SriTax:
    """Return a line tax with valor = base × tarifa / 100, rounded to cents."""
    return SriTax(code=code, rate_code=rate_code, rate=Decimal(rate), base=money(base), amount=money(base * rate / 100))


def totals_from_lines(lines: tuple[SriLine, ...] | list[SriLine], *, tip: Decimal = Decimal("0")) -> SriTotals:
    """Compute the totals the SRI expects from the lines: taxes grouped by (codigo, codigoPorcentaje)."""
    groups: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for line in lines:
        for tax in line.taxes:
            key = (tax.code, tax.rate_code)
            base, rate = groups.get(key, (Decimal("0"), tax.rate))
            groups[key] = (base + tax.base, rate)
    tax_totals = tuple(
        SriTaxTotal(code=code, rate_code=rate_code, rate=rate, base=money(base), amount=money(base * rate / 100))
        for (code, rate_code), (base, rate) in sorted(groups.items(), key=lambda item: (item[0][0], int(item[0][1])))
    )
    subtotal = money(sum((line.total_without_tax for line in lines), Decimal("0")))
    discount = money(sum((line.discount for line in lines), Decimal("0")))
    total = money(subtotal + sum((tax.amount for tax in tax_totals), Decimal("0")) + tip)
    return SriTotals(total_without_taxes=subtotal, total_discount=discount, tax_totals=tax_totals, total=total, tip=money(tip))


def check_document(document: SriDocument) -> None:
    """Raise SriDocumentError listing every inconsistency the SRI would reject (totals, codes, payments)."""
    problems: list[str] = []
    if document.environment not in (1, 2):
        problems.append("El ambiente debe ser 1 (pruebas) o 2 (producción)")
    if document.issuer.rimpe_label is not None and document.issuer.rimpe_label not in RIMPE_LABELS:
        problems.append("La leyenda RIMPE no es ninguna de las admitidas por el SRI")
    if len(document.additional_info) > 15:
        problems.append("Como máximo 15 campos de información adicional")
    if isinstance(document, SriRetention):
        _check_retention(document, problems)
    else:
        _check_sale(document, problems)
    if problems:
        raise SriDocumentError(problems)


def _check_sale(document: SriInvoice | SriCreditNote, problems: list[str]) -> None:
    if document.buyer.id_type not in BUYER_ID_TYPES:
        problems.append(f"Tipo de identificación del comprador {document.buyer.id_type!r} no válido (04 a 08)")
    if not document.lines:
        problems.append("El comprobante debe tener al menos una línea")
    for number, line in enumerate(document.lines, start=1):
        expected = money(line.quantity * line.unit_price - line.discount)
        if abs(expected - line.total_without_tax) > CENT:
            problems.append(f"Línea {number}: el precio total sin impuestos debería ser {expected}")
        for tax in line.taxes:
            if tax.code not in TAX_CODES:
                problems.append(f"Línea {number}: código de impuesto {tax.code!r} no válido")
            if abs(money(tax.base * tax.rate / 100) - tax.amount) > CENT:
                problems.append(f"Línea {number}: el valor del impuesto no corresponde a la base y la tarifa")
    expected_totals = totals_from_lines(document.lines, tip=document.totals.tip)
    if abs(expected_totals.total_without_taxes - document.totals.total_without_taxes) > CENT:
        problems.append(f"El total sin impuestos debería ser {expected_totals.total_without_taxes}")
    expected_taxes = {(t.code, t.rate_code): t for t in expected_totals.tax_totals}
    given_taxes = {(t.code, t.rate_code): t for t in document.totals.tax_totals}
    if set(expected_taxes) != set(given_taxes):
        problems.append("Los totales por impuesto no corresponden a las tarifas de las líneas")
    else:
        for key, tax in given_taxes.items():
            if abs(tax.base - expected_taxes[key].base) > CENT or abs(tax.amount - expected_taxes[key].amount) > CENT:
                problems.append(f"El total del impuesto {key[0]}/{key[1]} no corresponde a las líneas")
    computed_total = document.totals.total_without_taxes + sum(t.amount for t in document.totals.tax_totals) + document.totals.tip
    if abs(money(computed_total) - document.totals.total) > CENT:
        problems.append(f"El importe total debería ser {money(computed_total)}")
    if isinstance(document, SriInvoice):
        for payment in document.payments:
            if payment.method not in PAYMENT_METHODS:
                problems.append(f"Forma de pago {payment.method!r} no válida")
        if document.payments and money(sum(p.total for p in document.payments)) != document.totals.total:
            problems.append("La suma de las formas de pago debe ser igual al importe total")
    if isinstance(document, SriCreditNote) and not document.reason.strip():
        problems.append("La nota de crédito necesita un motivo")


def _check_retention(document: SriRetention, problems: list[str]) -> None:
    if document.subject.id_type not in BUYER_ID_TYPES:
        problems.append(f"Tipo de identificación del sujeto retenido {document.subject.id_type!r} no válido")
    if not document.supporting_documents:
        problems.append("La retención debe tener al menos un documento sustento")
    for support in document.supporting_documents:
        for line in support.retentions:
            if line.code not in RETENTION_TAX_CODES:
                problems.append(f"Código de retención {line.code!r} no válido (1 renta, 2 IVA, 6 ISD)")
            if abs(money(line.base * line.percentage / 100) - line.amount) > CENT:
                problems.append(f"Retención {line.retention_code}: el valor retenido no corresponde a la base y el porcentaje")
