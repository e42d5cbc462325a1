"""Tests for gestiq_app.fiscal.taxids.

Sources of the example numbers (each also re-derived by hand where noted):
- Brief: DNI 12345678Z / 12345678A, NIE X1234567L, CIF A58818501, B65410011,
  Q2826000H, cédula 1710034065, RUCs 1790011674001, 1760001550001, 1710034065001.
- AEAT VERI*FACTU technical documents: NIF 89890001K.
- python-stdnum doctests (arthurdejong/python-stdnum, tests/test_es_*.doctest,
  tests/test_ec_*.doctest and module docstrings): 11111111H, 54362315K,
  L1111111G, X1111111G, X5253868R, A11111119, J99216582, B64717838, B58378431,
  the Ecuadorian cédulas and the natural/public/juridical RUC lists.
- SRI "Ficha técnica" (v2.32) claves de acceso: RUCs 1760013210001,
  1792146739001, 1792104394001, 0993130575001, 0503061798001; real authorised
  invoice (aftelenchana/wspcompu visor.php): 0190072002001.
- Constructed and checked by hand: K1234567L, M1234567L, Y1234567X, Z1234567R,
  J9921658B, 3012345678, 179001164x001.
- EU VAT syntax: European Commission VIES "VAT number structure" table.
"""

from __future__ import annotations

import re

import pytest

from gestiq_app.fiscal.taxids import (
    EC_ID_TYPES,
    ES_ID_TYPES,
    TaxIdError,
    detect_tax_id_type,
    normalize_tax_id,
    validate_company_tax_id,
    validate_tax_id,
)


def _error(country: str, id_type: str, value: str) -> TaxIdError:
    with pytest.raises(TaxIdError) as excinfo:
        validate_tax_id(country, id_type, value)
    return excinfo.value


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345678z", "12345678Z"),
        (" 12.345.678-Z ", "12345678Z"),
        ("x-1234567-l", "X1234567L"),
        ("b 65.410.011", "B65410011"),
        ("es b-65410011", "ESB65410011"),
        ("171430710-3", "1714307103"),
        ("1790011674-001", "1790011674001"),
        ("17\t10\n034065", "1710034065"),
        ("\u00a012345678Z\u2003", "12345678Z"),  # non-breaking and em spaces
        ("A/B", "A/B"),  # only whitespace, dots and dashes are removed
        ("", ""),
        (" .- ", ""),
    ],
)
def test_normalize_tax_id(raw: str, expected: str) -> None:
    assert normalize_tax_id(raw) == expected


# --------------------------------------------------------------------------- Spain: NIF


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12345678Z", "12345678Z"),  # 12345678 % 23 = 14 -> Z
        ("89890001K", "89890001K"),  # AEAT example issuer; 89890001 % 23 = 21 -> K
        ("11111111H", "11111111H"),  # 11111111 % 23 = 7 -> H
        ("54362315K", "54362315K"),
        ("00000000T", "00000000T"),  # 0 % 23 = 0 -> T
        ("L1111111G", "L1111111G"),  # K/L/M use the DNI algorithm on 7 digits: 1111111 % 23 = 4 -> G
        ("K1234567L", "K1234567L"),  # 1234567 % 23 = 19 -> L
        ("M1234567L", "M1234567L"),
        ("12.345.678-z", "12345678Z"),
        ("l-1111111-g", "L1111111G"),
    ],
)
def test_nif_valid(value: str, expected: str) -> None:
    assert validate_tax_id("ES", "nif", value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345678A", "nif_invalid_check_letter"),
        ("11111111T", "nif_invalid_check_letter"),
        ("89890001J", "nif_invalid_check_letter"),
        ("L1111111C", "nif_invalid_check_letter"),
        ("K1234567D", "nif_invalid_check_letter"),  # D would be the CIF-algorithm letter
        ("1234567L", "nif_invalid_format"),  # 7 digits
        ("123456789", "nif_invalid_format"),  # no letter
        ("123456789Z", "nif_invalid_format"),  # 9 digits
        ("X1234567L", "nif_invalid_format"),  # a NIE is its own type
        ("B65410011", "nif_invalid_format"),  # a CIF is its own type
        ("N1234567L", "nif_invalid_format"),
        ("12345678Ñ", "nif_invalid_format"),
    ],
)
def test_nif_invalid(value: str, code: str) -> None:
    assert _error("ES", "nif", value).code == code


