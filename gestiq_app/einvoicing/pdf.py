"""Ecuador: the invoice PDF carries the SRI clave de acceso and, once authorized, the authorization."""

from __future__ import annotations

from typing import Any

from gestiq_app.einvoicing.documents import einvoice_of
from gestiq_app.pdf.context import register_pdf_context_provider
from gestiq_app.sales.models import SalesDocument

_AUTHORITY_STATES = {"AUTORIZADO": "Autorizado", "NO AUTORIZADO": "No autorizado", "EN PROCESO": "En proceso",
                     "RECIBIDA": "Recibida", "DEVUELTA": "Devuelta"}


@register_pdf_context_provider
def sri_context(document: SalesDocument) -> dict[str, Any]:
    """Add the `einvoice` block (label and lines) for documents sent to the SRI; nothing otherwise."""
    if document.is_draft:
        return {}
    status = einvoice_of(document.id)
    submission = status.submission
    if status.channel != "sri" or submission is None:
        return {}
    lines: list[tuple[str, str]] = [("Clave de acceso", submission.reference),
                                    ("Ambiente", "Producción" if submission.environment == 2 else "Pruebas")]
    if submission.authority_state:
        lines.append(("Estado SRI", _AUTHORITY_STATES.get(submission.authority_state, submission.authority_state)))
    if submission.authorization_number:
        lines.append(("Número de autorización", submission.authorization_number))
    if submission.authorized_at:
        lines.append(("Fecha de autorización", submission.authorized_at))
    return {"einvoice": {"label": "Comprobante electrónico (SRI)", "lines": lines}}
