"""The row validator checks a mapped row with only the schema fields such a row can hold: the same outcome as the
domain's full create schema (data, errors and natural key), and the full schema for a hand fix with other fields."""

from __future__ import annotations

from typing import Any

import pytest

from gestiq_app.imports.mapping import auto_mapping
from gestiq_app.imports.validation import RowValidator

TAX_RATES = {"21": "general", "10": "reducido", "4": "superreducido"}
TAX_CATEGORIES = ("general", "reducido", "superreducido", "exento")

PRODUCTS = (["Código", "Nombre", "P.V.P.", "IVA %", "Familia"], [
    {"Código": "A-1", "Nombre": "Silla", "P.V.P.": "12,50", "IVA %": "21", "Familia": "Muebles"},
    {"Código": "A-2", "Nombre": "", "P.V.P.": "-3", "IVA %": "7", "Familia": ""},
    {"Código": "x" * 70, "Nombre": "Mesa", "P.V.P.": "doce", "IVA %": "", "Familia": "y" * 120},
    {"Código": "", "Nombre": "", "P.V.P.": "", "IVA %": "", "Familia": ""},
    {"Código": "A-3", "Nombre": "Cojín", "P.V.P.": "1.234,56", "IVA %": "4", "Familia": "Textil", "_extra": "sobra"},
])
CUSTOMERS = (["NIF", "Razón social", "Email", "Ciudad", "Días de pago"], [
    {"NIF": "B12345674", "Razón social": "Muebles Pérez SL", "Email": "pagos@perez.test", "Ciudad": "Madrid", "Días de pago": "30"},
    {"NIF": "12345678A", "Razón social": "X", "Email": "no-es-correo", "Ciudad": "", "Días de pago": "3,5"},
    {"NIF": "", "Razón social": "", "Email": "", "Ciudad": "Sevilla", "Días de pago": ""},
])


def _full_schema_outcome(validator: RowValidator, raw: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(RowValidator, "_schema", lambda self, payload=None: self._schema_class()())
        result = RowValidator(**validator.__getstate__()).validate_raw(raw, encoded=True)
    return result.data, result.errors, result.natural_key


@pytest.mark.parametrize(("kind", "sample"), [("products", PRODUCTS), ("customers", CUSTOMERS), ("suppliers", CUSTOMERS)])
def test_the_limited_schema_gives_the_full_schema_outcome(kind, sample, monkeypatch):  # type: ignore[no-untyped-def]
    headers, rows = sample
    validator = RowValidator(kind=kind, country="ES", mapping=auto_mapping(kind, headers), tax_categories=TAX_CATEGORIES,
                             tax_rates=TAX_RATES, decimal_separator=",")
    for raw in rows:
        result = validator.validate_raw(raw, encoded=True)
        assert (result.data, result.errors, result.natural_key) == _full_schema_outcome(validator, raw, monkeypatch)
    limited = validator._schema({"sku": "A"} if kind == "products" else {"tax_id": "B"})  # noqa: SLF001
    full = validator._schema()  # noqa: SLF001
    assert set(limited.load_fields) < set(full.load_fields)  # the mapped row really skips fields


def test_a_limited_row_still_reports_an_unmapped_required_field(monkeypatch):  # type: ignore[no-untyped-def]
    validator = RowValidator(kind="products", country="ES", mapping={"Código": "sku", "P.V.P.": "unit_price"},
                             tax_categories=TAX_CATEGORIES, tax_rates=TAX_RATES, decimal_separator=",")
    result = validator.validate_raw({"Código": "A-1", "P.V.P.": "3,00"}, encoded=True)
    assert result.errors == {"name": [{"code": "required", "message": "Campo obligatorio."}]}
    assert sorted(validator._schema({"sku": "A-1"}).load_fields) == ["name", "sku", "unit_price"]  # noqa: SLF001


def test_a_hand_fix_with_a_field_outside_the_mapping_is_loaded_with_the_full_schema():  # type: ignore[no-untyped-def]
    validator = RowValidator(kind="products", country="ES", mapping={"Código": "sku", "Nombre": "name", "P.V.P.": "unit_price"},
                             tax_categories=TAX_CATEGORIES, tax_rates=TAX_RATES, decimal_separator=",")
    result = validator.validate({"sku": "A-1", "name": "Silla", "unit_price": "3.5", "barcode": "8412345678905"})
    assert result.errors == {}
    assert result.data == {"sku": "A-1", "name": "Silla", "unit_price": "3.5000", "barcode": "8412345678905", "tax_category": "general"}
    bad = validator.validate({"sku": "A-1", "name": "Silla", "unit_price": "3.5", "color": "rojo"})
    assert bad.errors == {"color": [{"code": "unknown_field", "message": "Campo desconocido."}]}