def test_nif_check_letter_message_is_spanish() -> None:
    error = _error("ES", "nif", "12345678A")
    assert error.message_es == "La letra de control del NIF no es correcta"
    assert str(error) == "La letra de control del NIF no es correcta"


# --------------------------------------------------------------------------- Spain: NIE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("X1234567L", "X1234567L"),  # 01234567 % 23 = 19 -> L
        ("X1111111G", "X1111111G"),
        ("X5253868R", "X5253868R"),
        ("Y1234567X", "Y1234567X"),  # 11234567 % 23 = 10 -> X
        ("Z1234567R", "Z1234567R"),  # 21234567 % 23 = 1 -> R
        ("x-5253868-r", "X5253868R"),
    ],
)
def test_nie_valid(value: str, expected: str) -> None:
    assert validate_tax_id("ES", "nie", value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("X1234567A", "nie_invalid_check_letter"),
        ("X1111111A", "nie_invalid_check_letter"),
        ("Y1234567L", "nie_invalid_check_letter"),  # the prefix digit matters
        ("W1234567L", "nie_invalid_format"),
        ("X123456L", "nie_invalid_format"),
        ("X12345678L", "nie_invalid_format"),
        ("12345678Z", "nie_invalid_format"),
    ],
)
def test_nie_invalid(value: str, code: str) -> None:
    assert _error("ES", "nie", value).code == code


def test_nie_check_letter_message() -> None:
    assert _error("ES", "nie", "X1234567A").message_es == "La letra de control del NIE no es correcta"


# --------------------------------------------------------------------------- Spain: CIF


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A58818501", "A58818501"),  # A takes a digit; control 1
        ("B65410011", "B65410011"),  # B takes a digit; control 1
        ("Q2826000H", "Q2826000H"),  # Q takes a letter; control 8 -> H
        ("A11111119", "A11111119"),
        ("B64717838", "B64717838"),
        ("B58378431", "B58378431"),
        ("J99216582", "J99216582"),  # J accepts the digit ...
        ("J9921658B", "J9921658B"),  # ... or the letter (2 -> B)
        ("b-65.410.011", "B65410011"),
    ],
)
def test_cif_valid(value: str, expected: str) -> None:
    assert validate_tax_id("ES", "cif", value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A11111118", "cif_invalid_check_character"),
        ("J99216583", "cif_invalid_check_character"),
        ("B65410012", "cif_invalid_check_character"),
        ("Q2826000J", "cif_invalid_check_character"),
        ("Q28260008", "cif_check_must_be_letter"),  # right value (8) but Q needs the letter H
        ("A5881850A", "cif_check_must_be_digit"),  # right value (A = 1) but A needs the digit
        ("B6541001A", "cif_check_must_be_digit"),
        ("I12345678", "cif_invalid_organization_letter"),
        ("K1234567L", "cif_invalid_organization_letter"),  # K/L/M are NIFs, not CIFs
        ("X1234567L", "cif_invalid_organization_letter"),
        ("A1234567", "cif_invalid_format"),
        ("A123456789", "cif_invalid_format"),
        ("12345678Z", "cif_invalid_format"),
        ("AB1234567", "cif_invalid_format"),
    ],
)
def test_cif_invalid(value: str, code: str) -> None:
    assert _error("ES", "cif", value).code == code


@pytest.mark.parametrize("org", list("PQRSWN"))
def test_cif_letter_organisations_reject_digit_control(org: str) -> None:
    # 2826000 -> control digit 8 / letter H for every organisation letter.
    assert validate_tax_id("ES", "cif", f"{org}2826000H") == f"{org}2826000H"
    assert _error("ES", "cif", f"{org}28260008").code == "cif_check_must_be_letter"


@pytest.mark.parametrize("org", list("ABEH"))
def test_cif_digit_organisations_reject_letter_control(org: str) -> None:
    assert validate_tax_id("ES", "cif", f"{org}58818501") == f"{org}58818501"
    assert _error("ES", "cif", f"{org}5881850A").code == "cif_check_must_be_digit"


