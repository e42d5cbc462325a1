"""Acceptance (#4): the PDF of a demo invoice (demo-es, demo-ec) holds, as text, the number, the customer's tax id,
each tax line and the total in the tenant's locale; page 1 is kept as a PNG in test-artifacts/."""

from __future__ import annotations

from sqlalchemy import select

from gestiq_app.demo import seed_demo
from gestiq_app.extensions import db
from gestiq_app.pdf import services
from gestiq_app.pdf.context import TAX_LABELS, formatter_for
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.services import get_document
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant
from tests.pdf.conftest import first_page_png, pdf_text

NBSP = "\xa0"


def test_demo_invoice_pdfs_in_both_countries(app_context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    list(seed_demo())
    for slug, symbol in (("demo-es", "€"), ("demo-ec", "$")):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        with tenant_context(tenant.id):
            invoice_id = db.session.scalar(select(SalesDocument.id).where(
                SalesDocument.kind == "invoice", SalesDocument.state != "draft").order_by(SalesDocument.issue_date.desc()).limit(1))
            invoice = get_document(tenant_id=tenant.id, document_id=invoice_id)
            pdf = services.get_document_pdf(tenant_id=tenant.id, document_id=invoice_id)
        first_page_png(pdf.content, f"demo-invoice-{tenant.country.lower()}")
        flat = " ".join(pdf_text(pdf.content, tmp_path).split()).replace(NBSP, " ")
        fmt = formatter_for(tenant)
        assert invoice.full_number in flat and invoice.customer_tax_id in flat
        assert invoice.taxes, slug
        for tax in invoice.taxes:
            amount = -tax.amount if tax.tax_type == "irpf" else tax.amount
            expected = f"{TAX_LABELS[tax.tax_type]} {fmt.rate(tax.rate)} {fmt.money(tax.base)} {fmt.money(amount)}".replace(NBSP, " ")
            assert expected in flat, (slug, expected)
        total = fmt.money(invoice.total).replace(NBSP, " ")
        assert f"TOTAL {total}" in flat and symbol in total
        # the locale's separators: es_ES "1.234,56 €", es_EC "$1.234,56"
        assert total.endswith(" €") if symbol == "€" else total.startswith("$")
        assert ("," + f"{invoice.total:.2f}"[-2:]) in total
        db.session.expunge_all()
