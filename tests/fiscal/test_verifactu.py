"""Tests for gestiq_app.fiscal.verifactu_hash and gestiq_app.fiscal.verifactu_qr.

Oracles:
- Huella: AEAT "Detalle de las especificaciones técnicas para generación de la
  huella o hash de los registros de facturación" (v0.1.2), worked examples 6.1
  (first alta), 6.2 (chained alta) and 6.3 (chained anulación). The AEAT PDF
  itself was not in the searchable corpora. The input strings and hashes below
  are quoted identically by many independent public implementations found with
  the code search (C#, PHP, Kotlin, Rust and TypeScript test suites, several
  citing "v0.1.2 §6.1-6.3"), and example 6.1 by the README of mdiago/VeriFactu.
  Matching all three SHA-256 values is strong evidence the strings are exact.
- Third-party cross-check: mdiago/VeriFactu README example (one-decimal amounts).
- SHA-256 known answers: FIPS 180-2 "abc" and the empty string.
- QR: the example URL of the AEAT document "Características del QR y
  especificaciones del servicio de cotejo o remisión de información por parte del
  receptor de la factura" (nif 89890001K, numserie 12345678&G33, fecha
  01-01-2024, importe 241.4), as quoted by OCA/l10n-spain and other projects;
  fiskaly's published offline-QR examples for the production host and "/".
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from gestiq_app.fiscal.verifactu_hash import (
    alta_fingerprint_input,
    anulacion_fingerprint_input,
    fingerprint,
    format_generated_at,
    format_issue_date,
)
from gestiq_app.fiscal.verifactu_qr import QR_BASE_URL_PRODUCCION, QR_BASE_URL_PRUEBAS, build_qr_url

AEAT_6_1_INPUT = (
    "IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&FechaExpedicionFactura=01-01-2024"
    "&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45&Huella="
    "&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00"
)
AEAT_6_1_HASH = "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"
AEAT_6_2_INPUT = (
    "IDEmisorFactura=89890001K&NumSerieFactura=12345679/G34&FechaExpedicionFactura=01-01-2024"
    "&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45"
    "&Huella=3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"
    "&FechaHoraHusoGenRegistro=2024-01-01T19:20:35+01:00"
)
AEAT_6_2_HASH = "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97"
AEAT_6_3_INPUT = (
    "IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345679/G34"
    "&FechaExpedicionFacturaAnulada=01-01-2024"
    "&Huella=F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97"
    "&FechaHoraHusoGenRegistro=2024-01-01T19:20:40+01:00"
)
AEAT_6_3_HASH = "177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68"

CET = timezone(timedelta(hours=1))


# --------------------------------------------------------------------------- AEAT worked examples


def test_aeat_6_1_first_alta_record() -> None:
    text = alta_fingerprint_input(
        issuer_nif="89890001K",
        invoice_number="12345678/G33",
        issue_date=date(2024, 1, 1),
        invoice_type="F1",
        total_tax="12.35",
        total_amount="123.45",
        previous_hash="",
        generated_at="2024-01-01T19:20:30+01:00",
    )
    assert text == AEAT_6_1_INPUT
    assert fingerprint(text) == AEAT_6_1_HASH


def test_aeat_6_2_chained_alta_record() -> None:
    text = alta_fingerprint_input(
        issuer_nif="89890001K",
        invoice_number="12345679/G34",
        issue_date=date(2024, 1, 1),
        invoice_type="F1",
        total_tax="12.35",
        total_amount="123.45",
        previous_hash=AEAT_6_1_HASH,
        generated_at="2024-01-01T19:20:35+01:00",
    )
    assert text == AEAT_6_2_INPUT
    assert fingerprint(text) == AEAT_6_2_HASH


def test_aeat_6_3_chained_anulacion_record() -> None:
    text = anulacion_fingerprint_input(
        issuer_nif="89890001K",
        invoice_number="12345679/G34",
        issue_date=date(2024, 1, 1),
        previous_hash=AEAT_6_2_HASH,
        generated_at="2024-01-01T19:20:40+01:00",
    )
    assert text == AEAT_6_3_INPUT
    assert fingerprint(text) == AEAT_6_3_HASH


def test_aeat_chain_built_from_datetimes() -> None:
    first = fingerprint(
        alta_fingerprint_input(
            issuer_nif="89890001K",
            invoice_number="12345678/G33",
            issue_date=date(2024, 1, 1),
            invoice_type="F1",
            total_tax="12.35",
            total_amount="123.45",
            previous_hash="",
            generated_at=format_generated_at(datetime(2024, 1, 1, 19, 20, 30, tzinfo=CET)),
        )
    )
    second = fingerprint(
        alta_fingerprint_input(
            issuer_nif="89890001K",
            invoice_number="12345679/G34",
            issue_date=date(2024, 1, 1),
            invoice_type="F1",
            total_tax="12.35",
            total_amount="123.45",
            previous_hash=first,
            generated_at=format_generated_at(datetime(2024, 1, 1, 19, 20, 35, tzinfo=CET)),
        )
    )
    third = fingerprint(
        anulacion_fingerprint_input(
            issuer_nif="89890001K",
            invoice_number="12345679/G34",
            issue_date=date(2024, 1, 1),
            previous_hash=second,
            generated_at=format_generated_at(datetime(2024, 1, 1, 19, 20, 40, tzinfo=CET)),
        )
    )
    assert (first, second, third) == (AEAT_6_1_HASH, AEAT_6_2_HASH, AEAT_6_3_HASH)


def test_mdiago_readme_cross_check_keeps_amounts_as_given() -> None:
    # Amounts are hashed exactly as written: "21.4" and "21.40" give different huellas.
    text = alta_fingerprint_input(
        issuer_nif="B72877814",
        invoice_number="GITHUB-EJ-003",
        issue_date=date(2024, 11, 4),
        invoice_type="F1",
        total_tax="21.4",
        total_amount="131.4",
        previous_hash="8C8DCEFB120522E0C71BC19902F44D5334FF6C98E74F0E3AC1D1E5A30C2EA836",
        generated_at="2024-11-04T12:36:39+01:00",
    )
    assert fingerprint(text) == "4EECCE4DD48C0539665385D61D451BA921B7160CA6FEF46CD3C2E2BC5C778E14"
    padded = text.replace("CuotaTotal=21.4&", "CuotaTotal=21.40&")
    assert fingerprint(padded) != fingerprint(text)


# --------------------------------------------------------------------------- input building details


def test_alta_values_are_trimmed() -> None:
    text = alta_fingerprint_input(
        issuer_nif=" 89890001K ",
        invoice_number="\t12345678/G33 ",
        issue_date=date(2024, 1, 1),
        invoice_type=" F1",
        total_tax="12.35 ",
        total_amount=" 123.45\n",
        previous_hash="  ",
        generated_at=" 2024-01-01T19:20:30+01:00 ",
    )
    assert text == AEAT_6_1_INPUT
    assert fingerprint(text) == AEAT_6_1_HASH


def test_anulacion_values_are_trimmed() -> None:
    text = anulacion_fingerprint_input(
        issuer_nif="89890001K ",
        invoice_number=" 12345679/G34",
        issue_date=date(2024, 1, 1),
        previous_hash=f" {AEAT_6_2_HASH} ",
        generated_at="2024-01-01T19:20:40+01:00\n",
    )
    assert text == AEAT_6_3_INPUT


def test_first_anulacion_has_empty_previous_hash() -> None:
    text = anulacion_fingerprint_input(
        issuer_nif="89890001K",
        invoice_number="A-1",
        issue_date=date(2025, 7, 9),
        previous_hash="",
        generated_at="2025-07-09T10:00:00+02:00",
    )
    assert text == (
        "IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=A-1"
        "&FechaExpedicionFacturaAnulada=09-07-2025&Huella=&FechaHoraHusoGenRegistro=2025-07-09T10:00:00+02:00"
    )


def test_inner_spaces_and_ampersands_are_kept() -> None:
    text = alta_fingerprint_input(
        issuer_nif="B65410011",
        invoice_number="FAC 2025 & 1",
        issue_date=date(2025, 12, 31),
        invoice_type="F2",
        total_tax="-2.10",
        total_amount="-12.10",
        previous_hash="",
        generated_at="2025-12-31T23:59:59+01:00",
    )
    assert text == (
        "IDEmisorFactura=B65410011&NumSerieFactura=FAC 2025 & 1&FechaExpedicionFactura=31-12-2025"
        "&TipoFactura=F2&CuotaTotal=-2.10&ImporteTotal=-12.10&Huella=&FechaHoraHusoGenRegistro=2025-12-31T23:59:59+01:00"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(date(2024, 1, 1), "01-01-2024"), (date(2025, 12, 9), "09-12-2025"), (date(999, 3, 4), "04-03-0999")],
)
def test_format_issue_date(value: date, expected: str) -> None:
    assert format_issue_date(value) == expected


# --------------------------------------------------------------------------- fingerprint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),  # FIPS 180-2
        ("", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
        (AEAT_6_1_INPUT, AEAT_6_1_HASH),
        (AEAT_6_2_INPUT, AEAT_6_2_HASH),
        (AEAT_6_3_INPUT, AEAT_6_3_HASH),
    ],
)
def test_fingerprint_known_answers(text: str, expected: str) -> None:
    assert fingerprint(text) == expected


def test_fingerprint_is_exact_over_the_input() -> None:
    assert fingerprint(AEAT_6_1_INPUT + "\n") != AEAT_6_1_HASH
    assert fingerprint(AEAT_6_1_INPUT.lower()) != AEAT_6_1_HASH


def test_fingerprint_hashes_utf8_bytes() -> None:
    # "Ñ" is C3 91 in UTF-8 and D1 in Latin-1.
    assert fingerprint("FAC-Ñ") == hashlib.sha256(b"FAC-\xc3\x91").hexdigest().upper()
    assert fingerprint("FAC-Ñ") != hashlib.sha256(b"FAC-\xd1").hexdigest().upper()


# --------------------------------------------------------------------------- format_generated_at


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 1, 19, 20, 30, tzinfo=CET), "2024-01-01T19:20:30+01:00"),
        (datetime(2024, 1, 1, 19, 20, 30, 999_999, tzinfo=CET), "2024-01-01T19:20:30+01:00"),
        (datetime(2024, 7, 1, 8, 5, 0, tzinfo=timezone(timedelta(hours=2))), "2024-07-01T08:05:00+02:00"),
        (datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC), "2024-01-01T00:00:00+00:00"),
        (datetime(2024, 1, 1, 0, 0, 0, tzinfo=timezone(timedelta(hours=-5))), "2024-01-01T00:00:00-05:00"),
        (datetime(2024, 1, 1, 0, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))), "2024-01-01T00:00:00+05:30"),
        (datetime(2024, 1, 1, 0, 0, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30))), "2024-01-01T00:00:00-03:30"),
    ],
)
def test_format_generated_at(value: datetime, expected: str) -> None:
    assert format_generated_at(value) == expected


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        pytest.skip(f"time zone {name} not installed (no system tzdata)")


@pytest.mark.parametrize(
    ("zone", "value", "expected"),
    [
        ("Europe/Madrid", datetime(2024, 1, 1, 19, 20, 30), "2024-01-01T19:20:30+01:00"),
        ("Europe/Madrid", datetime(2024, 7, 1, 19, 20, 30), "2024-07-01T19:20:30+02:00"),
        ("Atlantic/Canary", datetime(2024, 1, 1, 19, 20, 30), "2024-01-01T19:20:30+00:00"),
        ("Atlantic/Canary", datetime(2024, 7, 1, 19, 20, 30), "2024-07-01T19:20:30+01:00"),
        ("America/Guayaquil", datetime(2024, 7, 1, 19, 20, 30), "2024-07-01T19:20:30-05:00"),
    ],
)
def test_format_generated_at_with_zoneinfo(zone: str, value: datetime, expected: str) -> None:
    assert format_generated_at(value.replace(tzinfo=_zone(zone))) == expected


def test_format_generated_at_rejects_naive_datetime() -> None:
    with pytest.raises(ValueError, match="zona horaria"):
        format_generated_at(datetime(2024, 1, 1, 19, 20, 30))


def test_format_generated_at_rejects_offsets_with_seconds() -> None:
    with pytest.raises(ValueError, match="sin segundos"):
        format_generated_at(datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=1, seconds=30))))


# --------------------------------------------------------------------------- QR


def test_qr_base_urls_match_the_aeat_spec() -> None:
    assert QR_BASE_URL_PRUEBAS == "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
    assert QR_BASE_URL_PRODUCCION == "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"


def test_qr_aeat_spec_example() -> None:
    url = build_qr_url(
        base_url=QR_BASE_URL_PRUEBAS,
        nif="89890001K",
        invoice_number="12345678&G33",
        issue_date=date(2024, 1, 1),
        total_amount="241.4",
    )
    assert url == (
        "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
        "?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.4"
    )


def test_qr_aeat_spec_example_in_production() -> None:
    url = build_qr_url(
        base_url=QR_BASE_URL_PRODUCCION,
        nif="89890001K",
        invoice_number="12345678&G33",
        issue_date=date(2024, 1, 1),
        total_amount="241.4",
    )
    assert url == (
        "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"
        "?nif=89890001K&numserie=12345678%26G33&fecha=01-01-2024&importe=241.4"
    )


@pytest.mark.parametrize(
    ("base_url", "nif", "invoice_number", "issue_date", "total_amount", "expected"),
    [
        (  # fiskaly example 1
            QR_BASE_URL_PRUEBAS, "B43752210", "E-12345", date(2025, 4, 23), "123.45",
            "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B43752210&numserie=E-12345&fecha=23-04-2025&importe=123.45",
        ),
        (  # fiskaly example 2: "/" is encoded
            QR_BASE_URL_PRODUCCION, "B88752210", "1/25A-321", date(2025, 1, 5), "567.00",
            "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"
            "?nif=B88752210&numserie=1%2F25A-321&fecha=05-01-2025&importe=567.00",
        ),
    ],
)  # fmt: skip
def test_qr_published_third_party_examples(
    base_url: str, nif: str, invoice_number: str, issue_date: date, total_amount: str, expected: str
) -> None:
    assert (
        build_qr_url(
            base_url=base_url,
            nif=nif,
            invoice_number=invoice_number,
            issue_date=issue_date,
            total_amount=total_amount,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("invoice_number", "encoded"),
    [
        ("12345678/G33", "12345678%2FG33"),
        ("A B", "A%20B"),
        ("A+B", "A%2BB"),
        ("A=B?C#D", "A%3DB%3FC%23D"),
        ("AÑO-2025", "A%C3%91O-2025"),
        ("a.b_c~d-e", "a.b_c~d-e"),
        (" FAC-1 ", "FAC-1"),
    ],
)
def test_qr_numserie_encoding(invoice_number: str, encoded: str) -> None:
    url = build_qr_url(
        base_url=QR_BASE_URL_PRUEBAS,
        nif=" 89890001K ",
        invoice_number=invoice_number,
        issue_date=date(2024, 1, 1),
        total_amount=" 241.40 ",
    )
    assert url == f"{QR_BASE_URL_PRUEBAS}?nif=89890001K&numserie={encoded}&fecha=01-01-2024&importe=241.40"


@pytest.mark.parametrize(
    "base_url", [QR_BASE_URL_PRUEBAS + "?", QR_BASE_URL_PRUEBAS + "?x=1", QR_BASE_URL_PRUEBAS + "#f"]
)
def test_qr_rejects_base_url_with_query_or_fragment(base_url: str) -> None:
    with pytest.raises(ValueError):
        build_qr_url(
            base_url=base_url,
            nif="89890001K",
            invoice_number="1",
            issue_date=date(2024, 1, 1),
            total_amount="1",
        )