@pytest.mark.parametrize("org", list("CDFGJUV"))
def test_cif_other_organisations_accept_either_control(org: str) -> None:
    assert validate_tax_id("ES", "cif", f"{org}58818501") == f"{org}58818501"
    assert validate_tax_id("ES", "cif", f"{org}5881850A") == f"{org}5881850A"


def test_cif_must_be_letter_message() -> None:
    error = _error("ES", "cif", "Q28260008")
    assert error.message_es == "Los CIF que empiezan por Q deben terminar en letra de control (H)"


# --------------------------------------------------------------------------- Spain: VAT-EU


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ESB65410011", "ESB65410011"),
        ("ES A58818501", "ESA58818501"),
        ("ESQ2826000H", "ESQ2826000H"),
        ("ES12345678Z", "ES12345678Z"),
        ("ESX1234567L", "ESX1234567L"),
        ("ESL1111111G", "ESL1111111G"),
        ("ATU12345678", "ATU12345678"),
        ("BE0123456789", "BE0123456789"),
        ("BE1123456789", "BE1123456789"),
        ("BG123456789", "BG123456789"),
        ("BG1234567890", "BG1234567890"),
        ("CY12345678L", "CY12345678L"),
        ("CZ12345678", "CZ12345678"),
        ("CZ1234567890", "CZ1234567890"),
        ("DE123456789", "DE123456789"),
        ("DK12 34 56 78", "DK12345678"),
        ("EE123456789", "EE123456789"),
        ("EL123456789", "EL123456789"),
        ("FI12345678", "FI12345678"),
        ("FRXX123456789", "FRXX123456789"),
        ("FR12345678901", "FR12345678901"),
        ("HR12345678901", "HR12345678901"),
        ("HU12345678", "HU12345678"),
        ("IE1S23456L", "IE1S23456L"),
        ("IE1234567WI", "IE1234567WI"),
        ("IE1234567T", "IE1234567T"),
        ("IT12345678901", "IT12345678901"),
        ("LT123456789", "LT123456789"),
        ("LT123456789012", "LT123456789012"),
        ("LU12345678", "LU12345678"),
        ("LV12345678901", "LV12345678901"),
        ("MT12345678", "MT12345678"),
        ("NL123456789B01", "NL123456789B01"),
        ("PL1234567890", "PL1234567890"),
        ("PT123456789", "PT123456789"),
        ("RO12", "RO12"),
        ("RO1234567890", "RO1234567890"),
        ("SE123456789001", "SE123456789001"),
        ("SI12345678", "SI12345678"),
        ("SK1234567890", "SK1234567890"),
        ("XI123456789", "XI123456789"),
        ("XIGD123", "XIGD123"),
        ("XIHA567", "XIHA567"),
    ],
)
def test_vat_eu_valid(value: str, expected: str) -> None:
    assert validate_tax_id("ES", "vat_eu", value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("ESB65410012", "cif_invalid_check_character"),  # ES numbers get the full check
        ("ES12345678A", "nif_invalid_check_letter"),
        ("ESX1234567A", "nie_invalid_check_letter"),
        ("ESQ28260008", "cif_check_must_be_letter"),
        ("ES1234567", "vat_eu_invalid_format"),
        ("GB123456789", "vat_eu_invalid_country"),  # no longer in the EU VAT area
        ("GR123456789", "vat_eu_invalid_country"),  # Greece uses EL
        ("US123456789", "vat_eu_invalid_country"),
        ("DE12345678", "vat_eu_invalid_format"),
        ("ATE12345678", "vat_eu_invalid_format"),
        ("ATU1234567", "vat_eu_invalid_format"),
        ("BE2123456789", "vat_eu_invalid_format"),
        ("NL123456789X01", "vat_eu_invalid_format"),
        ("SE123456789002", "vat_eu_invalid_format"),
        ("FRIO123456789", "vat_eu_invalid_format"),  # I and O are not used in the key
        ("RO0123", "vat_eu_invalid_format"),
        ("B65410011", "vat_eu_invalid_format"),  # prefix missing
        ("12345678", "vat_eu_invalid_format"),
        ("DE", "vat_eu_invalid_format"),
    ],
)
def test_vat_eu_invalid(value: str, code: str) -> None:
    assert _error("ES", "vat_eu", value).code == code


