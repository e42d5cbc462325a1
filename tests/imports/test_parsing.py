"""Parsing real files: encodings, delimiters, quotes, decimal commas, Spanish dates, header synonyms, formula-safe cells."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gestiq_app.imports.exceptions import ImportFileError
from gestiq_app.imports.mapping import auto_mapping, check_mapping, normalize_header
from gestiq_app.imports.parsing import detect_delimiter, detect_encoding, parse_boolean, parse_date, parse_decimal, read_rows
from gestiq_app.imports.reports import safe_cell


@pytest.mark.parametrize(("data", "expected"), [
    ("Razón social;NIF\n".encode("utf-8-sig"), "utf-8-sig"),
    ("Razón social;NIF\n".encode("utf-8"), "utf-8"),
    ("Razón social;NIF;Peña €\n".encode("cp1252"), "cp1252"),
    (b"abc\x81def", "latin-1"),  # 0x81 is undefined in cp1252
    ("ñ".encode("utf-8")[:1], "utf-8"),  # a character cut at the end of the sample
])
def test_detect_encoding(data, expected):  # type: ignore[no-untyped-def]
    assert detect_encoding(data) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("a;b;c\n1;2,5;3\n", ";"),
    ("a,b,c\n1,\"2;5\",3\n", ","),
    ("a\tb\tc\n1\t2\t3\n", "\t"),
    ("nombre;precio\n\"Tornillo, 4 mm\";1,20\n", ";"),
    ("solo\nuna\n", ","),
])
def test_detect_delimiter(text, expected):  # type: ignore[no-untyped-def]
    assert detect_delimiter(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("12,5", "12.5"), ("12.5", "12.5"), ("1234", "1234"),
    ("1.234.567", "1234567"), (" 3,95 € ", "3.95"), ("-3,00", "-3.00"), ("21%", "21"), ("1 234,50", "1234.50"),
    ("0021", "21"), ("0", "0"),
])
def test_parse_decimal(text, expected):  # type: ignore[no-untyped-def]
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "separator", "expected"), [
    ("12,50", "auto", "12.50"), ("12,50", ",", "12.50"), ("12.50", "auto", "12.50"), ("12.50", ".", "12.50"),
    ("1,234", "auto", "1.234"), ("1.234", ",", "1234"), ("1,234", ".", "1234"), ("1.234.567", "auto", "1234567"),
])
def test_parse_decimal_with_a_declared_separator(text, separator, expected):  # type: ignore[no-untyped-def]
    assert parse_decimal(text, decimal_separator=separator) == Decimal(expected)


def test_parse_decimal_refuses_a_comma_when_the_point_is_declared():  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_decimal("12,50", decimal_separator=".")


@pytest.mark.parametrize("text", ["abc", "1,2,3", "", "1.2.3,4,5", "--1", "\u0663", "2\u00b2", "1\u0663,5"])
def test_parse_decimal_refuses_text(text):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_parse_decimal_with_an_explicit_separator():  # type: ignore[no-untyped-def]
    assert parse_decimal("1.234", decimal_separator=",") == Decimal("1234")
    assert parse_decimal("1,234", decimal_separator=".") == Decimal("1234")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-01", date(2026, 3, 1)), ("01/03/2026", date(2026, 3, 1)), ("01-03-2026", date(2026, 3, 1)),
    ("1.3.2026", date(2026, 3, 1)), ("2026-03-01T10:00:00", date(2026, 3, 1)), ("31/12/25", date(2025, 12, 31)),
])
def test_parse_date(text, expected):  # type: ignore[no-untyped-def]
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026/13/01", "mañana", "03-2026"])
def test_parse_date_refuses_nonsense(text):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_date(text)


def test_parse_boolean():  # type: ignore[no-untyped-def]
    assert [parse_boolean(text) for text in ("Sí", "si", "X", "1", "no", "0", "Falso")] == [True, True, True, True, False, False, False]
    with pytest.raises(ValueError):
        parse_boolean("quizá")


def test_header_synonyms_in_spanish_and_english():  # type: ignore[no-untyped-def]
    assert normalize_header("  Razón   Social ") == "razon social"
    assert normalize_header("P.V.P.") == "p v p"
    assert auto_mapping("customers", ["Razón social", "NIF", "Nombre comercial", "E-mail", "Teléfono", "C.P.", "Población", "Notas", "Otra"]) == {
        "Razón social": "legal_name", "NIF": "tax_id", "Nombre comercial": "trade_name", "E-mail": "email", "Teléfono": "phone",
        "C.P.": "address.postal_code", "Población": "address.city", "Notas": "notes", "Otra": None}
    assert auto_mapping("suppliers", ["Nombre", "RUC"]) == {"Nombre": "legal_name", "RUC": "tax_id"}
    assert auto_mapping("suppliers", ["CIF", "Company name"]) == {"CIF": "tax_id", "Company name": "legal_name"}
    assert auto_mapping("products", ["Referencia", "Nombre", "Precio", "IVA %", "EAN"]) == {
        "Referencia": "sku", "Nombre": "name", "Precio": "unit_price", "IVA %": "tax_rate", "EAN": "barcode"}
    assert auto_mapping("products", ["SKU", "Name", "Price", "Código"]) == {"SKU": "sku", "Name": "name", "Price": "unit_price", "Código": None}


def test_check_mapping_names_bad_headers():  # type: ignore[no-untyped-def]
    assert check_mapping("products", {"A": "sku", "B": "sku", "C": "colour", "D": None}) == {
        "B": ["El campo «sku» ya está asignado a la columna «A»."],
        "C": ["Campo desconocido «colour». Use uno de: sku, name, description, kind, unit, unit_price, cost, tax_category, tax_rate, "
              "barcode, category, is_active."],
    }


def _write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_csv_rows_keep_quoted_newlines_skip_blank_lines_and_report_extra_cells(tmp_path):  # type: ignore[no-untyped-def]
    path = _write(tmp_path, 'a,b\r\n"x\r\ny",2\r\n\r\n,\r\n3,4,sobra,\r\n'.encode())
    headers, rows, detected = read_rows(path, file_format="csv", options={})
    assert headers == ["a", "b"]
    assert detected == {"encoding": "utf-8", "delimiter": ","}
    assert list(rows) == [(2, {"a": "x\r\ny", "b": "2"}), (6, {"a": "3", "b": "4", "_extra": "sobra"})]


def test_malformed_csv_names_the_line(tmp_path):  # type: ignore[no-untyped-def]
    path = _write(tmp_path, b'sku;name\nA;uno\nB;"dos\nC;tres\n')
    headers, rows, _ = read_rows(path, file_format="csv", options={})
    with pytest.raises(ImportFileError) as caught:
        list(rows)
    assert caught.value.message == "Línea 3: el archivo está mal formado (comillas sin cerrar)."


def test_xlsx_first_or_chosen_sheet(tmp_path):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "Portada"
    first.append(["Informe"])
    sheet = workbook.create_sheet("Artículos")
    sheet.append(["Código", "Nombre", "PVP", "Alta"])
    sheet.append(["X-1", "Tornillo", 0.1, date(2026, 1, 31)])
    sheet.append([None, None, None, None])
    sheet.append(["X-2", "Tuerca", 12.5, None])
    path = tmp_path / "libro.xlsx"
    workbook.save(path)
    headers, rows, _ = read_rows(path, file_format="xlsx", options={"sheet": "Artículos"})
    assert headers == ["Código", "Nombre", "PVP", "Alta"]
    assert list(rows) == [(2, {"Código": "X-1", "Nombre": "Tornillo", "PVP": "0.1", "Alta": "2026-01-31"}),
                          (4, {"Código": "X-2", "Nombre": "Tuerca", "PVP": "12.5", "Alta": ""})]
    headers, rows, _ = read_rows(path, file_format="xlsx", options={})
    assert headers == ["Informe"]
    with pytest.raises(ImportFileError) as caught:
        read_rows(path, file_format="xlsx", options={"sheet": "Otra"})
    assert caught.value.message == "El libro no tiene una hoja «Otra». Hojas: Portada, Artículos."


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"), ("\tx", "'\tx"), ("-3,00", "-3,00"), ("+34", "+34"), ("Normal", "Normal"),
    (None, ""),
])
def test_safe_cell_neutralizes_formulas(value, expected):  # type: ignore[no-untyped-def]
    assert safe_cell(value) == expected
