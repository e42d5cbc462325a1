"""Purchase totals as a pure function of priced lines (no database, no catalog).

The line and tax rounding rules are the sales ones (`sales.totals`: line base rounded half up to cents;
each group's cuota rounded once), so a purchase and the supplier's own invoice agree to the cent. What
purchases add:
- IVA groups are split by deductibility too: non-deductible IVA (tourism, cars, private use…) is still
  part of the total owed but becomes a cost instead of a recoverable tax;
- Ecuador: the buyer's withholdings. Renta: round(Σ line bases of the concept × rate / 100, 2). IVA:
  the base is the IVA of the lines bearing that retention (their IVA recomputed per IVA rate with the same
  rounding), amount = round(base × rate / 100, 2);
- total = subtotal + IVA (every IVA, deductible or not); the supplier is owed total − withholding_total.
- An expense receipt is entered with its amount including tax: base = round(gross × 100 / (100 + rate), 2)
  and IVA = gross − base (the receipt's gross is the fact, so the cent difference goes to the tax), unless
  the receipt's IVA is given, in which case base = gross − IVA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from gestiq_app.sales.totals import HUNDRED, RATE_PLACES, ZERO, compute_line_base, compute_tax_amount, round_money


@dataclass(frozen=True)
class Rate:
    """A catalog rate applied to a line: category, percent and authority (SRI) code."""

    category: str
    rate: Decimal
    code: str | None = None


@dataclass(frozen=True)
class PurchaseLineInput:
    """A line ready to be totalled."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    iva: Rate
    is_iva_deductible: bool = True
    renta_withholding: Rate | None = None
    iva_withholding: Rate | None = None


@dataclass(frozen=True)
class IvaLine:
    """One line of the IVA breakdown."""

    category: str
    rate: Decimal
    authority_code: str | None
    is_deductible: bool
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class WithholdingLine:
    """One withholding: kind renta | iva, catalog category, SRI code, rate, base and amount."""

    kind: str
    category: str
    code: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PurchaseTotals:
    """Line bases (input order), IVA breakdown, withholdings and totals."""

    line_bases: tuple[Decimal, ...]
    taxes: tuple[IvaLine, ...]
    withholdings: tuple[WithholdingLine, ...]
    subtotal: Decimal
    tax_total: Decimal
    deductible_tax_total: Decimal
    withholding_total: Decimal
    total: Decimal

    @property
    def payable(self) -> Decimal:
        """Return what the supplier is owed: total minus the withholdings kept by the buyer."""
        return self.total - self.withholding_total


def _key(rate: Rate) -> tuple[str, Decimal, str | None]:
    return rate.category, rate.rate.quantize(RATE_PLACES), rate.code


def _withholding_code(rate: Rate) -> str:
    if not rate.code:
        raise ValueError(f"withholding category {rate.category!r} has no SRI code")
    return rate.code


def compute_purchase_totals(lines: Sequence[PurchaseLineInput]) -> PurchaseTotals:
    """Compute line bases, the IVA breakdown (by deductibility), the withholdings and the totals."""
    bases = tuple(compute_line_base(line.quantity, line.unit_price, line.discount_percent) for line in lines)
    iva_groups: dict[tuple[str, Decimal, str | None, bool], Decimal] = {}
    renta_groups: dict[tuple[str, Decimal, str | None], Decimal] = {}
    iva_withholding_groups: dict[tuple[str, Decimal, str | None], dict[Decimal, Decimal]] = {}
    for base, line in zip(bases, lines):
        category, rate, code = _key(line.iva)
        iva_key = (category, rate, code, line.is_iva_deductible)
        iva_groups[iva_key] = iva_groups.get(iva_key, ZERO) + base
        if line.renta_withholding is not None:
            renta_key = _key(line.renta_withholding)
            renta_groups[renta_key] = renta_groups.get(renta_key, ZERO) + base
        if line.iva_withholding is not None:
            by_rate = iva_withholding_groups.setdefault(_key(line.iva_withholding), {})
            by_rate[rate] = by_rate.get(rate, ZERO) + base
    taxes = tuple(
        IvaLine(category=category, rate=rate, authority_code=code, is_deductible=deductible, base=base,
                amount=compute_tax_amount(base, rate))
        for (category, rate, code, deductible), base in sorted(
            iva_groups.items(), key=lambda item: (-item[0][1], item[0][0], not item[0][3]))
    )
    withholdings = [
        WithholdingLine(kind="renta", category=category, code=_withholding_code(Rate(category, rate, code)), rate=rate, base=base,
                        amount=compute_tax_amount(base, rate))
        for (category, rate, code), base in sorted(renta_groups.items(), key=lambda item: (item[0][2] or "", item[0][0]))
    ]
    for (category, rate, code), by_iva_rate in sorted(iva_withholding_groups.items(), key=lambda item: (item[0][2] or "", item[0][0])):
        iva_base = sum((compute_tax_amount(base, iva_rate) for iva_rate, base in by_iva_rate.items()), ZERO)
        if iva_base == ZERO:
            continue  # 0 % IVA: nothing to withhold
        withholdings.append(WithholdingLine(kind="iva", category=category, code=_withholding_code(Rate(category, rate, code)),
                                            rate=rate, base=iva_base, amount=compute_tax_amount(iva_base, rate)))
    return _totals(bases, taxes, tuple(withholdings))


def _totals(bases: tuple[Decimal, ...], taxes: tuple[IvaLine, ...], withholdings: tuple[WithholdingLine, ...]) -> PurchaseTotals:
    subtotal = sum(bases, ZERO)
    tax_total = sum((tax.amount for tax in taxes), ZERO)
    return PurchaseTotals(
        line_bases=bases, taxes=taxes, withholdings=withholdings, subtotal=subtotal, tax_total=tax_total,
        deductible_tax_total=sum((tax.amount for tax in taxes if tax.is_deductible), ZERO),
        withholding_total=sum((item.amount for item in withholdings), ZERO), total=subtotal + tax_total,
    )


def split_gross(gross: Decimal, rate: Decimal, tax_amount: Decimal | None = None) -> tuple[Decimal, Decimal]:
    """Split an amount including IVA into (base, IVA): the receipt's IVA when given, else computed from the rate."""
    if tax_amount is not None:
        return round_money(gross - tax_amount), round_money(tax_amount)
    with localcontext() as context:
        context.prec = 50
        base = round_money(gross * HUNDRED / (HUNDRED + rate))
    return base, round_money(gross) - base


def compute_expense_totals(*, gross: Decimal, iva: Rate, is_iva_deductible: bool, tax_amount: Decimal | None = None) -> PurchaseTotals:
    """Compute the totals of an expense receipt entered with its amount including IVA (one line)."""
    base, tax = split_gross(gross, iva.rate, tax_amount)
    category, rate, code = _key(iva)
    taxes = (IvaLine(category=category, rate=rate, authority_code=code, is_deductible=is_iva_deductible, base=base, amount=tax),)
    return _totals((base,), taxes, ())