def test_vat_eu_country_message_names_the_prefix() -> None:
    error = _error("ES", "vat_eu", "GB123456789")
    assert error.message_es == "El prefijo GB no corresponde a ningún Estado miembro de la UE"


# --------------------------------------------------------------------------- passports


@pytest.mark.parametrize("country", ["ES", "EC"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PAA123456", "PAA123456"),
        ("ab123", "AB123"),
        ("AB-12-34", "AB1234"),
        ("12345", "12345"),
        ("A" * 20, "A" * 20),
    ],
)
def test_passport_valid(country: str, value: str, expected: str) -> None:
    assert validate_tax_id(country, "passport", value) == expected


@pytest.mark.parametrize("country", ["ES", "EC"])
@pytest.mark.parametrize("value", ["AB12", "A" * 21, "AB/12345", "ÑAB12345", "AB_12345"])
def test_passport_invalid(country: str, value: str) -> None:
    error = _error(country, "passport", value)
    assert error.code == "passport_invalid_format"
    assert error.message_es == "El pasaporte debe tener entre 5 y 20 letras o dígitos"


# --------------------------------------------------------------------------- Ecuador: cédula


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1710034065", "1710034065"),  # sum 25 -> 10 - 5 = 5
        ("1714307103", "1714307103"),
        ("171430710-3", "1714307103"),
        ("0602910945", "0602910945"),
        ("0926687856", "0926687856"),
        ("0910005917", "0910005917"),
        ("3012345678", "3012345678"),  # province 30 (abroad); sum 32 -> 8
    ],
)
def test_cedula_valid(value: str, expected: str) -> None:
    assert validate_tax_id("EC", "cedula", value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1714307104", "cedula_invalid_check_digit"),
        ("1710034066", "cedula_invalid_check_digit"),
        ("1784307108", "cedula_invalid_third_digit"),
        ("1764307108", "cedula_invalid_third_digit"),
        ("8814307107", "cedula_invalid_province"),
        ("0010034065", "cedula_invalid_province"),
        ("2510034065", "cedula_invalid_province"),
        ("2910034065", "cedula_invalid_province"),
        ("171430710", "cedula_invalid_format"),
        ("17143071033", "cedula_invalid_format"),
        ("123A567890", "cedula_invalid_format"),
        ("1710034065001", "cedula_invalid_format"),
    ],
)
def test_cedula_invalid(value: str, code: str) -> None:
    assert _error("EC", "cedula", value).code == code


def test_cedula_messages() -> None:
    assert _error("EC", "cedula", "1714307104").message_es == "El dígito verificador de la cédula no es correcto"
    assert _error("EC", "cedula", "1784307108").message_es == "El tercer dígito de la cédula debe ser menor que 6"


# --------------------------------------------------------------------------- Ecuador: RUC

STDNUM_NATURAL_RUCS = [
    "0101016905001", "0602910945001", "0910005917001", "0926687856001", "1001152287001",
    "1102755442001", "1104552037001", "1311919078001", "1700672486001", "1702264233001",
    "1704159860001", "1710034065001", "1710585264001", "1710589373001", "1713238234001",
    "1714307103001", "1721788659001", "1803557964001",
]  # fmt: skip
STDNUM_PUBLIC_RUCS = [
    "0160000510001", "0260000250001", "0360016230001", "0460027250001", "0560000700001",
    "0660831360001", "0760033270001", "0860032440001", "0968529830001", "1060024600001",
    "1160836120001", "1260033820001", "1360059280001", "1460000370001", "1560001240001",
    "1660012930001", "1760001550001", "1768155660001", "1865011360001", "1960001190001",
    "2060000230001", "2160011760001",
]  # fmt: skip
STDNUM_PRIVATE_RUCS = [
    "0190115798001", "0290003288001", "0390027923001", "0490002669001", "0590052000001",
    "0690045389001", "0790024656001", "0992563834001", "1090109487001", "1190068389001",
    "1390091474001", "1690012606001", "1790011674001", "1792060346001", "1890037646001",
]  # fmt: skip
SRI_FICHA_RUCS = ["1760013210001", "1792146739001", "1792104394001", "0993130575001", "0503061798001"]


