"""Compute the VERI*FACTU huella (SHA-256 fingerprint) of AEAT billing records.

Follows the AEAT document "Detalle de las especificaciones técnicas para
generación de la huella o hash de los registros de facturación": the input is
``Name=value`` pairs joined with ``&`` in a fixed order, every value trimmed,
the previous record's huella left empty for the first record, and the result
is the upper-case hexadecimal SHA-256 of the UTF-8 bytes.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

__all__ = [
    "alta_fingerprint_input",
    "anulacion_fingerprint_input",
    "fingerprint",
    "format_generated_at",
    "format_issue_date",
]


def format_issue_date(issue_date: date) -> str:
    """Format an invoice issue date as AEAT ``dd-mm-yyyy``."""
    return f"{issue_date.day:02d}-{issue_date.month:02d}-{issue_date.year:04d}"


def _join(pairs: list[tuple[str, str]]) -> str:
    """Join trimmed ``name=value`` pairs with ``&``."""
    return "&".join(f"{name}={value.strip()}" for name, value in pairs)


def alta_fingerprint_input(
    *,
    issuer_nif: str,
    invoice_number: str,
    issue_date: date,
    invoice_type: str,
    total_tax: str,
    total_amount: str,
    previous_hash: str,
    generated_at: str,
) -> str:
    """Build the huella input string of a registro de alta (invoice registration)."""
    return _join(
        [
            ("IDEmisorFactura", issuer_nif),
            ("NumSerieFactura", invoice_number),
            ("FechaExpedicionFactura", format_issue_date(issue_date)),
            ("TipoFactura", invoice_type),
            ("CuotaTotal", total_tax),
            ("ImporteTotal", total_amount),
            ("Huella", previous_hash),
            ("FechaHoraHusoGenRegistro", generated_at),
        ]
    )


def anulacion_fingerprint_input(
    *,
    issuer_nif: str,
    invoice_number: str,
    issue_date: date,
    previous_hash: str,
    generated_at: str,
) -> str:
    """Build the huella input string of a registro de anulación (invoice cancellation)."""
    return _join(
        [
            ("IDEmisorFacturaAnulada", issuer_nif),
            ("NumSerieFacturaAnulada", invoice_number),
            ("FechaExpedicionFacturaAnulada", format_issue_date(issue_date)),
            ("Huella", previous_hash),
            ("FechaHoraHusoGenRegistro", generated_at),
        ]
    )


def fingerprint(input: str) -> str:  # noqa: A002 - name fixed by the public API
    """Return the upper-case hex SHA-256 of the UTF-8 encoded input."""
    return hashlib.sha256(input.encode("utf-8")).hexdigest().upper()


def format_generated_at(dt: datetime) -> str:
    """Format an aware datetime as ISO 8601 seconds with offset, e.g. ``2024-01-01T19:20:30+01:00``."""
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError("FechaHoraHusoGenRegistro necesita una fecha y hora con zona horaria")
    if offset % timedelta(minutes=1):
        raise ValueError("El huso horario debe expresarse en horas y minutos, sin segundos")
    total_minutes = int(offset.total_seconds()) // 60
    sign = "-" if total_minutes < 0 else "+"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"{dt:%Y-%m-%dT%H:%M:%S}{sign}{hours:02d}:{minutes:02d}"
