"""Sample files of the imports tests: a messy Spanish spreadsheet export and friends."""

from __future__ import annotations

#: Semicolons, decimal commas and thousands dots, an accented header, a quoted newline, blank lines,
#: one duplicate SKU (A-001 again) and three invalid rows (no name, a price that is not a number, a negative price).
MESSY_PRODUCTS = (
    "Código;Descripción;P.V.P.;IVA %;Familia\r\n"
    "A-001;Café molido 250 g;3,95;10;Alimentación\r\n"
    "A-002;\"Té verde\r\n(caja 20)\";2,50;10;Alimentación\r\n"
    "\r\n"
    "A-003;Azúcar 1 kg;1.234,56;21;Alimentación\r\n"
    "A-001;Café molido (repetido);4,10;10;Alimentación\r\n"
    "A-004;;5,00;21;Limpieza\r\n"
    "A-005;Lejía 2 L;abc;21;Limpieza\r\n"
    "A-006;Jabón;-3,00;21;Limpieza\r\n"
    ";;;;\r\n"
    "A-007;Estropajo;0,99;4;Limpieza\r\n"
    "\r\n"
)


def messy_products(encoding: str) -> bytes:
    """The messy CSV in Windows-1252, or UTF-8 with a BOM."""
    if encoding == "utf-8-sig":
        return MESSY_PRODUCTS.encode("utf-8-sig")
    return MESSY_PRODUCTS.encode(encoding)