@pytest.mark.parametrize(
    "value",
    STDNUM_NATURAL_RUCS + STDNUM_PUBLIC_RUCS + STDNUM_PRIVATE_RUCS + SRI_FICHA_RUCS + ["0190072002001"],
)
def test_ruc_valid_published(value: str) -> None:
    assert validate_tax_id("EC", "ruc", value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1790011674001", "1790011674001"),  # sociedad privada: sum 84, 84 % 11 = 7 -> 4
        ("1760001550001", "1760001550001"),  # entidad pública: sum 72, 72 % 11 = 6 -> 5
        ("1710034065001", "1710034065001"),  # persona natural: cédula 1710034065 + 001
        ("1710034065002", "1710034065002"),  # second establishment
        ("1790011674999", "1790011674999"),
        ("1760001550010", "1760001550010"),
        ("1790011674-001", "1790011674001"),
        ("1792060346-001", "1792060346001"),
    ],
)
def test_ruc_valid(value: str, expected: str) -> None:
    assert validate_tax_id("EC", "ruc", value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1710034066001", "ruc_invalid_check_digit"),  # persona natural: the cédula check still applies
        ("8810034069001", "ruc_invalid_province"),
        ("8868152120001", "ruc_invalid_province"),
        ("8892397539001", "ruc_invalid_province"),
        ("0090011674001", "ruc_invalid_province"),
        ("0926687856000", "ruc_invalid_establishment"),
        ("1760001550000", "ruc_invalid_establishment"),
        ("0992397535000", "ruc_invalid_establishment"),
        ("1790011674000", "ruc_invalid_establishment"),
        ("0170000610001", "ruc_invalid_third_digit"),
        ("1780011674001", "ruc_invalid_third_digit"),
        ("179206034601", "ruc_invalid_format"),
        ("17920603A6001", "ruc_invalid_format"),
        ("1710034065", "ruc_invalid_format"),
        ("9999999999999", "ruc_is_consumidor_final"),
    ],
)
def test_ruc_invalid(value: str, code: str) -> None:
    assert _error("EC", "ruc", value).code == code


def test_ruc_establishment_messages() -> None:
    assert _error("EC", "ruc", "1790011674000").message_es == (
        "Los últimos 3 dígitos del RUC (establecimiento) deben ser 001 o mayores"
    )
    assert _error("EC", "ruc", "1760001550000").message_es == (
        "Los últimos 4 dígitos del RUC (establecimiento) deben ser 0001 o mayores"
    )


# Company (third digit 9) and public-entity/third-digit-6 RUCs are accepted without a módulo-11 check: the SRI
# registers RUCs that fail it (python-stdnum #457, #497, #267). These were wrongly rejected before.
@pytest.mark.parametrize(
    "value",
    ["1793221293001", "0962467429001", "1763154690001", "0160000610001", "0190115799001", "1790011675001",
     "1760001560001", "1790011640001"],
)
def test_company_and_third_digit_6_rucs_are_accepted_without_checksum(value: str) -> None:
    assert validate_tax_id("EC", "ruc", value) == value


# --------------------------------------------------------------------------- Ecuador: consumidor final


@pytest.mark.parametrize("value", ["9999999999999", "9999 9999 9999 9", "999-9999999-999"])
def test_consumidor_final_valid(value: str) -> None:
    assert validate_tax_id("EC", "consumidor_final", value) == "9999999999999"


@pytest.mark.parametrize("value", ["9999999999998", "999999999999", "99999999999999", "1790011674001"])
def test_consumidor_final_invalid(value: str) -> None:
    error = _error("EC", "consumidor_final", value)
    assert error.code == "consumidor_final_invalid"
    assert error.message_es == "El identificador de consumidor final debe ser 9999999999999 (13 nueves)"


# --------------------------------------------------------------------------- dispatch and errors


@pytest.mark.parametrize(
    ("country", "id_type", "value", "expected"),
    [
        ("es", "nif", "12345678z", "12345678Z"),
        (" ES ", "NIF", "12345678Z", "12345678Z"),
        ("Ec", "Cedula", "1710034065", "1710034065"),
        ("EC", "RUC", "1790011674001", "1790011674001"),
    ],
)
def test_country_and_type_are_case_insensitive(country: str, id_type: str, value: str, expected: str) -> None:
    assert validate_tax_id(country, id_type, value) == expected


