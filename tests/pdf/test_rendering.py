"""Invoice, credit note and quote PDFs: the text pdftotext reads, embedded fonts, the VERI*FACTU QR, hooks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from gestiq_app.pdf import context as pdf_context
from gestiq_app.pdf import rendering, services
from gestiq_app.pdf.branding import update_branding
from gestiq_app.pdf.qr import qr_png
from gestiq_app.sales import services as sales_services
from gestiq_app.tenancy.context import tenant_context
from tests.pdf.conftest import first_page_png, pdf_fonts, pdf_images, pdf_text
from tests.sales.helpers import ACTOR, add_product, create_invoice, credit, issue, issued_invoice, line

NBSP = "\xa0"


def _spanish_invoice(tenant, customer):  # type: ignore[no-untyped-def]
    service = add_product(tenant, name="Asesoría fiscal", kind="service", unit_price=D("250.00"))
    return issued_invoice(tenant, customer, [
        line("10", "100.00", description="Tornillería inox caja 100"),
        line("3", "33.333", "reducido", discount_percent="10", description="Material reducido"),
        {"product_id": service.id, "quantity": D("2")},
        line("1", "19.99", "reducido", description="Guía de montaje"),
    ], issue_date=date(2026, 5, 4))


def _render(tenant, document_id, kinds=("invoice", "credit_note")):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return services.get_document_pdf(tenant_id=tenant.id, document_id=document_id, kinds=kinds)


def test_spanish_invoice_pdf_text_has_number_tax_id_each_tax_line_and_total_in_es_es(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.crm.models import Customer

    with tenant_context(es_tenant.id):
        from gestiq_app.extensions import db
        db.session.get(Customer, es_customer.id).is_irpf_professional = True
        db.session.commit()
    invoice = _spanish_invoice(es_tenant, es_customer)
    pdf = _render(es_tenant, invoice.id)
    assert pdf.filename == f"{invoice.full_number}.pdf"
    assert pdf.content.startswith(b"%PDF-")
    first_page_png(pdf.content, "invoice-es")
    text = pdf_text(pdf.content, tmp_path)
    flat = " ".join(text.split())
    assert invoice.full_number in flat
    assert es_customer.tax_id in flat
    assert "04/05/2026" in flat
    for expected in (
        "IVA 21 % 1.500,00 € 315,00 €",
        "IVA 10 % 109,99 € 11,00 €",
        "Recargo de equivalencia 5,2 % 1.000,00 € 52,00 €",
        "Recargo de equivalencia 1,4 % 109,99 € 1,54 €",
        "Retención IRPF 15 % 500,00 € -75,00 €",
        "Base imponible 1.609,99 €",
        "TOTAL 1.914,53 €",
    ):
        assert expected in flat.replace(NBSP, " "), expected
    assert "BORRADOR" not in flat
    assert "QR tributario:" in flat and "VERI*FACTU" in flat
    images = pdf_images(pdf.content, tmp_path)
    assert len(images) == 1  # the QR (no logo uploaded)
    columns = images[0].split()
    width_px, x_ppi = int(columns[3]), int(columns[12])
    qr_modules_mm = width_px / x_ppi * 25.4 * 45 / 53  # the symbol without its 4-module quiet zones
    assert 30 <= qr_modules_mm <= 40, qr_modules_mm


def test_babel_gives_these_exact_strings_for_es_es_and_es_ec() -> None:
    es, ec = pdf_context.Formatter("es_ES", "EUR"), pdf_context.Formatter("es_EC", "USD")
    assert es.money(D("1234.56")) == f"1.234,56{NBSP}€"
    assert ec.money(D("1234.56")) == "$1.234,56"
    assert es.rate(D("5.2000")) == "5,2 %" and ec.rate(D("15.0000")) == "15 %"
    assert es.date(date(2026, 1, 5)) == "05/01/2026"
    assert es.number(D("3.000")) == "3" and es.number(D("33.3330")) == "33,333"


def test_ecuadorian_invoice_pdf_text_in_es_ec_without_verifactu_qr(ec_tenant, ec_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = [line("1", "1000.00", description="Servicio de instalación")] + [
        line("2", "5.50", "reducido", description=f"Repuesto {index:02d}") for index in range(1, 18)
    ] + [line("4", "12.25", "cero", description="Canasta básica"), line("1", "100.00", description="Transporte")]
    invoice = issued_invoice(ec_tenant, ec_customer, lines, issue_date=date(2026, 3, 2))
    assert len(invoice.lines) == 20
    pdf = _render(ec_tenant, invoice.id)
    first_page_png(pdf.content, "invoice-ec")
    flat = " ".join(pdf_text(pdf.content, tmp_path).split()).replace(NBSP, " ")
    assert invoice.full_number in flat and ec_customer.tax_id in flat
    # 15 % on 1.100,00; 5 % on 17 × 11,00 = 187,00; 0 % on 49,00
    for expected in ("IVA 15 % $1.100,00 $165,00", "IVA 5 % $187,00 $9,35", "IVA 0 % $49,00 $0,00",
                     "Base imponible $1.336,00", "TOTAL $1.510,35"):
        assert expected in flat, expected
    assert "VERI*FACTU" not in flat and "QR tributario" not in flat
    assert pdf_images(pdf.content, tmp_path) == []
    assert "Página 1" in flat and "Página 2" not in flat  # 20 lines fit on one page


def test_fonts_are_embedded(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    invoice = issued_invoice(es_tenant, es_customer, [line("1", "10")])
    content = _render(es_tenant, invoice.id).content
    rows = [row.split() for row in pdf_fonts(content, tmp_path).splitlines()[2:]]
    embedded = {row[0].split("+")[-1] for row in rows if row[-5] == "yes"}
    assert embedded == {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold"}
    # xhtml2pdf declares Helvetica for the empty fragments tables make; no glyph is drawn with it.
    used: set[str] = set()

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip() and font is not None:
            used.add(str(font["/BaseFont"]).split("+")[-1])

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    assert used == {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold"}


def test_draft_pdf_has_the_borrador_watermark_and_is_not_stored(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app import storage

    draft = create_invoice(es_tenant, es_customer, [line("2", "10")])
    pdf = _render(es_tenant, draft.id)
    assert pdf.filename == f"borrador-{str(draft.id)[:8]}.pdf"
    first_page_png(pdf.content, "invoice-draft")
    assert "BORRADOR" in pdf_text(pdf.content, tmp_path)
    assert not pdf.was_stored and list(storage.iter_files(es_tenant.id)) == []


def test_issued_pdf_is_stored_once_and_served_from_storage(es_tenant, es_customer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app import storage

    invoice = issued_invoice(es_tenant, es_customer, [line("1", "10")])
    first = _render(es_tenant, invoice.id)
    assert not first.was_stored
    assert [key for key, _ in storage.iter_files(es_tenant.id)] == [f"pdf/invoice/{invoice.id}.pdf"]
    monkeypatch.setattr(services, "render_document", lambda **kwargs: pytest.fail("rendered again"))
    second = _render(es_tenant, invoice.id)
    assert second.was_stored and second.content == first.content


def test_verifactu_qr_url_in_context_and_png_is_a_qr(es_tenant, es_customer, app) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.pdf.branding import get_branding

    invoice = issued_invoice(es_tenant, es_customer, [line("1", "100")], issue_date=date(2026, 2, 3))
    with tenant_context(es_tenant.id):
        document = sales_services.get_document(tenant_id=es_tenant.id, document_id=invoice.id)
        context = pdf_context.build_context(document, tenant=pdf_context.tenant_row(es_tenant.id),
                                            branding=get_branding(tenant_id=es_tenant.id))
    assert context["verifactu"]["url"] == (
        f"https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif={es_tenant.tax_id}&numserie={invoice.full_number}"
        "&fecha=03-02-2026&importe=126.20")  # 100 + IVA 21 + recargo 5,2
    assert context["verifactu"]["image"].startswith("data:image/png;base64,")
    from PIL import Image
    import io
    image = Image.open(io.BytesIO(qr_png(context["verifactu"]["url"])))
    # version 7 (45 modules) + 2 × 4 quiet modules, 8 px each
    assert image.size == (424, 424) and image.getpixel((0, 0)) == 255 and image.getpixel((32, 32)) == 0


def test_context_providers_add_payment_link_and_einvoice_block(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(es_tenant, es_customer, [line("1", "10")])

    def provider(document):  # type: ignore[no-untyped-def]
        return {"payment_url": f"https://pay.example/i/{document.id}",
                "einvoice": {"label": "Autorización SRI", "lines": [("Número de autorización", "2903202601")]}}

    pdf_context.register_pdf_context_provider(provider)
    try:
        with tenant_context(es_tenant.id):
            document = sales_services.get_document(tenant_id=es_tenant.id, document_id=invoice.id)
            content = services.render_document(tenant_id=es_tenant.id, document=document)
    finally:
        pdf_context.unregister_pdf_context_provider(provider)
    flat = " ".join(pdf_text(content, tmp_path).split())
    assert "Pagar en línea:" in flat and f"https://pay.example/i/{invoice.id}" in flat
    assert "Autorización SRI" in flat and "Número de autorización: 2903202601" in flat


def test_credit_note_and_quote_templates(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(es_tenant, es_customer, [line("2", "50")], issue_date=date(2026, 4, 1))
    note = issue(es_tenant, credit(es_tenant, invoice.id, reason="Devolución de mercancía").id)
    flat = " ".join(pdf_text(_render(es_tenant, note.id).content, tmp_path, mode="-raw").split())
    assert f"Factura rectificativa {note.full_number} · Página 1" in flat
    assert f"Rectifica a la factura {invoice.full_number} de 01/04/2026" in flat
    assert "Motivo Devolución de mercancía" in flat
    with tenant_context(es_tenant.id):
        quote = sales_services.create_document(tenant_id=es_tenant.id, kind="quote", actor=ACTOR, data={
            "customer_id": es_customer.id, "lines": [line("1", "80")], "issue_date": date(2026, 4, 2), "due_date": date(2026, 5, 2)})
    quote_pdf = _render(es_tenant, quote.id, kinds=("quote",))
    first_page_png(quote_pdf.content, "quote-es")
    flat = " ".join(pdf_text(quote_pdf.content, tmp_path).split())
    assert "PRESUPUESTO" in flat and quote.full_number in flat and "Válido hasta el 02/05/2026" in flat
    assert "VERI*FACTU" not in flat and "BORRADOR" not in flat


def test_branding_colour_footer_and_legal_text_are_printed(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(es_tenant.id):
        update_branding(tenant_id=es_tenant.id, actor=ACTOR, data={
            "color": "#aa3300", "footer": "Gracias por su confianza", "legal_text": "Inscrita en el Registro Mercantil de Valencia"})
    invoice = issued_invoice(es_tenant, es_customer, [line("1", "10")])
    with tenant_context(es_tenant.id):
        document = sales_services.get_document(tenant_id=es_tenant.id, document_id=invoice.id)
        html = rendering.render_html("invoice", pdf_context.build_context(
            document, tenant=pdf_context.tenant_row(es_tenant.id), branding=pdf_context.get_branding(tenant_id=es_tenant.id)))
    assert "color: #AA3300" in html
    flat = " ".join(pdf_text(rendering.html_to_pdf(html), tmp_path).split())
    assert "Gracias por su confianza" in flat and "Inscrita en el Registro Mercantil de Valencia" in flat


def test_fonts_and_templates_are_loaded_once_per_process(monkeypatch) -> None:
    rendering.register_fonts()
    environment = rendering.environment()
    monkeypatch.setattr(rendering, "TTFont", lambda *args: pytest.fail("font loaded again"))
    rendering.register_fonts()
    assert rendering.environment() is environment
    template = environment.get_template("pdf/invoice.html")
    assert environment.get_template("pdf/invoice.html") is template


def test_an_open_payment_link_is_printed_and_a_stale_one_is_not(es_tenant, es_customer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The payments module's provider: the link of an open request for the amount due appears on the PDF."""
    from gestiq_app.db import unit_of_work
    from gestiq_app.payments.models import PaymentRequest

    invoice = issued_invoice(es_tenant, es_customer, [line("1", "10")])
    assert "Pagar en línea" not in " ".join(pdf_text(_render(es_tenant, invoice.id).content, tmp_path).split())
    with tenant_context(es_tenant.id), unit_of_work() as current:
        current.add(PaymentRequest(document_id=invoice.id, provider="stripe", operation_id="op-stale", url="https://pay.example/stale",
                                   amount=invoice.total - D("1"), currency="EUR", state="open"))
        current.add(PaymentRequest(document_id=invoice.id, provider="stripe", operation_id="op-open", url="https://pay.example/open",
                                   amount=invoice.total, currency="EUR", state="open"))
    stored = " ".join(pdf_text(_render(es_tenant, invoice.id).content, tmp_path).split())
    assert "Pagar en línea" not in stored  # the copy stored before the link existed is served until invalidated
    with tenant_context(es_tenant.id):
        assert services.invalidate_document_pdf(tenant_id=es_tenant.id, document_id=invoice.id) is True
        assert services.invalidate_document_pdf(tenant_id=es_tenant.id, document_id=invoice.id) is False
    flat = " ".join(pdf_text(_render(es_tenant, invoice.id).content, tmp_path).split())
    assert "Pagar en línea: https://pay.example/open" in flat and "stale" not in flat
