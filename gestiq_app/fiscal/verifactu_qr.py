"""Build the AEAT VERI*FACTU QR cotejo URL printed on invoices.

Follows the AEAT document "Características del QR y especificaciones del
servicio de cotejo o remisión de información por parte del receptor de la
factura": query parameters ``nif``, ``numserie``, ``fecha`` (dd-mm-yyyy) and
``importe``, each value percent-encoded as UTF-8 (so ``&`` in a series becomes
``%26``).
"""

from __future__ import annotations

from datetime import date
from typing import Final
from urllib.parse import quote

from gestiq_app.fiscal.verifactu_hash import format_issue_date

__all__ = ["QR_BASE_URL_PRODUCCION", "QR_BASE_URL_PRUEBAS", "build_qr_url"]

QR_BASE_URL_PRUEBAS: Final = "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
QR_BASE_URL_PRODUCCION: Final = "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"


def _encode(value: str) -> str:
    """Percent-encode a trimmed query value, leaving only RFC 3986 unreserved characters."""
    return quote(value.strip(), safe="", encoding="utf-8")


def build_qr_url(
    *,
    base_url: str,
    nif: str,
    invoice_number: str,
    issue_date: date,
    total_amount: str,
) -> str:
    """Return the QR cotejo URL for an invoice."""
    if "?" in base_url or "#" in base_url:
        raise ValueError("La URL base del QR no puede llevar parámetros ni fragmento")
    query = "&".join(
        [
            f"nif={_encode(nif)}",
            f"numserie={_encode(invoice_number)}",
            f"fecha={format_issue_date(issue_date)}",
            f"importe={_encode(total_amount)}",
        ]
    )
    return f"{base_url}?{query}"