@pytest.mark.parametrize(
    ("country", "id_type", "code"),
    [
        ("PT", "nif", "unsupported_country"),
        ("", "nif", "unsupported_country"),
        ("ES", "dni", "unsupported_id_type"),
        ("ES", "cedula", "unsupported_id_type"),
        ("EC", "nif", "unsupported_id_type"),
        ("EC", "vat_eu", "unsupported_id_type"),
    ],
)
def test_unsupported_country_or_type(country: str, id_type: str, code: str) -> None:
    assert _error(country, id_type, "12345678Z").code == code


@pytest.mark.parametrize(("country", "id_type"), [("ES", t) for t in ES_ID_TYPES] + [("EC", t) for t in EC_ID_TYPES])
@pytest.mark.parametrize("value", ["", "   ", " .-. "])
def test_empty_value(country: str, id_type: str, value: str) -> None:
    error = _error(country, id_type, value)
    assert error.code == "empty"
    assert error.message_es == "El identificador fiscal está vacío"


def test_tax_id_error_is_a_value_error_with_code() -> None:
    error = TaxIdError("nif_invalid_check_letter", "La letra de control del NIF no es correcta")
    assert isinstance(error, ValueError)
    assert error.code == "nif_invalid_check_letter"
    assert repr(error) == "TaxIdError('nif_invalid_check_letter', 'La letra de control del NIF no es correcta')"


ERROR_SAMPLES = [
    ("ES", "nif", "12345678A"), ("ES", "nif", "1234"), ("ES", "nie", "X1234567A"), ("ES", "nie", "W1"),
    ("ES", "cif", "A11111118"), ("ES", "cif", "Q28260008"), ("ES", "cif", "A5881850A"),
    ("ES", "cif", "I12345678"), ("ES", "cif", "A1"), ("ES", "vat_eu", "GB1"), ("ES", "vat_eu", "DE1"),
    ("ES", "passport", "A"), ("EC", "cedula", "1"), ("EC", "cedula", "8814307107"),
    ("EC", "cedula", "1784307108"), ("EC", "cedula", "1714307104"), ("EC", "ruc", "1"),
    ("EC", "ruc", "9999999999999"), ("EC", "ruc", "8810034069001"), ("EC", "ruc", "0170000610001"),
    ("EC", "ruc", "1710034066001"), ("EC", "ruc", "1790011674000"), ("EC", "consumidor_final", "1"),
    ("XX", "nif", "1"), ("ES", "xx", "1"), ("ES", "nif", ""),
]  # fmt: skip


@pytest.mark.parametrize(("country", "id_type", "value"), ERROR_SAMPLES)
def test_error_codes_are_snake_case_and_messages_non_empty(country: str, id_type: str, value: str) -> None:
    error = _error(country, id_type, value)
    assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", error.code)
    assert error.message_es and error.message_es[0].isupper()


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12345678Z", "nif"),
        ("12345678A", "nif"),  # shape only: the check letter is validate_tax_id's job
        ("12.345.678-z", "nif"),
        ("L1111111G", "nif"),
        ("K1234567L", "nif"),
        ("X1234567L", "nie"),
        ("Z1234567R", "nie"),
        ("B65410011", "cif"),
        ("Q2826000H", "cif"),
        ("A11111118", "cif"),
        ("ESB65410011", "vat_eu"),
        ("ES 12345678Z", "vat_eu"),
        ("DE123456789", "vat_eu"),
        ("NL123456789B01", "vat_eu"),
        ("PAA123456", "passport"),
        ("I12345678", "passport"),  # no CIF starts with I
        ("GB123456789", "passport"),  # not an EU VAT prefix
        ("DE12345678", "passport"),  # DE prefix but wrong length
        ("AB12", None),
        ("", None),
        ("A/B12345", None),
    ],
)
def test_detect_spain(value: str, expected: str | None) -> None:
    assert detect_tax_id_type("ES", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1710034065", "cedula"),
        ("1714307104", "cedula"),  # shape only
        ("171430710-3", "cedula"),
        ("1790011674001", "ruc"),
        ("1790011674-001", "ruc"),
        ("9999999999999", "consumidor_final"),
        ("A1234567", "passport"),
        ("17100340651", "passport"),  # 11 digits is neither cédula nor RUC
        ("1234", None),
        ("", None),
    ],
)
def test_detect_ecuador(value: str, expected: str | None) -> None:
    assert detect_tax_id_type("EC", value) == expected


