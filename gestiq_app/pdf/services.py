"""Document PDFs: render, store once issued, return on demand; send one by e-mail.

Issued documents are immutable, so their PDF is rendered once (by the task enqueued after the issue
commits, or by the first GET when the task has not run yet) and stored under `pdf/<kind>/<id>.pdf` in the
tenant's storage. Drafts (no number yet) are rendered with a BORRADOR watermark and never stored. Quotes
stay editable until converted, so their PDF is always rendered on demand.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from gestiq_app import storage
from gestiq_app.audit.services import record_event
from gestiq_app.db import unit_of_work
from gestiq_app.mail.services import queue_email
from gestiq_app.pdf.branding import get_branding
from gestiq_app.pdf.context import build_context, tenant_row
from gestiq_app.pdf.rendering import render_pdf
from gestiq_app.sales.exceptions import DocumentConflictError
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.services import INVOICE_KINDS, get_document

STORED_KINDS = ("invoice", "credit_note")


@dataclass(frozen=True)
class DocumentPdf:
    """A rendered document: its download name and bytes."""

    filename: str
    content: bytes
    was_stored: bool


def storage_key(document: SalesDocument) -> str:
    """Return where the document's PDF is stored in the tenant's files."""
    return f"pdf/{document.kind}/{document.id}.pdf"


def filename_of(document: SalesDocument) -> str:
    """Return the download name: the document number (drafts: borrador-<id>)."""
    return f"{document.full_number}.pdf" if document.full_number else f"borrador-{str(document.id)[:8]}.pdf"


def is_storable(document: SalesDocument) -> bool:
    """Tell whether the PDF may be kept: numbered, no longer editable invoices and credit notes."""
    return document.kind in STORED_KINDS and document.full_number is not None and document.state != "draft"


def render_document(*, tenant_id: uuid.UUID, document: SalesDocument) -> bytes:
    """Render a loaded document to PDF bytes (watermarked when it is a draft)."""
    context = build_context(document, tenant=tenant_row(tenant_id), branding=get_branding(tenant_id=tenant_id))
    return render_pdf(document.kind, context)


def store_document_pdf(*, tenant_id: uuid.UUID, document_id: uuid.UUID, replace: bool = False) -> bool:
    """Render and store an issued document's PDF unless already stored; return whether it rendered."""
    document = get_document(tenant_id=tenant_id, document_id=document_id, kinds=STORED_KINDS)
    if not is_storable(document):
        return False
    key = storage_key(document)
    if storage.exists(tenant_id, key) and not replace:
        return False
    storage.put_bytes(tenant_id, key, render_document(tenant_id=tenant_id, document=document))
    return True


def invalidate_document_pdf(*, tenant_id: uuid.UUID, document_id: uuid.UUID) -> bool:
    """Drop the stored PDF of a document whose printed extras changed (payment link, SRI authorization).

    The next GET renders and stores it again; return whether a stored copy existed.
    """
    document = get_document(tenant_id=tenant_id, document_id=document_id, kinds=STORED_KINDS)
    return is_storable(document) and storage.delete(tenant_id, storage_key(document))


def get_document_pdf(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kinds: Sequence[str] = INVOICE_KINDS) -> DocumentPdf:
    """Return the document's PDF: the stored one, else rendered now (and stored when the document is issued)."""
    document = get_document(tenant_id=tenant_id, document_id=document_id, kinds=kinds)
    if not is_storable(document):
        return DocumentPdf(filename_of(document), render_document(tenant_id=tenant_id, document=document), was_stored=False)
    key = storage_key(document)
    try:
        return DocumentPdf(filename_of(document), storage.read_bytes(tenant_id, key), was_stored=True)
    except FileNotFoundError:
        content = render_document(tenant_id=tenant_id, document=document)
        storage.put_bytes(tenant_id, key, content)
        return DocumentPdf(filename_of(document), content, was_stored=False)


def send_document(*, tenant_id: uuid.UUID, document_id: uuid.UUID, to: str, cc: Sequence[str] = (), message: str | None,
                  actor: str) -> uuid.UUID:
    """Queue an e-mail with the issued document's PDF attached (Spanish subject and body); return the e-mail id."""
    if not is_storable(get_document(tenant_id=tenant_id, document_id=document_id)):
        raise DocumentConflictError("Solo se pueden enviar facturas emitidas", errors={"state": ["Emita la factura antes de enviarla."]})
    pdf = get_document_pdf(tenant_id=tenant_id, document_id=document_id)  # stored now if it was not: the e-mail names the file
    with unit_of_work():
        document = get_document(tenant_id=tenant_id, document_id=document_id)
        tenant = tenant_row(tenant_id)
        label = "Factura rectificativa" if document.kind == "credit_note" else "Factura"
        subject = f"{label} {document.full_number} de {tenant.legal_name}"
        body = "\n\n".join(part for part in (
            "Estimado cliente:",
            message.strip() if message and message.strip() else f"Le enviamos adjunta la {label.lower()} {document.full_number}.",
            f"Un saludo,\n{tenant.legal_name}",
        ) if part)
        email = queue_email(to_address=to, subject=subject, body_text=body, cc_addresses=list(cc),
                            attachments=[{"key": storage_key(document), "filename": pdf.filename, "content_type": "application/pdf"}])
        record_event(actor=actor, action="invoice.sent", entity="sales_document", entity_id=document.id,
                     changes={"to": [None, to], "cc": [None, list(cc)], "email_id": [None, str(email.id)]})
    return email.id
