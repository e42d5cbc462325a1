"""Tests for gestiq_app.fiscal.sri_access_key.

Published claves de acceso used as oracles:
- SRI "Ficha técnica: emisión de comprobantes electrónicos, método offline"
  (v2.32, October 2025): the módulo 11 worked example (41261533 -> 6), the XML
  example of Anexo 1 (2110201101179214673900110020010000000011234567813) and
  the claves in the web-service examples of sections 7 and 8.
- A real authorised invoice (aftelenchana/wspcompu, visor.php, <autorizacion>
  AUTORIZADO): 0312202201019007200200120029020004874985766297216.
The 10 -> 1 and 11 -> 0 cases built from the real invoice's fields were found by
searching numeric codes 00000000..00000099 for the first code giving each case.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from gestiq_app.fiscal.sri_access_key import (
    DOC_TYPES,
    AccessKeyError,
    AccessKeyParts,
    build_access_key,
    mod11_check_digit,
    validate_access_key,
)

REAL_INVOICE_KEY = "0312202201019007200200120029020004874985766297216"
FICHA_XML_EXAMPLE_KEY = "2110201101179214673900110020010000000011234567813"
FICHA_RESULT_11_KEY = "2111202405176001321000110010010000001241234567810"

PUBLISHED_VALID_KEYS = [
    REAL_INVOICE_KEY,
    FICHA_XML_EXAMPLE_KEY,
    FICHA_RESULT_11_KEY,
    "1702201205176001321000110010030001000011234567816",  # recepción DEVUELTA example
    "0503201201176001321000110010030009900641234567814",  # autorización AUTORIZADO example
    "1302201201176001321000120010030000050431234567814",  # autorización NO AUTORIZADO example
    "0211202401050306179800120010020000000677300995216",  # consulta de validez request
    "1510202407099313057500110010010000103591234567816",  # consulta out of date range
]


def _raw_mod11(digits: str) -> int:
    """Return 11 - (weighted sum % 11) before the 11 -> 0 / 10 -> 1 mapping (ficha steps 1-5)."""
    weighted = sum(int(d) * w for d, w in zip(reversed(digits), itertools.cycle(range(2, 8))))
    return 11 - weighted % 11


def _error(key: str) -> AccessKeyError:
    with pytest.raises(AccessKeyError) as excinfo:
        validate_access_key(key)
    return excinfo.value


def _with_check_digit(digits48: str) -> str:
    return digits48 + str(mod11_check_digit(digits48))


# --------------------------------------------------------------------------- mod11_check_digit


def test_mod11_ficha_worked_example() -> None:
    # Ficha técnica: 3*2 + 3*3 + 5*4 + 1*5 + 6*6 + 2*7 + 1*2 + 4*3 = 104; 104 mod 11 = 5; 11 - 5 = 6.
    assert mod11_check_digit("41261533") == 6


@pytest.mark.parametrize("key", PUBLISHED_VALID_KEYS)
def test_mod11_reproduces_published_check_digits(key: str) -> None:
    assert mod11_check_digit(key[:48]) == int(key[48])


def test_mod11_published_key_where_raw_result_is_11() -> None:
    assert _raw_mod11(FICHA_RESULT_11_KEY[:48]) == 11
    assert mod11_check_digit(FICHA_RESULT_11_KEY[:48]) == 0


@pytest.mark.parametrize(
    ("numeric_code", "raw", "expected"),
    [
        ("00000009", 11, 0),  # weighted sum 440 = 11 * 40
        ("00000002", 10, 1),  # weighted sum 419 = 11 * 38 + 1
    ],
)
def test_mod11_constructed_11_and_10_cases(numeric_code: str, raw: int, expected: int) -> None:
    digits48 = "03122022" + "01" + "0190072002001" + "2" + "002" + "902" + "000487498" + numeric_code + "1"
    assert len(digits48) == 48
    assert _raw_mod11(digits48) == raw
    assert mod11_check_digit(digits48) == expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("0", 0),  # sum 0 -> 11 -> 0
        ("1", 9),  # sum 2 -> 9
        ("5", 1),  # sum 10 -> 1 -> 1 (a raw 1, not the 10 -> 1 rule)
        ("2", 7),
        ("11", 6),  # 1*2 + 1*3 = 5 -> 6
        ("1000000", 9),  # weights wrap: 7th digit from the right has weight 2 again
    ],
)
def test_mod11_small_values(digits: str, expected: int) -> None:
    assert mod11_check_digit(digits) == expected


@pytest.mark.parametrize("digits", ["", "12a4", "\u0661\u0662\u0663", " 123", "12 3"])
def test_mod11_rejects_non_digits(digits: str) -> None:
    with pytest.raises(AccessKeyError) as excinfo:
        mod11_check_digit(digits)
    assert excinfo.value.code == "non_digit"


# --------------------------------------------------------------------------- validate_access_key


@pytest.mark.parametrize("key", PUBLISHED_VALID_KEYS)
def test_validate_published_keys(key: str) -> None:
    parts = validate_access_key(key)
    assert parts.key == key
    assert parts.check_digit == int(key[48])


def test_validate_decodes_real_invoice() -> None:
    assert validate_access_key(REAL_INVOICE_KEY) == AccessKeyParts(
        key=REAL_INVOICE_KEY,
        issue_date=date(2022, 12, 3),
        doc_type="01",
        ruc="0190072002001",
        environment=2,
        establishment="002",
        emission_point="902",
        sequential=487498,
        numeric_code="57662972",
        emission_type=1,
        check_digit=6,
    )


def test_validate_decodes_ficha_xml_example() -> None:
    parts = validate_access_key(FICHA_XML_EXAMPLE_KEY)
    assert parts == AccessKeyParts(
        key=FICHA_XML_EXAMPLE_KEY,
        issue_date=date(2011, 10, 21),
        doc_type="01",
        ruc="1792146739001",
        environment=1,
        establishment="002",
        emission_point="001",
        sequential=1,
        numeric_code="12345678",
        emission_type=1,
        check_digit=3,
    )
    assert parts.doc_type_name == "factura"
    assert parts.document_number == "002-001-000000001"


def test_validate_decodes_debit_note_with_check_digit_0() -> None:
    parts = validate_access_key(FICHA_RESULT_11_KEY)
    assert (parts.issue_date, parts.doc_type, parts.ruc, parts.environment) == (
        date(2024, 11, 21),
        "05",
        "1760013210001",
        1,
    )
    assert (parts.establishment, parts.emission_point, parts.sequential, parts.check_digit) == ("001", "001", 124, 0)
    assert parts.doc_type_name == "nota de débito"


def test_validate_retention_key() -> None:
    parts = validate_access_key("1510202407099313057500110010010000103591234567816")
    assert parts.doc_type == "07"
    assert parts.doc_type_name == "comprobante de retención"
    assert parts.ruc == "0993130575001"
    assert parts.document_number == "001-001-000010359"


def test_ficha_not_found_example_has_a_wrong_check_digit() -> None:
    # The ficha's "no existen datos" consultation example: its check digit is 0,
    # but the first 48 digits give 5 (weighted sum 380, 380 mod 11 = 6).
    key = "2111202401176001321000110010010000011171234567810"
    assert mod11_check_digit(key[:48]) == 5
    assert _error(key).code == "invalid_check_digit"


@pytest.mark.parametrize("position", range(49))
def test_one_wrong_digit_is_rejected(position: int) -> None:
    # The real key's check digit is 6 (sum % 11 = 5). A single changed digit
    # always moves the sum's remainder, and only the remainders 1 and 10 share
    # a check digit (1), so every single-digit change of this key is caught.
    wrong = str((int(REAL_INVOICE_KEY[position]) + 1) % 10)
    key = REAL_INVOICE_KEY[:position] + wrong + REAL_INVOICE_KEY[position + 1 :]
    assert _error(key).code == "invalid_check_digit"


@pytest.mark.parametrize("key", ["", "1", REAL_INVOICE_KEY[:48], REAL_INVOICE_KEY + "0", REAL_INVOICE_KEY * 2])
def test_validate_rejects_wrong_length(key: str) -> None:
    error = _error(key)
    assert error.code == "invalid_length"
    assert error.message_es == f"La clave de acceso debe tener 49 dígitos y tiene {len(key)}"


@pytest.mark.parametrize(
    "key",
    [
        "A" + REAL_INVOICE_KEY[1:],
        REAL_INVOICE_KEY[:20] + " " + REAL_INVOICE_KEY[21:],
        REAL_INVOICE_KEY[:48] + "-",
        "\u0660" + REAL_INVOICE_KEY[1:],  # ARABIC-INDIC DIGIT ZERO is not an ASCII digit
    ],
)
def test_validate_rejects_non_digits(key: str) -> None:
    assert _error(key).code == "non_digit"


@pytest.mark.parametrize("ddmmyyyy", ["31022024", "00012024", "01132024", "32012024", "29022023", "01010000"])
def test_validate_rejects_bad_date(ddmmyyyy: str) -> None:
    key = _with_check_digit(ddmmyyyy + REAL_INVOICE_KEY[8:48])
    error = _error(key)
    assert error.code == "invalid_date"
    assert "no existe" in error.message_es


def test_validate_accepts_leap_day() -> None:
    assert validate_access_key(_with_check_digit("29022024" + REAL_INVOICE_KEY[8:48])).issue_date == date(2024, 2, 29)


@pytest.mark.parametrize("doc_type", ["00", "02", "08", "18", "99"])
def test_validate_rejects_unknown_doc_type(doc_type: str) -> None:
    key = _with_check_digit(REAL_INVOICE_KEY[:8] + doc_type + REAL_INVOICE_KEY[10:48])
    assert _error(key).code == "unknown_doc_type"


@pytest.mark.parametrize("environment", ["0", "3", "9"])
def test_validate_rejects_bad_environment(environment: str) -> None:
    key = _with_check_digit(REAL_INVOICE_KEY[:23] + environment + REAL_INVOICE_KEY[24:48])
    error = _error(key)
    assert error.code == "invalid_environment"
    assert error.message_es == "El tipo de ambiente debe ser 1 (pruebas) o 2 (producción)"


@pytest.mark.parametrize("emission_type", ["0", "2", "9"])
def test_validate_rejects_bad_emission_type(emission_type: str) -> None:
    key = _with_check_digit(REAL_INVOICE_KEY[:47] + emission_type)
    assert _error(key).code == "invalid_emission_type"


def test_validate_rejects_zero_sequential() -> None:
    key = _with_check_digit(REAL_INVOICE_KEY[:30] + "000000000" + REAL_INVOICE_KEY[39:48])
    assert _error(key).code == "invalid_sequential"


def test_validate_bad_check_digit_message() -> None:
    key = REAL_INVOICE_KEY[:48] + "7"
    assert _error(key).message_es == "El dígito verificador de la clave de acceso no es correcto"


# --------------------------------------------------------------------------- build_access_key


def test_build_reproduces_real_invoice_key() -> None:
    key = build_access_key(
        issue_date=date(2022, 12, 3),
        doc_type="01",
        ruc="0190072002001",
        environment=2,
        establishment="002",
        emission_point="902",
        sequential=487498,
        numeric_code="57662972",
    )
    assert key == REAL_INVOICE_KEY


def test_build_reproduces_ficha_xml_example_key() -> None:
    # The key encodes 21/10/2011 (the example XML's fechaEmision says 21/10/2012).
    key = build_access_key(
        issue_date=date(2011, 10, 21),
        doc_type="01",
        ruc="1792146739001",
        environment=1,
        establishment="002",
        emission_point="001",
        sequential=1,
        numeric_code="12345678",
        emission_type=1,
    )
    assert key == FICHA_XML_EXAMPLE_KEY


def test_build_reproduces_ficha_debit_note_key_with_check_digit_0() -> None:
    key = build_access_key(
        issue_date=date(2024, 11, 21),
        doc_type="05",
        ruc="1760013210001",
        environment=1,
        establishment="001",
        emission_point="001",
        sequential=124,
        numeric_code="12345678",
    )
    assert key == FICHA_RESULT_11_KEY


@pytest.mark.parametrize(
    ("numeric_code", "expected_key"),
    [
        ("00000009", "0312202201019007200200120029020004874980000000910"),
        ("00000002", "0312202201019007200200120029020004874980000000211"),
    ],
)
def test_build_constructed_check_digits_0_and_1(numeric_code: str, expected_key: str) -> None:
    key = build_access_key(
        issue_date=date(2022, 12, 3),
        doc_type="01",
        ruc="0190072002001",
        environment=2,
        establishment="002",
        emission_point="902",
        sequential=487498,
        numeric_code=numeric_code,
    )
    assert key == expected_key


@pytest.mark.parametrize("doc_type", sorted(DOC_TYPES))
def test_build_and_validate_round_trip(doc_type: str) -> None:
    key = build_access_key(
        issue_date=date(2026, 1, 31),
        doc_type=doc_type,
        ruc="1790011674001",
        environment=1,
        establishment="001",
        emission_point="100",
        sequential=999_999_999,
        numeric_code="00000000",
    )
    assert key[:48] == f"31012026{doc_type}179001167400110011009999999990000000" + "01"
    parts = validate_access_key(key)
    assert (parts.issue_date, parts.doc_type, parts.ruc, parts.environment) == (
        date(2026, 1, 31),
        doc_type,
        "1790011674001",
        1,
    )
    assert (parts.establishment, parts.emission_point, parts.sequential, parts.numeric_code) == (
        "001",
        "100",
        999_999_999,
        "00000000",
    )
    assert parts.doc_type_name == DOC_TYPES[doc_type]


def test_doc_types_match_ficha_tabla_3() -> None:
    assert DOC_TYPES == {
        "01": "factura",
        "03": "liquidación de compra de bienes y prestación de servicios",
        "04": "nota de crédito",
        "05": "nota de débito",
        "06": "guía de remisión",
        "07": "comprobante de retención",
    }


_GOOD = {
    "issue_date": date(2022, 12, 3),
    "doc_type": "01",
    "ruc": "0190072002001",
    "environment": 2,
    "establishment": "002",
    "emission_point": "902",
    "sequential": 487498,
    "numeric_code": "57662972",
}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("issue_date", datetime(2022, 12, 3, 10, 0), "invalid_date"),
        ("issue_date", "03/12/2022", "invalid_date"),
        ("doc_type", "02", "unknown_doc_type"),
        ("doc_type", "1", "unknown_doc_type"),
        ("ruc", "019007200200", "invalid_ruc"),
        ("ruc", "01900720020010", "invalid_ruc"),
        ("ruc", "019007200200A", "invalid_ruc"),
        ("environment", 0, "invalid_environment"),
        ("environment", 3, "invalid_environment"),
        ("environment", True, "invalid_environment"),
        ("establishment", "02", "invalid_establishment"),
        ("establishment", "0002", "invalid_establishment"),
        ("emission_point", "9O2", "invalid_emission_point"),
        ("sequential", 0, "invalid_sequential"),
        ("sequential", -1, "invalid_sequential"),
        ("sequential", 1_000_000_000, "invalid_sequential"),
        ("sequential", "487498", "invalid_sequential"),
        ("numeric_code", "5766297", "invalid_numeric_code"),
        ("numeric_code", "576629721", "invalid_numeric_code"),
        ("emission_type", 2, "invalid_emission_type"),
        ("emission_type", 0, "invalid_emission_type"),
    ],
)
def test_build_rejects_bad_fields(field: str, value: object, code: str) -> None:
    kwargs: dict[str, object] = {**_GOOD, field: value}
    with pytest.raises(AccessKeyError) as excinfo:
        build_access_key(**kwargs)  # type: ignore[arg-type]
    assert excinfo.value.code == code
    assert excinfo.value.message_es


def test_access_key_error_is_a_value_error() -> None:
    error = AccessKeyError("invalid_length", "La clave de acceso debe tener 49 dígitos y tiene 3")
    assert isinstance(error, ValueError)
    assert str(error) == "La clave de acceso debe tener 49 dígitos y tiene 3"
    assert repr(error) == "AccessKeyError('invalid_length', 'La clave de acceso debe tener 49 dígitos y tiene 3')"
