"""Fiscal rules of a customer or supplier: the tax id checked for the party's country, flags per country.

The party's `country` decides everything: which id types exist (ES: nif, nie, cif, vat_eu, passport;
EC: cedula, ruc, passport, consumidor_final), how the number is checked and which fiscal flags apply.
An EU customer of a Spanish tenant is an ES party with a `vat_eu` id (its prefix names the member state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gestiq_app.crm.models import FLAGS_BY_COUNTRY
from gestiq_app.fiscal.taxids import EC_ID_TYPES, ES_ID_TYPES, TaxIdError, detect_tax_id_type, normalize_tax_id, validate_tax_id

if TYPE_CHECKING:
    from gestiq_app.crm.services import Party, PartyKind

ID_TYPES_BY_COUNTRY = {"ES": ES_ID_TYPES, "EC": EC_ID_TYPES}
COUNTRY_NAMES = {"ES": "España", "EC": "Ecuador"}
UNKNOWN_TYPE = "No se reconoce el tipo de identificador; indíquelo en tax_id_type (p. ej. passport)."


def guess_tax_id_type(country: str, raw: str) -> str | None:
    """Return the id type a number most likely is, so that a typo gets that type's specific message.

    Passports are never guessed: almost any text looks like one, and a mistyped CIF must not pass as one.
    """
    value = normalize_tax_id(raw)
    detected = detect_tax_id_type(country, value) if value else None
    if detected and detected != "passport":
        return detected
    if country == "ES" and value:
        if value[0] in "XYZ":
            return "nie"
        if value[0].isdigit() or value[0] in "KLM":
            return "nif"
        if value[0].isalpha() and value[1:-1].isdigit() and 7 <= len(value) <= 10:
            return "cif"
    if country == "EC" and value.isdigit():
        return "cedula" if len(value) <= 10 else "ruc"
    return None


def _tax_id_errors(party: Party, *, kind: PartyKind, detect_type: bool) -> dict[str, list[str]]:
    if detect_type:
        party.tax_id_type = guess_tax_id_type(party.country, party.tax_id)  # type: ignore[assignment]
        if party.tax_id_type is None:
            return {"tax_id": [UNKNOWN_TYPE]}
    allowed = ID_TYPES_BY_COUNTRY[party.country]
    if party.tax_id_type not in allowed:
        return {"tax_id_type": [f"El tipo «{party.tax_id_type}» no existe en {COUNTRY_NAMES[party.country]}. "
                                f"Use uno de: {', '.join(allowed)}."]}
    if party.tax_id_type == "consumidor_final" and kind.entity == "supplier":
        return {"tax_id_type": ["Un proveedor no puede ser consumidor final."]}
    try:
        party.tax_id = validate_tax_id(party.country, party.tax_id_type, party.tax_id)
    except TaxIdError as error:
        return {"tax_id": [error.message_es]}
    return {}


def _flag_errors(party: Party, *, kind: PartyKind) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for country, flags in FLAGS_BY_COUNTRY.items():
        if country == party.country:
            continue
        for flag in flags:
            if getattr(party, flag):
                found[flag] = [f"Solo se aplica a {kind.plural} de {COUNTRY_NAMES[country]}; "
                               f"este {kind.label} es de {COUNTRY_NAMES[party.country]}."]
    return found


def check_party(party: Party, *, kind: PartyKind, detect_type: bool) -> None:
    """Normalize and check the party's tax id and flags; raise the kind's InvalidError with per-field messages."""
    problems = {**_tax_id_errors(party, kind=kind, detect_type=detect_type), **_flag_errors(party, kind=kind)}
    if problems:
        raise kind.invalid(f"Los datos del {kind.label} no son válidos.", errors=problems)
