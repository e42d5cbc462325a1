"""Huey tasks of PDFs (ids in, idempotent) and the subscription that renders every issued invoice."""

from __future__ import annotations

import logging
import uuid

from flask import current_app
from huey import crontab

from gestiq_app.jobs import huey, job_context
from gestiq_app.sales.events import subscribe_invoice_issued

log = logging.getLogger("gestiq.pdf.exports")


@huey.task(retries=2, retry_delay=30)
def render_document_pdf_task(tenant_id: str, document_id: str) -> bool:
    """Render and store an issued document's PDF (nothing to do when already stored)."""
    from gestiq_app.pdf.services import store_document_pdf

    with job_context(tenant_id):
        return store_document_pdf(tenant_id=uuid.UUID(tenant_id), document_id=uuid.UUID(document_id))


@huey.task(retries=1, retry_delay=60)
def export_pdfs_task(tenant_id: str, export_id: str) -> str:
    """Build the zip of a bulk PDF export."""
    from gestiq_app.pdf.exports import run_export

    with job_context(tenant_id):
        return run_export(tenant_id=uuid.UUID(tenant_id), export_id=uuid.UUID(export_id))


@huey.periodic_task(crontab(minute="*/5"))
def resume_stalled_pdf_exports() -> int:
    """Enqueue again every bulk export whose worker died (no progress for 10 minutes): it is rebuilt from the start."""
    from gestiq_app.pdf.exports import list_stalled_exports

    with job_context():
        stalled = list_stalled_exports()
    for tenant_id, export_id in stalled:
        log.warning("resuming a stalled PDF export", extra={"tenant_id": str(tenant_id), "export_id": str(export_id)})
        export_pdfs_task(str(tenant_id), str(export_id))
    return len(stalled)


@subscribe_invoice_issued
def render_pdf_after_issue(tenant_id: uuid.UUID, invoice_id: uuid.UUID) -> None:
    """Enqueue the PDF of an invoice or credit note that was just issued (GESTIQ_PDF_RENDER_ON_ISSUE)."""
    if current_app.config["GESTIQ_PDF_RENDER_ON_ISSUE"] in ("1", "true", "True"):
        render_document_pdf_task(str(tenant_id), str(invoice_id))
