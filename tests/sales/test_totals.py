"""Document totals: pure computation with exact Decimal results (rates passed in, no catalog)."""

from __future__ import annotations

from decimal import Decimal as D

from gestiq_app.sales.totals import AppliedTax, PricedLine, TaxLine, compute_line_base, compute_tax_amount, compute_totals

IVA21 = AppliedTax("iva", "general", D("21"))
IVA10 = AppliedTax("iva", "reducido", D("10"))
RE52 = AppliedTax("recargo", "general", D("5.2"))
RE14 = AppliedTax("recargo", "reducido", D("1.4"))
IRPF15 = AppliedTax("irpf", "profesional", D("15"))
EC15 = AppliedTax("iva", "general", D("15"), "4")
EC5 = AppliedTax("iva", "reducido", D("5"), "5")
EC0 = AppliedTax("iva", "cero", D("0"), "0")
EC_NO_OBJETO = AppliedTax("iva", "no_objeto", D("0"), "6")
EC_EXENTO = AppliedTax("iva", "exento", D("0"), "7")


def line(quantity: str, price: str, *taxes: AppliedTax, discount: str = "0") -> PricedLine:
    return PricedLine(quantity=D(quantity), unit_price=D(price), discount_percent=D(discount), taxes=taxes)


def test_line_base_rounds_half_up_to_cents() -> None:
    assert compute_line_base(D("1"), D("0.125"), D("0")) == D("0.13")  # half-even would give 0.12
    assert compute_line_base(D("3"), D("33.333"), D("10")) == D("90.00")  # 89.9991
    assert compute_line_base(D("2.5"), D("0.0010"), D("0")) == D("0.00")  # 0.0025
    assert compute_line_base(D("1.005"), D("1"), D("0")) == D("1.01")
    assert compute_line_base(D("7"), D("14.2857"), D("100")) == D("0.00")


def test_tax_amount_rounds_half_up_once_per_group() -> None:
    assert compute_tax_amount(D("0.05"), D("10")) == D("0.01")
    assert compute_tax_amount(D("109.99"), D("1.4")) == D("1.54")  # 1.53986


def test_spanish_invoice_with_iva_21_and_10_recargo_and_irpf() -> None:
    """Goods to a retailer in recargo, plus a professional service that bears IRPF 15 %."""
    totals = compute_totals([
        line("10", "100.00", IVA21, RE52),
        line("3", "33.333", IVA10, RE14, discount="10"),
        line("2", "250.00", IVA21, IRPF15),
        line("1", "19.99", IVA10, RE14),
    ])
    assert totals.line_bases == (D("1000.00"), D("90.00"), D("500.00"), D("19.99"))
    assert totals.taxes == (
        TaxLine("iva", "general", D("21.0000"), None, D("1500.00"), D("315.00")),
        TaxLine("iva", "reducido", D("10.0000"), None, D("109.99"), D("11.00")),
        TaxLine("recargo", "general", D("5.2000"), None, D("1000.00"), D("52.00")),
        TaxLine("recargo", "reducido", D("1.4000"), None, D("109.99"), D("1.54")),
        TaxLine("irpf", "profesional", D("15.0000"), None, D("500.00"), D("75.00")),
    )
    assert (totals.subtotal, totals.tax_total, totals.recargo_total, totals.withholding_total) == (
        D("1609.99"), D("326.00"), D("53.54"), D("75.00"))
    assert totals.total == D("1914.53")


def test_group_cuota_is_rounded_once_not_per_line() -> None:
    totals = compute_totals([line("1", "0.50", IVA21)] * 3)
    assert totals.taxes[0].base == D("1.50")
    assert totals.taxes[0].amount == D("0.32")  # 0.315 half up; rounding per line would give 3 x 0.11 = 0.33


def test_ecuadorian_invoice_with_15_5_and_0_percent_lines_grouped_by_sri_code() -> None:
    totals = compute_totals([
        line("2", "45.50", EC15),
        line("4", "12.345", EC5, discount="5"),
        line("10", "1.10", EC0),
        line("1", "20.00", EC_NO_OBJETO),
        line("1", "8.00", EC_EXENTO),
        line("1", "9.00", EC15),
    ])
    assert totals.line_bases == (D("91.00"), D("46.91"), D("11.00"), D("20.00"), D("8.00"), D("9.00"))
    assert [(t.category, t.rate, t.authority_code, t.base, t.amount) for t in totals.taxes] == [
        ("general", D("15.0000"), "4", D("100.00"), D("15.00")),
        ("reducido", D("5.0000"), "5", D("46.91"), D("2.35")),
        ("cero", D("0.0000"), "0", D("11.00"), D("0.00")),
        ("exento", D("0.0000"), "7", D("8.00"), D("0.00")),
        ("no_objeto", D("0.0000"), "6", D("20.00"), D("0.00")),
    ]
    assert (totals.subtotal, totals.tax_total, totals.recargo_total, totals.withholding_total, totals.total) == (
        D("185.91"), D("17.35"), D("0.00"), D("0.00"), D("203.26"))


def test_same_rate_of_different_categories_stays_apart() -> None:
    totals = compute_totals([line("1", "10", AppliedTax("iva", "cero", D("0"))), line("1", "5", AppliedTax("iva", "exento", D("0")))])
    assert [(t.category, t.base) for t in totals.taxes] == [("cero", D("10.00")), ("exento", D("5.00"))]


def test_fixed_base_is_used_as_is() -> None:
    credit = PricedLine(quantity=D("1"), unit_price=D("0.335"), discount_percent=D("0"), taxes=(IVA21,), base=D("0.33"))
    totals = compute_totals([credit])
    assert totals.line_bases == (D("0.33"),)
    assert totals.total == D("0.40")  # 0.33 + 0.0693 -> 0.07


def test_empty_document_totals_zero() -> None:
    totals = compute_totals([])
    assert (totals.line_bases, totals.taxes, totals.subtotal, totals.total) == ((), (), D("0.00"), D("0.00"))
    assert str(totals.total) == "0.00"


def test_hundred_percent_discount_and_zero_price_give_zero_bases_that_still_group() -> None:
    totals = compute_totals([line("3", "10", IVA21, discount="100"), line("1", "0", IVA21)])
    assert totals.taxes == (TaxLine("iva", "general", D("21.0000"), None, D("0.00"), D("0.00")),)
    assert totals.total == D("0.00")
