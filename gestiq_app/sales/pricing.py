"""Which taxes a line bears, with rates from the tax catalog valid on the document's date.

Decisions (Spain; Ecuador lines bear IVA only, grouped by SRI codigoPorcentaje):
- recargo de equivalencia applies to goods sold to a customer in that regime (art. 154 LIVA: it covers
  deliveries of goods, not services), at the recargo rate of the line's IVA category;
- IRPF withholding applies to service lines of a customer flagged `is_irpf_professional`, read as "this
  customer withholds IRPF on our professional services"; the rate is the catalog's IRPF category named
  in the tenant's sales settings (`irpf_category`, default `profesional`: 15 %; `profesional_inicio`: 7 %).
Rates are never written here: they come from `taxes.services.get_rate` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gestiq_app.sales.exceptions import DocumentInvalidError
from gestiq_app.sales.totals import AppliedTax, DocumentTotals, PricedLine, compute_totals
from gestiq_app.taxes.exceptions import TaxRateNotFoundError
from gestiq_app.taxes.services import get_rate

#: The largest amount a Numeric(14, 2) column holds.
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class TaxProfile:
    """Who is invoiced, as far as taxes go."""

    country: str
    has_recargo_equivalencia: bool = False
    is_irpf_professional: bool = False
    irpf_category: str = "profesional"


@dataclass(frozen=True)
class LineDraft:
    """A validated line before pricing: what the user asked for, with product defaults applied."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_category: str
    is_service: bool
    product_id: object = None
    source_line_id: object = None
    #: Credit notes: the taxes of the credited invoice line, and the base when it closes that line.
    fixed_taxes: tuple[AppliedTax, ...] | None = None
    fixed_base: Decimal | None = None


class RateBook:
    """Catalog lookups for one country and date, each asked once."""

    def __init__(self, *, country: str, on_date: date) -> None:
        self.country, self.on_date = country, on_date
        self._cache: dict[tuple[str, str], AppliedTax] = {}

    def applied(self, tax_type: str, category: str) -> AppliedTax:
        """Return the catalog rate of a tax type and category as an applied tax."""
        key = (tax_type, category)
        if key not in self._cache:
            rate = get_rate(country=self.country, tax_type=tax_type, category=category, on_date=self.on_date)
            self._cache[key] = AppliedTax(tax_type=tax_type, category=category, rate=rate.rate,
                                          authority_code=rate.authority_code)
        return self._cache[key]


def taxes_for_line(*, book: RateBook, profile: TaxProfile, tax_category: str, is_service: bool) -> tuple[AppliedTax, ...]:
    """Return the taxes a line bears: IVA, then recargo (ES goods) or IRPF (ES services)."""
    taxes = [book.applied("iva", tax_category)]
    if profile.country == "ES":
        if profile.has_recargo_equivalencia and not is_service:
            recargo = book.applied("recargo", tax_category)
            if recargo.rate > 0:
                taxes.append(recargo)
        if profile.is_irpf_professional and is_service:
            taxes.append(book.applied("irpf", profile.irpf_category))
    return tuple(taxes)


def price_lines(*, profile: TaxProfile, on_date: date, drafts: Sequence[LineDraft]) -> tuple[list[tuple[AppliedTax, ...]], DocumentTotals]:
    """Resolve every line's taxes on `on_date` and compute the totals (422 naming the line on a missing rate)."""
    book = RateBook(country=profile.country, on_date=on_date)
    applied: list[tuple[AppliedTax, ...]] = []
    for index, draft in enumerate(drafts):
        if draft.fixed_taxes is not None:
            applied.append(draft.fixed_taxes)
            continue
        try:
            applied.append(taxes_for_line(book=book, profile=profile, tax_category=draft.tax_category, is_service=draft.is_service))
        except TaxRateNotFoundError as error:
            messages = [message for values in error.errors.values() for message in values]
            raise DocumentInvalidError(error.message, errors={f"lines.{index}.tax_category": messages}) from error
    priced = [
        PricedLine(quantity=draft.quantity, unit_price=draft.unit_price, discount_percent=draft.discount_percent,
                   taxes=taxes, base=draft.fixed_base)
        for draft, taxes in zip(drafts, applied)
    ]
    totals = compute_totals(priced)
    _check_magnitude(totals)
    return applied, totals


def _check_magnitude(totals: DocumentTotals) -> None:
    amounts = [*totals.line_bases, totals.subtotal, totals.total, *(tax.amount for tax in totals.taxes)]
    if any(amount > MAX_AMOUNT for amount in amounts):
        raise DocumentInvalidError("Importe demasiado grande", errors={"lines": ["El importe supera el máximo admitido."]})
