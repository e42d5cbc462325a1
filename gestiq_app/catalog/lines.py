"""Document lines that may name a catalog product: sales and purchases resolve them the same way."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gestiq_app.catalog.models import Product
from gestiq_app.db import session

REQUIRED = "Campo obligatorio."


@dataclass(frozen=True)
class ResolvedLine:
    """One input line with its product (if any) and the description and unit price it ends up with."""

    index: int
    data: dict[str, Any]
    product: Product | None
    description: str
    unit_price: Decimal

    @property
    def tax_category(self) -> str:
        """The line's tax category, else its product's, else "general"."""
        return self.data.get("tax_category") or (self.product.tax_category if self.product else "general")


def resolve_lines(lines_data: Sequence[dict[str, Any]], errors: dict[str, list[str]], *,
                  price_from_product: bool) -> Iterator[ResolvedLine]:
    """Yield the lines that have a description and a price (from the product when missing), in one product query.

    Problems go into `errors` under `lines.<index>.<field>` (Spanish messages); such lines are not yielded.
    `price_from_product`: a sale takes the product's price when the line has none; a purchase never does
    (the catalog price is a selling price).
    """
    product_ids = {data["product_id"] for data in lines_data if data.get("product_id")}
    products = {p.id: p for p in session().scalars(select(Product).where(Product.id.in_(product_ids)))} if product_ids else {}
    for index, data in enumerate(lines_data):
        product = products.get(data.get("product_id"))  # type: ignore[arg-type]
        if data.get("product_id") and product is None:
            errors[f"lines.{index}.product_id"] = ["No existe ese producto."]
            continue
        description = data.get("description") or (product.name if product else None)
        unit_price = data.get("unit_price")
        if unit_price is None and price_from_product and product is not None:
            unit_price = product.unit_price
        if not description:
            errors[f"lines.{index}.description"] = [REQUIRED]
        if unit_price is None:
            errors[f"lines.{index}.unit_price"] = [REQUIRED]
        if description and unit_price is not None:
            yield ResolvedLine(index=index, data=data, product=product, description=description, unit_price=unit_price)
