"""Realistic e-invoicing inputs: an Ecuadorian factura with 15 %, 5 % and 0 % lines, a nota de crédito, a
retención, and Spanish VERI*FACTU invoices (the AEAT worked examples among them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from gestiq_app.einvoicing.ec_sri.documents import (
    SriBuyer,
    SriCreditNote,
    SriInvoice,
    SriIssuer,
    SriLine,
    SriModifiedDocument,
    SriPayment,
    SriRetention,
    SriRetentionLine,
    SriSupportingDocument,
    line_tax,
    totals_from_lines,
)
from gestiq_app.einvoicing.es_verifactu.records import (
    VerifactuBreakdown,
    VerifactuCancellation,
    VerifactuInvoice,
    VerifactuParty,
    VerifactuRectified,
)

EC_ISSUER = SriIssuer(
    ruc="1792146739001",
    legal_name="COMERCIALIZADORA ANDINA DEL PACIFICO S.A.",
    trade_name="Andina Tech",
    head_office_address="Av. Amazonas N34-451 y Av. Atahualpa, Quito",
    establishment_address="Av. 9 de Octubre 1220 y Tulcán, Guayaquil",
    is_accounting_required=True,
    special_taxpayer_number="5368",
)
EC_BUYER = SriBuyer(id_type="05", id_number="1710034065", legal_name="María José Paredes Vinueza",
                    address="Calle Los Pinos E7-89, Cumbayá")


def ec_invoice_lines() -> tuple[SriLine, ...]:
    """Three lines: a laptop at 15 % (with a discount), transport at 5 % and books at 0 %."""
    laptop_base = D("2") * D("850.00") - D("50.00")
    transport_base = D("120.50")
    books_base = (D("3") * D("12.333333")).quantize(D("0.01"))
    return (
        SriLine(main_code="LAP-T14", auxiliary_code="7501031311309", description="Laptop Lenovo ThinkPad T14 Gen 4",
                unit="unidad", quantity=D("2"), unit_price=D("850.00"), discount=D("50.00"),
                total_without_tax=laptop_base, taxes=(line_tax(rate_code="4", rate=D("15"), base=laptop_base),),
                additional_details=(("Garantía", "12 meses"),)),
        SriLine(main_code="TRA-UIO", description="Servicio de transporte Quito - Guayaquil", quantity=D("1"),
                unit_price=D("120.50"), discount=D("0"), total_without_tax=transport_base,
                taxes=(line_tax(rate_code="5", rate=D("5"), base=transport_base),)),
        SriLine(main_code="LIB-001", description="Libros técnicos de contabilidad", quantity=D("3"),
                unit_price=D("12.333333"), discount=D("0"), total_without_tax=books_base,
                taxes=(line_tax(rate_code="0", rate=D("0"), base=books_base),)),
    )


def ec_invoice(*, sequential: int = 123, environment: int = 1) -> SriInvoice:
    """The demo factura 001-002-000000123 of 14/03/2025: 1807.50 + IVA 253.53 = 2061.03."""
    lines = ec_invoice_lines()
    totals = totals_from_lines(lines)
    return SriInvoice(
        environment=environment, issuer=EC_ISSUER, establishment="001", emission_point="002", sequential=sequential,
        issue_date=date(2025, 3, 14), numeric_code="12345678", buyer=EC_BUYER, lines=lines, totals=totals,
        payments=(SriPayment(method="20", total=totals.total, term=D("30"), time_unit="dias"),),
        additional_info=(("Email", "mjparedes@example.ec"), ("Teléfono", "0991234567")),
    )


def ec_credit_note(*, sequential: int = 7) -> SriCreditNote:
    """A nota de crédito returning one laptop of the demo factura."""
    base = D("825.00")
    lines = (
        SriLine(main_code="LAP-T14", description="Devolución Laptop Lenovo ThinkPad T14 Gen 4", quantity=D("1"),
                unit_price=D("850.00"), discount=D("25.00"), total_without_tax=base,
                taxes=(line_tax(rate_code="4", rate=D("15"), base=base),)),
    )
    return SriCreditNote(
        environment=1, issuer=EC_ISSUER, establishment="001", emission_point="002", sequential=sequential,
        issue_date=date(2025, 3, 20), numeric_code="87654321", buyer=EC_BUYER,
        modified_document=SriModifiedDocument(doc_type="01", number="001-002-000000123", issue_date=date(2025, 3, 14)),
        reason="Devolución de mercadería defectuosa", lines=lines, totals=totals_from_lines(lines),
    )


def ec_retention(*, sequential: int = 45) -> SriRetention:
    """A retención on a supplier's factura: 2.75 % renta (code 3440) and 30 % of the IVA (code 1)."""
    base = D("1000.00")
    iva = line_tax(rate_code="4", rate=D("15"), base=base)
    return SriRetention(
        environment=1, issuer=EC_ISSUER, establishment="001", emission_point="002", sequential=sequential,
        issue_date=date(2025, 3, 15), numeric_code="11223344",
        subject=SriBuyer(id_type="04", id_number="0990017514001", legal_name="DISTRIBUIDORA COSTERA CIA. LTDA."),
        is_related_party=False, subject_kind=None, fiscal_period="03/2025",
        supporting_documents=(
            SriSupportingDocument(
                support_code="01", doc_type="01", number="001-001-000004567", issue_date=date(2025, 3, 12),
                authorization_number="1203202501099001751400110010010000045671234567816",
                total_without_taxes=base, total=D("1150.00"), taxes=(iva,),
                retentions=(
                    SriRetentionLine(code="1", retention_code="3440", base=base, percentage=D("2.75"), amount=D("27.50")),
                    SriRetentionLine(code="2", retention_code="1", base=D("150.00"), percentage=D("30"), amount=D("45.00")),
                ),
                payments=(SriPayment(method="20", total=D("1150.00")),),
            ),
        ),
        additional_info=(("Email", "proveedores@costera.example.ec"),),
    )


