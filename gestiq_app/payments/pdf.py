"""The invoice PDF shows the open payment link of an invoice when the tenant has a provider (issue #7 item 6)."""

from __future__ import annotations

from typing import Any

from gestiq_app.payments.links import payment_url_for
from gestiq_app.pdf.context import register_pdf_context_provider
from gestiq_app.sales.models import SalesDocument


@register_pdf_context_provider
def payment_link_context(document: SalesDocument) -> dict[str, Any]:
    """Add `payment_url` when the invoice has an open link for its amount due."""
    url = payment_url_for(document)
    return {"payment_url": url} if url else {}