def test_detect_unsupported_country() -> None:
    with pytest.raises(TaxIdError) as excinfo:
        detect_tax_id_type("FR", "12345678Z")
    assert excinfo.value.code == "unsupported_country"


@pytest.mark.parametrize(
    ("country", "value"),
    [
        ("ES", "12345678Z"), ("ES", "X1234567L"), ("ES", "L1111111G"), ("ES", "B65410011"),
        ("ES", "Q2826000H"), ("ES", "ESB65410011"), ("ES", "PAA123456"), ("EC", "1710034065"),
        ("EC", "1790011674001"), ("EC", "1760001550001"), ("EC", "9999999999999"), ("EC", "A1234567"),
    ],
)  # fmt: skip
def test_detected_type_validates_valid_values(country: str, value: str) -> None:
    detected = detect_tax_id_type(country, value)
    assert detected is not None
    assert validate_tax_id(country, detected, value) == normalize_tax_id(value)


# --------------------------------------------------------------------------- company (tenant) tax ids


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        ("ES", "B65410011", "B65410011"),
        ("ES", " b-65.410.011 ", "B65410011"),
        ("ES", "A58818501", "A58818501"),
        ("ES", "Q2826000H", "Q2826000H"),
        ("ES", "12345678Z", "12345678Z"),  # autónomo
        ("ES", "X1234567L", "X1234567L"),
        ("ES", "L1111111G", "L1111111G"),
        ("es", "j99216582", "J99216582"),
        ("EC", "1790011674001", "1790011674001"),
        ("EC", "1760001550001", "1760001550001"),
        ("EC", "1710034065001", "1710034065001"),
        ("EC", "1790011674-001", "1790011674001"),
    ],
)
def test_company_tax_id_valid(country: str, value: str, expected: str) -> None:
    assert validate_company_tax_id(country, value) == expected


@pytest.mark.parametrize(
    ("country", "value", "code"),
    [
        ("ES", "ESB65410011", "company_tax_id_type_not_allowed"),
        ("ES", "DE123456789", "company_tax_id_type_not_allowed"),
        ("ES", "PAA123456", "company_tax_id_type_not_allowed"),
        ("ES", "1234", "company_tax_id_type_not_allowed"),
        ("ES", "12345678A", "nif_invalid_check_letter"),
        ("ES", "X1234567A", "nie_invalid_check_letter"),
        ("ES", "B65410012", "cif_invalid_check_character"),
        ("ES", "Q28260008", "cif_check_must_be_letter"),
        ("EC", "1710034065", "company_tax_id_type_not_allowed"),
        ("EC", "A1234567", "company_tax_id_type_not_allowed"),
        ("EC", "9999999999999", "ruc_is_consumidor_final"),
        ("EC", "1790011674000", "ruc_invalid_establishment"),
        ("EC", "1710034066001", "ruc_invalid_check_digit"),
        ("ES", "", "empty"),
        ("EC", " - ", "empty"),
        ("PE", "20100070970", "unsupported_country"),
    ],
)
def test_company_tax_id_invalid(country: str, value: str, code: str) -> None:
    with pytest.raises(TaxIdError) as excinfo:
        validate_company_tax_id(country, value)
    assert excinfo.value.code == code


def test_company_tax_id_messages() -> None:
    with pytest.raises(TaxIdError) as excinfo:
        validate_company_tax_id("EC", "1710034065")
    assert excinfo.value.message_es == "Una empresa en Ecuador debe identificarse con su RUC de 13 dígitos"
    with pytest.raises(TaxIdError) as excinfo:
        validate_company_tax_id("ES", "ESB65410011")
    assert excinfo.value.message_es == "Una empresa en España debe identificarse con un NIF, NIE o CIF"