ES_ISSUER_NIF = "89890001K"
ES_ISSUER_NAME = "Empresa Ejemplo SL"


def es_invoice(number: str = "12345678/G33", *, issue_date: date = date(2024, 1, 1), invoice_type: str = "F1",
               base: D = D("111.10"), rate: D = D("21"), cuota: D | None = None) -> VerifactuInvoice:
    """A registro de alta; by default the figures of AEAT worked example 6.1 (cuota 12.35, total 123.45)."""
    tax = cuota if cuota is not None else D("12.35")
    recipients = () if invoice_type == "F2" else (VerifactuParty(name="Cliente Ejemplo SA", nif="A39200019"),)
    return VerifactuInvoice(
        issuer_nif=ES_ISSUER_NIF, issuer_name=ES_ISSUER_NAME, invoice_number=number, issue_date=issue_date,
        invoice_type=invoice_type, description="Venta de material de oficina", recipients=recipients,
        breakdown=(VerifactuBreakdown(rate=rate, base=base, tax=tax),), total_tax=tax, total_amount=base + tax,
    )


def es_rectifying_invoice(number: str = "R-2024-0001") -> VerifactuInvoice:
    """An R1 rectificativa por diferencias of the 6.1 invoice (returns 10.00 + IVA)."""
    return VerifactuInvoice(
        issuer_nif=ES_ISSUER_NIF, issuer_name=ES_ISSUER_NAME, invoice_number=number, issue_date=date(2024, 1, 15),
        invoice_type="R1", rectification_kind="I", description="Devolución parcial",
        rectified=(VerifactuRectified(issuer_nif=ES_ISSUER_NIF, invoice_number="12345678/G33", issue_date=date(2024, 1, 1)),),
        recipients=(VerifactuParty(name="Cliente Ejemplo SA", nif="A39200019"),),
        breakdown=(VerifactuBreakdown(rate=D("21"), base=D("-10.00"), tax=D("-2.10")),),
        total_tax=D("-2.10"), total_amount=D("-12.10"),
    )


def es_cancellation(number: str = "12345679/G34", *, issue_date: date = date(2024, 1, 1)) -> VerifactuCancellation:
    """A registro de anulación (AEAT worked example 6.3 by default)."""
    return VerifactuCancellation(issuer_nif=ES_ISSUER_NIF, issuer_name=ES_ISSUER_NAME, invoice_number=number,
                                 issue_date=issue_date)
