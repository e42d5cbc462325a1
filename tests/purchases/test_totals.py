"""Purchase totals as a pure function: deductible and non-deductible IVA, Ecuadorian withholdings, receipts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from gestiq_app.purchases.totals import PurchaseLineInput, Rate, compute_expense_totals, compute_purchase_totals, split_gross

IVA21, IVA10, IVA15 = Rate("general", D("21")), Rate("reducido", D("10")), Rate("general", D("15"), "4")


def test_deductible_and_non_deductible_iva_are_separate_groups_rounded_once() -> None:
    totals = compute_purchase_totals([
        PurchaseLineInput(quantity=D("3"), unit_price=D("33.33"), discount_percent=D("0"), iva=IVA21),
        PurchaseLineInput(quantity=D("1"), unit_price=D("50.00"), discount_percent=D("0"), iva=IVA21, is_iva_deductible=False),
        PurchaseLineInput(quantity=D("2"), unit_price=D("12.3450"), discount_percent=D("10"), iva=IVA10),
    ])
    assert totals.line_bases == (D("99.99"), D("50.00"), D("22.22"))
    assert [(t.category, t.rate, t.is_deductible, t.base, t.amount) for t in totals.taxes] == [
        ("general", D("21.0000"), True, D("99.99"), D("21.00")),
        ("general", D("21.0000"), False, D("50.00"), D("10.50")),
        ("reducido", D("10.0000"), True, D("22.22"), D("2.22")),
    ]
    assert (totals.subtotal, totals.tax_total, totals.deductible_tax_total, totals.withholding_total, totals.total) == (
        D("172.21"), D("33.72"), D("23.22"), D("0.00"), D("205.93"))


def test_ecuadorian_withholdings_on_goods_and_services() -> None:
    """Worked example: 1000.00 of goods (312 at 1.75 %, 30 % of the IVA) and 500.00 of services (3440 at 2.75 %, 70 %)."""
    goods = PurchaseLineInput(quantity=D("10"), unit_price=D("100"), discount_percent=D("0"), iva=IVA15,
                              renta_withholding=Rate("bienes_muebles", D("1.75"), "312"), iva_withholding=Rate("iva_30", D("30"), "1"))
    services = PurchaseLineInput(quantity=D("1"), unit_price=D("500"), discount_percent=D("0"), iva=IVA15,
                                 renta_withholding=Rate("otras", D("2.75"), "3440"), iva_withholding=Rate("iva_70", D("70"), "2"))
    totals = compute_purchase_totals([goods, services])
    assert [(w.kind, w.code, w.rate, w.base, w.amount) for w in totals.withholdings] == [
        ("renta", "312", D("1.7500"), D("1000.00"), D("17.50")),
        ("renta", "3440", D("2.7500"), D("500.00"), D("13.75")),
        ("iva", "1", D("30.0000"), D("150.00"), D("45.00")),
        ("iva", "2", D("70.0000"), D("75.00"), D("52.50")),
    ]
    assert (totals.subtotal, totals.tax_total, totals.total, totals.withholding_total, totals.payable) == (
        D("1500.00"), D("225.00"), D("1725.00"), D("128.75"), D("1596.25"))


def test_iva_withholding_on_zero_rated_lines_withholds_nothing() -> None:
    line = PurchaseLineInput(quantity=D("1"), unit_price=D("80"), discount_percent=D("0"), iva=Rate("cero", D("0"), "0"),
                             iva_withholding=Rate("iva_30", D("30"), "1"))
    assert compute_purchase_totals([line]).withholdings == ()


@pytest.mark.parametrize(("gross", "rate", "given", "expected"), [
    ("12.10", "21", None, ("10.00", "2.10")),
    ("10.00", "21", None, ("8.26", "1.74")),
    ("10.00", "21", "1.73", ("8.27", "1.73")),
    ("9.99", "0", None, ("9.99", "0.00")),
])
def test_a_receipt_is_split_into_base_and_iva_keeping_its_gross(gross, rate, given, expected) -> None:  # type: ignore[no-untyped-def]
    assert split_gross(D(gross), D(rate), D(given) if given else None) == (D(expected[0]), D(expected[1]))


def test_expense_totals_keep_the_receipt_amount() -> None:
    totals = compute_expense_totals(gross=D("10.00"), iva=IVA21, is_iva_deductible=False)
    assert (totals.subtotal, totals.tax_total, totals.deductible_tax_total, totals.total) == (D("8.26"), D("1.74"), D("0.00"), D("10.00"))
