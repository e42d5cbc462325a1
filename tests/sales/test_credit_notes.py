"""Credit notes: total and partial, limits against what remains, R1–R5 and sustitución, effect on the invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from gestiq_app.sales.exceptions import DocumentConflictError, DocumentInvalidError
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.sales import services
from tests.sales.helpers import ACTOR, add_customer, create_invoice, credit, issue, issued_invoice, line, reload

DAY = date(2026, 2, 10)


@pytest.fixture()
def invoice(es_tenant, es_customer):  # type: ignore[no-untyped-def]
    """An issued Spanish invoice: 10 x 100 at 21 % and 4 x 25 at 10 %."""
    return issued_invoice(es_tenant, es_customer, [line("10", "100"), line("4", "25", "reducido")], issue_date=DAY)


def test_total_credit_note_takes_everything_and_rectifies_the_invoice(es_tenant, invoice) -> None:  # type: ignore[no-untyped-def]
    note = credit(es_tenant, invoice.id, rectification_type="R4", issue_date=DAY)
    assert (note.kind, note.state, note.rectified_document_id, note.rectification_type, note.rectification_method) == (
        "credit_note", "draft", invoice.id, "R4", "diferencias")
    assert (note.customer_name, note.currency, note.due_date) == (invoice.customer_name, "EUR", None)
    assert [(li.source_line_id, li.quantity, li.base_amount, li.tax_rate) for li in note.lines] == [
        (invoice.lines[0].id, D("10"), D("1000.00"), D("21")), (invoice.lines[1].id, D("4"), D("100.00"), D("10"))]
    assert (note.subtotal, note.tax_total, note.total) == (D("1100.00"), D("220.00"), D("1320.00"))
    issued = issue(es_tenant, note.id)
    assert (issued.state, issued.amount_due) == ("issued", D("0"))
    rectified = reload(es_tenant, invoice.id)
    assert (rectified.state, rectified.amount_credited, rectified.amount_due) == ("rectified", D("1320.00"), D("0.00"))
    with pytest.raises(DocumentConflictError):
        credit(es_tenant, invoice.id)


def test_partial_credit_notes_may_not_exceed_what_remains(es_tenant, invoice) -> None:  # type: ignore[no-untyped-def]
    first_line, second_line = invoice.lines[0].id, invoice.lines[1].id
    note = credit(es_tenant, invoice.id, lines=[{"source_line_id": first_line, "quantity": D("4")}])
    assert (note.total, note.lines[0].base_amount) == (D("484.00"), D("400.00"))
    issue(es_tenant, note.id)
    after_one = reload(es_tenant, invoice.id)
    assert (after_one.state, after_one.amount_credited, after_one.amount_due) == ("issued", D("484.00"), D("836.00"))
    with pytest.raises(DocumentInvalidError) as error:
        credit(es_tenant, invoice.id, lines=[{"source_line_id": first_line, "quantity": D("6.001")}])
    assert error.value.errors == {"lines.0.quantity": ["Quedan 6.000 unidades por abonar en esta línea."]}
    with pytest.raises(DocumentInvalidError) as error:
        credit(es_tenant, invoice.id, lines=[{"source_line_id": second_line, "quantity": D("1"), "unit_price": D("25.01")},
                                             {"source_line_id": first_line, "quantity": D("1")},
                                             {"source_line_id": first_line, "quantity": D("1")}])
    assert sorted(error.value.errors) == ["lines.0.unit_price", "lines.2.source_line_id"]
    rest = issue(es_tenant, credit(es_tenant, invoice.id).id)
    assert [(li.quantity, li.base_amount) for li in rest.lines] == [(D("6.000"), D("600.00")), (D("4.000"), D("100.00"))]
    assert reload(es_tenant, invoice.id).state == "rectified"


def test_a_price_correction_credits_part_of_the_base(es_tenant, invoice) -> None:  # type: ignore[no-untyped-def]
    note = issue(es_tenant, credit(es_tenant, invoice.id, lines=[{"source_line_id": invoice.lines[1].id, "quantity": D("4"),
                                                                 "unit_price": D("5")}]).id)
    assert (note.subtotal, note.total) == (D("20.00"), D("22.00"))
    assert reload(es_tenant, invoice.id).amount_due == D("1298.00")


def test_the_credit_closing_a_line_takes_exactly_the_base_that_remains(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = issued_invoice(es_tenant, es_customer, [line("3", "0.335")], issue_date=DAY)
    assert invoice.lines[0].base_amount == D("1.01")  # 1.005 half up
    bases = [issue(es_tenant, credit(es_tenant, invoice.id, lines=[{"source_line_id": invoice.lines[0].id, "quantity": D("1")}]).id)
             .lines[0].base_amount for _ in range(3)]
    assert bases == [D("0.34"), D("0.34"), D("0.33")]
    assert reload(es_tenant, invoice.id).state == "rectified"


def test_limits_are_checked_again_when_issuing(es_tenant, invoice) -> None:  # type: ignore[no-untyped-def]
    invoice_id, six = invoice.id, [{"source_line_id": invoice.lines[0].id, "quantity": D("6")}]
    first, second_id = credit(es_tenant, invoice_id, lines=six), credit(es_tenant, invoice_id, lines=six).id
    issue(es_tenant, first.id)
    with pytest.raises(DocumentInvalidError) as error:
        issue(es_tenant, second_id)
    assert error.value.errors == {"lines.0.quantity": ["Quedan 4.000 unidades por abonar en esta línea."]}
    everything = credit(es_tenant, invoice_id)
    issue(es_tenant, everything.id)
    with pytest.raises(DocumentConflictError):
        issue(es_tenant, second_id)
    assert reload(es_tenant, second_id).state == "draft"


def test_sustitucion_must_replace_the_whole_invoice(es_tenant, invoice) -> None:  # type: ignore[no-untyped-def]
    invoice_id = invoice.id
    with pytest.raises(DocumentInvalidError) as error:
        credit(es_tenant, invoice_id, rectification_method="sustitucion", lines=[{"source_line_id": invoice.lines[0].id, "quantity": D("10")}])
    assert list(error.value.errors) == ["rectification_method"]
    note = credit(es_tenant, invoice_id, rectification_method="sustitucion", rectification_type="R2")
    assert (note.rectification_method, note.total) == ("sustitucion", D("1320.00"))


def test_spain_requires_the_rectification_type_and_ecuador_has_none(es_tenant, invoice, ec_tenant, ec_customer) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(es_tenant.id), pytest.raises(DocumentInvalidError) as error:
        from gestiq_app.sales.credit_notes import create_credit_note

        create_credit_note(tenant_id=es_tenant.id, invoice_id=invoice.id, data={"reason": "x"}, actor=ACTOR)
    assert list(error.value.errors) == ["rectification_type"]
    ec_invoice = issued_invoice(ec_tenant, ec_customer, [line("2", "10")], issue_date=DAY)
    note = credit(ec_tenant, ec_invoice.id, rectification_type="R1")
    assert (note.rectification_type, note.rectification_method, note.total) == (None, None, D("23.00"))


def test_only_issued_invoices_can_be_credited_and_not_before_their_date(es_tenant, es_customer, invoice) -> None:  # type: ignore[no-untyped-def]
    invoice_id, draft = invoice.id, create_invoice(es_tenant, es_customer, [line("1", "1")])
    with pytest.raises(DocumentConflictError):
        credit(es_tenant, draft.id)
    with pytest.raises(DocumentInvalidError) as error:
        credit(es_tenant, invoice_id, issue_date=date(2026, 2, 9))
    assert list(error.value.errors) == ["issue_date"]


def test_credit_notes_keep_the_invoiced_rates_and_withholding(es_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = add_customer(es_tenant, has_recargo_equivalencia=True, is_irpf_professional=True)
    invoice = issued_invoice(es_tenant, customer, [line("1", "100"), line("1", "200", is_service=True)], issue_date=DAY)
    note = credit(es_tenant, invoice.id)
    assert [(t.tax_type, t.rate, t.base, t.amount) for t in note.taxes] == [
        ("iva", D("21"), D("300.00"), D("63.00")), ("recargo", D("5.2"), D("100.00"), D("5.20")), ("irpf", D("15"), D("200.00"), D("30.00"))]
    assert note.total == invoice.total == D("338.20")


def test_credit_note_drafts_change_only_their_header(es_tenant, invoice) -> None:  # type: ignore[no-untyped-def]
    note = credit(es_tenant, invoice.id)
    with tenant_context(es_tenant.id):
        with pytest.raises(DocumentInvalidError) as error:
            services.update_document(tenant_id=es_tenant.id, document_id=note.id, kinds=("credit_note",), actor=ACTOR,
                                     data={"lines": [], "customer_id": invoice.customer_id})
        assert sorted(error.value.errors) == ["customer_id", "lines"]
        changed = services.update_document(tenant_id=es_tenant.id, document_id=note.id, kinds=("credit_note",), actor=ACTOR,
                                           data={"reason": "Descuento pactado", "notes": "Nota"})
    assert (changed.reason, changed.notes, changed.total) == ("Descuento pactado", "Nota", D("1320.00"))
