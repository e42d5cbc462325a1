"""Build and validate the SRI (Ecuador) 49-digit clave de acceso.

Layout (SRI "Ficha técnica de comprobantes electrónicos esquema offline",
Tabla 1): issue date ddmmaaaa (8) + document type (2) + RUC (13) +
environment (1) + establishment (3) + emission point (3) + sequential (9) +
numeric code (8) + emission type (1) + módulo 11 check digit (1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

__all__ = [
    "DOC_TYPES",
    "ENVIRONMENTS",
    "AccessKeyError",
    "AccessKeyParts",
    "build_access_key",
    "mod11_check_digit",
    "validate_access_key",
]

# Ficha técnica, Tabla 3 (tipos de comprobante).
DOC_TYPES: Final[dict[str, str]] = {
    "01": "factura",
    "03": "liquidación de compra de bienes y prestación de servicios",
    "04": "nota de crédito",
    "05": "nota de débito",
    "06": "guía de remisión",
    "07": "comprobante de retención",
}
# Ficha técnica, Tabla 4 (tipo de ambiente).
ENVIRONMENTS: Final[dict[int, str]] = {1: "pruebas", 2: "producción"}
# Ficha técnica, Tabla 2: offline authorisation only has emisión normal (1).
EMISSION_TYPES: Final[dict[int, str]] = {1: "emisión normal"}

_KEY_LENGTH: Final = 49
_RE_DIGITS: Final = re.compile(r"[0-9]+")


class AccessKeyError(ValueError):
    """Report an invalid clave de acceso with a stable code and a Spanish message."""

    def __init__(self, code: str, message_es: str) -> None:
        """Store the error code and the Spanish message."""
        super().__init__(message_es)
        self.code = code
        self.message_es = message_es

    def __repr__(self) -> str:
        """Return a debug representation with code and message."""
        return f"AccessKeyError({self.code!r}, {self.message_es!r})"


@dataclass(frozen=True)
class AccessKeyParts:
    """Hold every field decoded from a valid clave de acceso."""

    key: str
    issue_date: date
    doc_type: str
    ruc: str
    environment: int
    establishment: str
    emission_point: str
    sequential: int
    numeric_code: str
    emission_type: int
    check_digit: int

    @property
    def doc_type_name(self) -> str:
        """Return the Spanish name of the document type."""
        return DOC_TYPES[self.doc_type]

    @property
    def document_number(self) -> str:
        """Return the printed document number, e.g. ``001-002-000000123``."""
        return f"{self.establishment}-{self.emission_point}-{self.sequential:09d}"


def _is_digits(value: str, length: int | None = None) -> bool:
    """Tell whether value is only ASCII digits, optionally of an exact length."""
    return bool(_RE_DIGITS.fullmatch(value)) and (length is None or len(value) == length)


def mod11_check_digit(digits48: str) -> int:
    """Return the SRI módulo 11 check digit (weights 2..7 from the right; 11 -> 0, 10 -> 1)."""
    if not _is_digits(digits48):
        raise AccessKeyError("non_digit", "La clave de acceso solo puede contener dígitos")
    total = 0
    weight = 2
    for char in reversed(digits48):
        total += int(char) * weight
        weight = 2 if weight == 7 else weight + 1
    result = 11 - total % 11
    if result == 11:
        return 0
    if result == 10:
        return 1
    return result


def _check_doc_type(doc_type: str) -> None:
    """Raise unless the document type is in Tabla 3."""
    if doc_type not in DOC_TYPES:
        raise AccessKeyError(
            "unknown_doc_type",
            f"El tipo de comprobante {doc_type!r} no existe (01, 03, 04, 05, 06 o 07)",
        )


def _check_environment(environment: int) -> None:
    """Raise unless the environment is 1 (pruebas) or 2 (producción)."""
    if isinstance(environment, bool) or environment not in ENVIRONMENTS:
        raise AccessKeyError(
            "invalid_environment",
            "El tipo de ambiente debe ser 1 (pruebas) o 2 (producción)",
        )


def _check_emission_type(emission_type: int) -> None:
    """Raise unless the emission type is 1 (emisión normal)."""
    if isinstance(emission_type, bool) or emission_type not in EMISSION_TYPES:
        raise AccessKeyError(
            "invalid_emission_type",
            "El tipo de emisión debe ser 1 (emisión normal)",
        )


def _check_sequential(sequential: int) -> None:
    """Raise unless the sequential is between 1 and 999999999."""
    if isinstance(sequential, bool) or not isinstance(sequential, int) or not 1 <= sequential <= 999_999_999:
        raise AccessKeyError(
            "invalid_sequential",
            "El secuencial debe ser un número entre 1 y 999999999",
        )


def build_access_key(
    *,
    issue_date: date,
    doc_type: str,
    ruc: str,
    environment: int,
    establishment: str,
    emission_point: str,
    sequential: int,
    numeric_code: str,
    emission_type: int = 1,
) -> str:
    """Build a 49-digit clave de acceso, appending its módulo 11 check digit."""
    if isinstance(issue_date, datetime) or not isinstance(issue_date, date):
        raise AccessKeyError("invalid_date", "La fecha de emisión debe ser una fecha (sin hora)")
    _check_doc_type(doc_type)
    if not _is_digits(ruc, 13):
        raise AccessKeyError("invalid_ruc", "El RUC debe tener exactamente 13 dígitos")
    _check_environment(environment)
    if not _is_digits(establishment, 3):
        raise AccessKeyError("invalid_establishment", "El establecimiento debe tener exactamente 3 dígitos")
    if not _is_digits(emission_point, 3):
        raise AccessKeyError("invalid_emission_point", "El punto de emisión debe tener exactamente 3 dígitos")
    _check_sequential(sequential)
    if not _is_digits(numeric_code, 8):
        raise AccessKeyError("invalid_numeric_code", "El código numérico debe tener exactamente 8 dígitos")
    _check_emission_type(emission_type)
    digits48 = (
        f"{issue_date:%d%m%Y}{doc_type}{ruc}{environment}{establishment}{emission_point}"
        f"{sequential:09d}{numeric_code}{emission_type}"
    )
    return digits48 + str(mod11_check_digit(digits48))


def validate_access_key(key: str) -> AccessKeyParts:
    """Validate a clave de acceso and return all its decoded parts."""
    if len(key) != _KEY_LENGTH:
        raise AccessKeyError(
            "invalid_length",
            f"La clave de acceso debe tener 49 dígitos y tiene {len(key)}",
        )
    if not _is_digits(key):
        raise AccessKeyError("non_digit", "La clave de acceso solo puede contener dígitos")
    # Checked first: a mistyped digit anywhere is reported as a typo, not as a bad field.
    check_digit = int(key[48])
    if mod11_check_digit(key[:48]) != check_digit:
        raise AccessKeyError(
            "invalid_check_digit",
            "El dígito verificador de la clave de acceso no es correcto",
        )
    try:
        issue_date = date(int(key[4:8]), int(key[2:4]), int(key[0:2]))
    except ValueError:
        raise AccessKeyError(
            "invalid_date",
            f"La fecha de emisión {key[0:2]}/{key[2:4]}/{key[4:8]} de la clave de acceso no existe",
        ) from None
    doc_type = key[8:10]
    _check_doc_type(doc_type)
    environment = int(key[23])
    _check_environment(environment)
    sequential = int(key[30:39])
    _check_sequential(sequential)
    emission_type = int(key[47])
    _check_emission_type(emission_type)
    return AccessKeyParts(
        key=key,
        issue_date=issue_date,
        doc_type=doc_type,
        ruc=key[10:23],
        environment=environment,
        establishment=key[24:27],
        emission_point=key[27:30],
        sequential=sequential,
        numeric_code=key[39:47],
        emission_type=emission_type,
        check_digit=check_digit,
    )
