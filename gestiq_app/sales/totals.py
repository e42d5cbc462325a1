"""Document totals as a pure function of priced lines: no database, no catalog, no rounding surprises.

Rules (the same for every country; which taxes a line bears is decided by `pricing`):
- line base = round(quantity × unit price × (1 − discount / 100), 2), half up;
- the breakdown groups line bases by (tax type, category, rate) and rounds each group's cuota once:
  cuota = round(sum of bases × rate / 100, 2), half up. Grouping by category too keeps apart taxes of
  equal rate but different meaning (Spain: 0 % vs exento; Ecuador: 0 % / no objeto / exento, each with
  its SRI codigoPorcentaje);
- total = bases + IVA + recargo de equivalencia − IRPF withholding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")
#: Breakdown order: IVA, then recargo, then withholding.
TAX_TYPE_ORDER = {"iva": 0, "recargo": 1, "irpf": 2}


@dataclass(frozen=True)
class AppliedTax:
    """One tax a line bears: its type, catalog category, rate (percent) and authority code."""

    tax_type: str
    category: str
    rate: Decimal
    authority_code: str | None = None


@dataclass(frozen=True)
class PricedLine:
    """A line ready to be totalled: amounts and the taxes it bears (IVA first)."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    taxes: tuple[AppliedTax, ...]
    #: A base fixed elsewhere (the credit note that closes an invoice line takes exactly what remains).
    base: Decimal | None = None


@dataclass(frozen=True)
class TaxLine:
    """One line of the breakdown."""

    tax_type: str
    category: str
    rate: Decimal
    authority_code: str | None
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    """Line bases (in input order), the tax breakdown and the document totals."""

    line_bases: tuple[Decimal, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: Decimal
    tax_total: Decimal
    recargo_total: Decimal
    withholding_total: Decimal
    total: Decimal


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compute_line_base(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """Return round(quantity × unit price × (1 − discount / 100), 2), half up."""
    with localcontext() as context:
        context.prec = 50
        return round_money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)


def compute_tax_amount(base: Decimal, rate: Decimal) -> Decimal:
    """Return round(base × rate / 100, 2), half up."""
    with localcontext() as context:
        context.prec = 50
        return round_money(base * rate / HUNDRED)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def compute_totals(lines: Sequence[PricedLine]) -> DocumentTotals:
    """Compute line bases, the grouped tax breakdown and the totals of a document."""
    bases = tuple(
        line.base if line.base is not None else compute_line_base(line.quantity, line.unit_price, line.discount_percent)
        for line in lines
    )
    groups: dict[tuple[str, str, Decimal, str | None], Decimal] = {}
    for base, line in zip(bases, lines):
        for tax in line.taxes:
            key = (tax.tax_type, tax.category, tax.rate.quantize(RATE_PLACES), tax.authority_code)
            groups[key] = groups.get(key, ZERO) + base
    breakdown = tuple(
        TaxLine(tax_type=tax_type, category=category, rate=rate, authority_code=code, base=base,
                amount=compute_tax_amount(base, rate))
        for (tax_type, category, rate, code), base in sorted(
            groups.items(), key=lambda item: (TAX_TYPE_ORDER[item[0][0]], -item[0][2], item[0][1])
        )
    )
    subtotal = _sum(bases)
    tax_total = _sum(tax.amount for tax in breakdown if tax.tax_type == "iva")
    recargo_total = _sum(tax.amount for tax in breakdown if tax.tax_type == "recargo")
    withholding_total = _sum(tax.amount for tax in breakdown if tax.tax_type == "irpf")
    return DocumentTotals(
        line_bases=bases,
        taxes=breakdown,
        subtotal=subtotal,
        tax_total=tax_total,
        recargo_total=recargo_total,
        withholding_total=withholding_total,
        total=subtotal + tax_total + recargo_total - withholding_total,
    )
