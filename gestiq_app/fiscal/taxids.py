"""Validate and normalize Spanish and Ecuadorian tax identifiers.

Spain (``ES``) id types: ``nif`` (DNI, and the K/L/M NIFs of people without
DNI/NIE), ``nie``, ``cif``, ``vat_eu`` and ``passport``.
Ecuador (``EC``) id types: ``cedula``, ``ruc``, ``passport`` and
``consumidor_final``.

Every failure raises :class:`TaxIdError` with a stable snake_case ``code`` and a
Spanish ``message_es`` meant for end users.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

__all__ = [
    "EC_ID_TYPES",
    "ES_ID_TYPES",
    "EU_VAT_PATTERNS",
    "TaxIdError",
    "detect_tax_id_type",
    "normalize_tax_id",
    "validate_company_tax_id",
    "validate_tax_id",
]

ES_ID_TYPES: Final[tuple[str, ...]] = ("nif", "nie", "cif", "vat_eu", "passport")
EC_ID_TYPES: Final[tuple[str, ...]] = ("cedula", "ruc", "passport", "consumidor_final")

# DNI/NIE/NIF-KLM control letters, indexed by ``number % 23``.
_DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"
# CIF control letters, indexed by the control digit (0 -> J, 1 -> A, ..., 9 -> I).
_CIF_LETTERS: Final = "JABCDEFGHI"
# Organisation letters that may start a CIF.
_CIF_ORG_LETTERS: Final = "ABCDEFGHJNPQRSUVW"
# Organisations whose CIF control character must be a letter / a digit; the
# remaining ones (C, D, F, G, J, U, V) accept either form.
_CIF_LETTER_CONTROL: Final = "NPQRSW"
_CIF_DIGIT_CONTROL: Final = "ABEH"

_CONSUMIDOR_FINAL: Final = "9999999999999"
# Ecuadorian province codes (01-24) plus 30 (Ecuadorians registered abroad).
_EC_PROVINCES: Final = frozenset({f"{n:02d}" for n in range(1, 25)} | {"30"})

_RE_DNI: Final = re.compile(r"[0-9]{8}[A-Z]")
_RE_NIF_KLM: Final = re.compile(r"[KLM][0-9]{7}[A-Z]")
_RE_NIE: Final = re.compile(r"[XYZ][0-9]{7}[A-Z]")
_RE_CIF_SHAPE: Final = re.compile(r"[A-Z][0-9]{7}[0-9A-Z]")
_RE_CIF: Final = re.compile(rf"[{_CIF_ORG_LETTERS}][0-9]{{7}}[0-9A-J]")
_RE_PASSPORT: Final = re.compile(r"[A-Z0-9]{5,20}")
_RE_DIGITS_10: Final = re.compile(r"[0-9]{10}")
_RE_DIGITS_13: Final = re.compile(r"[0-9]{13}")
_RE_VAT_PREFIX: Final = re.compile(r"([A-Z]{2})([0-9A-Z+*]+)")

# Syntax of the national part of an EU VAT number (after the 2-letter prefix),
# from the European Commission's VIES "VAT number structure" table. Spain
# (``ES``) is also checked here and then fully validated as NIF/NIE/CIF.
EU_VAT_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "AT": re.compile(r"U[0-9]{8}"),
    "BE": re.compile(r"[01][0-9]{9}"),
    "BG": re.compile(r"[0-9]{9,10}"),
    "CY": re.compile(r"[0-9]{8}[A-Z]"),
    "CZ": re.compile(r"[0-9]{8,10}"),
    "DE": re.compile(r"[0-9]{9}"),
    "DK": re.compile(r"[0-9]{8}"),
    "EE": re.compile(r"[0-9]{9}"),
    "EL": re.compile(r"[0-9]{9}"),
    "ES": re.compile(r"[0-9A-Z][0-9]{7}[0-9A-Z]"),
    "FI": re.compile(r"[0-9]{8}"),
    "FR": re.compile(r"[0-9A-HJ-NP-Z]{2}[0-9]{9}"),
    "HR": re.compile(r"[0-9]{11}"),
    "HU": re.compile(r"[0-9]{8}"),
    "IE": re.compile(r"[0-9][0-9A-Z+*][0-9]{5}[A-Z]|[0-9]{7}[A-W][A-IW]?"),
    "IT": re.compile(r"[0-9]{11}"),
    "LT": re.compile(r"[0-9]{9}|[0-9]{12}"),
    "LU": re.compile(r"[0-9]{8}"),
    "LV": re.compile(r"[0-9]{11}"),
    "MT": re.compile(r"[0-9]{8}"),
    "NL": re.compile(r"[0-9]{9}B[0-9]{2}"),
    "PL": re.compile(r"[0-9]{10}"),
    "PT": re.compile(r"[0-9]{9}"),
    "RO": re.compile(r"[1-9][0-9]{1,9}"),
    "SE": re.compile(r"[0-9]{10}01"),
    "SI": re.compile(r"[0-9]{8}"),
    "SK": re.compile(r"[0-9]{10}"),
    "XI": re.compile(r"[0-9]{9}|[0-9]{12}|GD[0-4][0-9]{2}|HA[5-9][0-9]{2}"),
}

_SEPARATORS: Final = re.compile(r"[\s.\-]+")


class TaxIdError(ValueError):
    """Report an invalid tax identifier with a stable code and a Spanish message."""

    def __init__(self, code: str, message_es: str) -> None:
        """Store the error code and the Spanish message."""
        super().__init__(message_es)
        self.code = code
        self.message_es = message_es

    def __repr__(self) -> str:
        """Return a debug representation with code and message."""
        return f"TaxIdError({self.code!r}, {self.message_es!r})"


def normalize_tax_id(value: str) -> str:
    """Remove whitespace, dots and dashes from a tax id and upper-case it."""
    return _SEPARATORS.sub("", value).upper()


def _dni_letter(number: int) -> str:
    """Return the DNI control letter for a number."""
    return _DNI_LETTERS[number % 23]


def _validate_nif(value: str) -> str:
    """Validate a DNI-based NIF or a K/L/M NIF."""
    if _RE_DNI.fullmatch(value):
        number = int(value[:8])
    elif _RE_NIF_KLM.fullmatch(value):
        # K, L and M NIFs use the DNI algorithm over their 7 digits.
        number = int(value[1:8])
    else:
        raise TaxIdError(
            "nif_invalid_format",
            "El NIF debe tener 8 dígitos y una letra, o empezar por K, L o M seguida de 7 dígitos y una letra",
        )
    if value[-1] != _dni_letter(number):
        raise TaxIdError("nif_invalid_check_letter", "La letra de control del NIF no es correcta")
    return value


def _validate_nie(value: str) -> str:
    """Validate a NIE (X/Y/Z + 7 digits + control letter)."""
    if not _RE_NIE.fullmatch(value):
        raise TaxIdError(
            "nie_invalid_format",
            "El NIE debe empezar por X, Y o Z, seguida de 7 dígitos y una letra",
        )
    number = int(str("XYZ".index(value[0])) + value[1:8])
    if value[-1] != _dni_letter(number):
        raise TaxIdError("nie_invalid_check_letter", "La letra de control del NIE no es correcta")
    return value


def _cif_control_digit(digits7: str) -> int:
    """Return the CIF control digit (0-9) for the 7 central digits."""
    total = 0
    for position, char in enumerate(digits7, start=1):
        digit = int(char)
        if position % 2:  # odd positions are doubled and their digits summed
            doubled = digit * 2
            total += doubled // 10 + doubled % 10
        else:
            total += digit
    return (10 - total % 10) % 10


def _validate_cif(value: str) -> str:
    """Validate a CIF, including which organisations need a letter or a digit."""
    if not _RE_CIF_SHAPE.fullmatch(value):
        raise TaxIdError(
            "cif_invalid_format",
            "El CIF debe tener una letra, 7 dígitos y un carácter de control",
        )
    organisation, control = value[0], value[-1]
    if organisation not in _CIF_ORG_LETTERS:
        raise TaxIdError(
            "cif_invalid_organization_letter",
            f"La letra inicial del CIF ({organisation}) no corresponde a ningún tipo de entidad",
        )
    digit = _cif_control_digit(value[1:8])
    letter = _CIF_LETTERS[digit]
    if control not in (str(digit), letter):
        raise TaxIdError("cif_invalid_check_character", "El carácter de control del CIF no es correcto")
    if organisation in _CIF_LETTER_CONTROL and control != letter:
        raise TaxIdError(
            "cif_check_must_be_letter",
            f"Los CIF que empiezan por {organisation} deben terminar en letra de control ({letter})",
        )
    if organisation in _CIF_DIGIT_CONTROL and control != str(digit):
        raise TaxIdError(
            "cif_check_must_be_digit",
            f"Los CIF que empiezan por {organisation} deben terminar en dígito de control ({digit})",
        )
    return value


def _validate_spanish_national(value: str) -> str:
    """Validate a Spanish NIF, NIE or CIF chosen by its shape."""
    if value[:1] in ("X", "Y", "Z"):
        return _validate_nie(value)
    if value[:1].isdigit() or value[:1] in ("K", "L", "M"):
        return _validate_nif(value)
    return _validate_cif(value)


def _validate_vat_eu(value: str) -> str:
    """Validate an EU VAT number: full check for ES, syntax check for the rest."""
    match = _RE_VAT_PREFIX.fullmatch(value)
    if not match:
        raise TaxIdError(
            "vat_eu_invalid_format",
            "El NIF-IVA debe empezar por el código de país de dos letras seguido del número",
        )
    country, national = match.groups()
    pattern = EU_VAT_PATTERNS.get(country)
    if pattern is None:
        raise TaxIdError(
            "vat_eu_invalid_country",
            f"El prefijo {country} no corresponde a ningún Estado miembro de la UE",
        )
    if not pattern.fullmatch(national):
        raise TaxIdError(
            "vat_eu_invalid_format",
            f"El NIF-IVA no tiene el formato correcto para el país {country}",
        )
    if country == "ES":
        _validate_spanish_national(national)
    return value


def _validate_passport(value: str) -> str:
    """Validate a passport number (5 to 20 letters or digits)."""
    if not _RE_PASSPORT.fullmatch(value):
        raise TaxIdError(
            "passport_invalid_format",
            "El pasaporte debe tener entre 5 y 20 letras o dígitos",
        )
    return value


def _cedula_check_digit(digits9: str) -> int:
    """Return the módulo 10 check digit of an Ecuadorian cédula."""
    total = 0
    for index, char in enumerate(digits9):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def _validate_cedula(value: str) -> str:
    """Validate an Ecuadorian cédula (10 digits, módulo 10)."""
    if not _RE_DIGITS_10.fullmatch(value):
        raise TaxIdError("cedula_invalid_format", "La cédula debe tener exactamente 10 dígitos")
    if value[:2] not in _EC_PROVINCES:
        raise TaxIdError(
            "cedula_invalid_province",
            "Los dos primeros dígitos de la cédula deben ser un código de provincia (01 a 24, o 30)",
        )
    if int(value[2]) >= 6:
        raise TaxIdError("cedula_invalid_third_digit", "El tercer dígito de la cédula debe ser menor que 6")
    if int(value[9]) != _cedula_check_digit(value[:9]):
        raise TaxIdError("cedula_invalid_check_digit", "El dígito verificador de la cédula no es correcto")
    return value


def _mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """Return the módulo 11 check digit, or None when the remainder forbids one."""
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:  # 11 - 1 = 10 is not a digit: no valid number exists
        return None
    return 11 - remainder


_RUC_PRIVATE_WEIGHTS: Final = (4, 3, 2, 7, 6, 5, 4, 3, 2)
_RUC_PUBLIC_WEIGHTS: Final = (3, 2, 7, 6, 5, 4, 3, 2)
_RUC_BAD_CHECK: Final = ("ruc_invalid_check_digit", "El dígito verificador del RUC no es correcto")


def _validate_ruc(value: str) -> str:
    """Validate an Ecuadorian RUC (persona natural, sociedad privada or entidad pública)."""
    if not _RE_DIGITS_13.fullmatch(value):
        raise TaxIdError("ruc_invalid_format", "El RUC debe tener exactamente 13 dígitos")
    if value == _CONSUMIDOR_FINAL:
        raise TaxIdError(
            "ruc_is_consumidor_final",
            "El número 9999999999999 identifica al consumidor final; no es un RUC",
        )
    if value[:2] not in _EC_PROVINCES:
        raise TaxIdError(
            "ruc_invalid_province",
            "Los dos primeros dígitos del RUC deben ser un código de provincia (01 a 24, o 30)",
        )
    third = int(value[2])
    if third < 6:  # persona natural: cédula + establishment
        if int(value[9]) != _cedula_check_digit(value[:9]):
            raise TaxIdError(*_RUC_BAD_CHECK)
        establishment, width = value[10:], 3
    elif third == 9:  # sociedad privada
        # No checksum: the SRI has issued company RUCs whose 10th digit is not the módulo-11 digit
        # (python-stdnum #457/#497); rejecting a registered RUC would block a real customer.
        establishment, width = value[10:], 3
    elif third == 6:  # entidad pública, or a natural person whose cédula has third digit 6
        # No checksum either (python-stdnum #267: natural-person RUCs with third digit 6 exist).
        establishment, width = (value[9:], 4) if value[9] == "0" else (value[10:], 3)
    else:
        raise TaxIdError(
            "ruc_invalid_third_digit",
            "El tercer dígito del RUC debe ser 0-5 (persona natural), 6 (entidad pública) o 9 (sociedad privada)",
        )
    if int(establishment) == 0:
        raise TaxIdError(
            "ruc_invalid_establishment",
            f"Los últimos {width} dígitos del RUC (establecimiento) deben ser {'0' * (width - 1)}1 o mayores",
        )
    return value


def _validate_consumidor_final(value: str) -> str:
    """Validate the Ecuadorian final-consumer identifier 9999999999999."""
    if value != _CONSUMIDOR_FINAL:
        raise TaxIdError(
            "consumidor_final_invalid",
            "El identificador de consumidor final debe ser 9999999999999 (13 nueves)",
        )
    return value


_VALIDATORS: Final[dict[str, dict[str, Callable[[str], str]]]] = {
    "ES": {
        "nif": _validate_nif,
        "nie": _validate_nie,
        "cif": _validate_cif,
        "vat_eu": _validate_vat_eu,
        "passport": _validate_passport,
    },
    "EC": {
        "cedula": _validate_cedula,
        "ruc": _validate_ruc,
        "passport": _validate_passport,
        "consumidor_final": _validate_consumidor_final,
    },
}


def _country_validators(country: str) -> tuple[str, dict[str, Callable[[str], str]]]:
    """Return the normalized country code and its validators, or raise."""
    code = country.strip().upper()
    validators = _VALIDATORS.get(code)
    if validators is None:
        raise TaxIdError(
            "unsupported_country",
            f"El país {country!r} no está soportado (solo ES y EC)",
        )
    return code, validators


def validate_tax_id(country: str, id_type: str, value: str) -> str:
    """Validate a tax id of the given country and type and return it normalized."""
    code, validators = _country_validators(country)
    validator = validators.get(id_type.strip().lower())
    if validator is None:
        raise TaxIdError(
            "unsupported_id_type",
            f"El tipo de identificación {id_type!r} no existe para {code}",
        )
    normalized = normalize_tax_id(value)
    if not normalized:
        raise TaxIdError("empty", "El identificador fiscal está vacío")
    return validator(normalized)


def _detect_es(value: str) -> str | None:
    """Guess the Spanish id type of a normalized value from its shape."""
    if _RE_DNI.fullmatch(value) or _RE_NIF_KLM.fullmatch(value):
        return "nif"
    if _RE_NIE.fullmatch(value):
        return "nie"
    if _RE_CIF.fullmatch(value):
        return "cif"
    match = _RE_VAT_PREFIX.fullmatch(value)
    if match:
        pattern = EU_VAT_PATTERNS.get(match.group(1))
        if pattern is not None and pattern.fullmatch(match.group(2)):
            return "vat_eu"
    if _RE_PASSPORT.fullmatch(value):
        return "passport"
    return None


def _detect_ec(value: str) -> str | None:
    """Guess the Ecuadorian id type of a normalized value from its shape."""
    if value == _CONSUMIDOR_FINAL:
        return "consumidor_final"
    if _RE_DIGITS_10.fullmatch(value):
        return "cedula"
    if _RE_DIGITS_13.fullmatch(value):
        return "ruc"
    if _RE_PASSPORT.fullmatch(value):
        return "passport"
    return None


def detect_tax_id_type(country: str, value: str) -> str | None:
    """Return the id type whose shape the value has (check digits are not verified)."""
    code, _ = _country_validators(country)
    normalized = normalize_tax_id(value)
    if not normalized:
        return None
    return _detect_es(normalized) if code == "ES" else _detect_ec(normalized)


def validate_company_tax_id(country: str, value: str) -> str:
    """Validate a tenant company's tax id (ES: NIF/NIE/CIF; EC: RUC) and return it normalized."""
    code, _ = _country_validators(country)
    normalized = normalize_tax_id(value)
    if not normalized:
        raise TaxIdError("empty", "El identificador fiscal está vacío")
    detected = detect_tax_id_type(code, normalized)
    if code == "ES":
        if detected not in ("nif", "nie", "cif"):
            raise TaxIdError(
                "company_tax_id_type_not_allowed",
                "Una empresa en España debe identificarse con un NIF, NIE o CIF",
            )
        return validate_tax_id(code, detected, normalized)
    if detected not in ("ruc", "consumidor_final"):
        raise TaxIdError(
            "company_tax_id_type_not_allowed",
            "Una empresa en Ecuador debe identificarse con su RUC de 13 dígitos",
        )
    return validate_tax_id(code, "ruc", normalized)
