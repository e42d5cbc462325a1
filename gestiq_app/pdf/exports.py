"""Bulk exports: a selection of invoices rendered into one zip stored in the tenant's files.

The request fixes the list of invoices (ids, or the list filters resolved at once) in a `PdfExport` row and
enqueues `export_pdfs_task` after commit. The task claims the row with compare-and-set (queued -> running),
adds each PDF (stored ones are reused, missing ones rendered and stored), writes `done` after each one so
the API shows the progress, and finishes with the zip under `exports/pdf-<id>.zip`. Running it twice is
harmless: a finished export is left alone and a rerun rebuilds the same zip.

A worker killed mid-export (its Huey task is gone with it) leaves the row `running` (or `queued` if the queue lost
the task): the periodic `resume_stalled_pdf_exports` enqueues again every export untouched for
STALLED_AFTER_MINUTES, and the rerun starts over. The zip is written atomically (temporary file + rename), so a
kill never leaves a partial zip under the export's key.
"""

from __future__ import annotations

import io
import logging
import uuid
import zipfile
from typing import Any

from sqlalchemy import select, update

from gestiq_app import storage
from gestiq_app.audit.services import record_event
from gestiq_app.db import call_after_commit, session, unit_of_work, utcnow
from gestiq_app.pdf.models import PdfExport
from gestiq_app.pdf.services import get_document_pdf
from gestiq_app.sales.exceptions import DocumentInvalidError
from gestiq_app.sales.models import SalesDocument
from gestiq_app.sales.queries import list_documents_query
from gestiq_app.sales.settings import tenant_today
from gestiq_app.tenancy.exceptions import NotFoundError

log = logging.getLogger("gestiq.pdf.exports")
MAX_DOCUMENTS = 2000
PROGRESS_EVERY = 1
#: An unfinished export without progress for this long lost its worker (each PDF moves `done`, hence updated_at).
STALLED_AFTER_MINUTES = 10


class ExportNotFoundError(NotFoundError):
    """No such export in this tenant."""


def _resolve_ids(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> list[uuid.UUID]:
    if data.get("ids"):
        wanted = list(dict.fromkeys(data["ids"]))
        found = set(session().scalars(select(SalesDocument.id).where(
            SalesDocument.id.in_(wanted), SalesDocument.kind.in_(("invoice", "credit_note")), SalesDocument.state != "draft")))
        missing = [str(document_id) for document_id in wanted if document_id not in found]
        if missing:
            raise DocumentInvalidError("Facturas no encontradas o sin emitir", errors={"ids": [f"No exportables: {', '.join(missing)}"]})
        return wanted
    kinds = [data["kind"]] if data.get("kind") else ["invoice", "credit_note"]
    statement = list_documents_query(tenant_id=tenant_id, kinds=kinds, filters=data, today=tenant_today(tenant_id=tenant_id))
    statement = statement.where(SalesDocument.state != "draft").order_by(SalesDocument.issue_date, SalesDocument.full_number)
    ids = [row.id for row in session().execute(statement.limit(MAX_DOCUMENTS + 1))]
    if len(ids) > MAX_DOCUMENTS:
        raise DocumentInvalidError("Demasiadas facturas", errors={"ids": [f"Exporte como máximo {MAX_DOCUMENTS} facturas a la vez."]})
    return ids


def create_export(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> PdfExport:
    """Record an export of the selected issued invoices and enqueue its task after commit."""
    from gestiq_app.pdf.tasks import export_pdfs_task

    with unit_of_work() as current:
        ids = _resolve_ids(tenant_id=tenant_id, data=data)
        export = PdfExport(document_ids=[str(document_id) for document_id in ids], total=len(ids), done=0,
                           state="queued", requested_by=actor)
        current.add(export)
        current.flush()
        record_event(actor=actor, action="pdf_export.requested", entity="pdf_export", entity_id=export.id,
                     changes={"total": [None, len(ids)]})
        export_id = export.id
        call_after_commit(lambda: export_pdfs_task(str(tenant_id), str(export_id)))
    return export


def get_export(*, tenant_id: uuid.UUID, export_id: uuid.UUID) -> PdfExport:
    """Return an export of the tenant, or raise ExportNotFoundError."""
    export = session().scalar(select(PdfExport).where(PdfExport.id == export_id))
    if export is None:
        raise ExportNotFoundError("Exportación no encontrada")
    return export


def _claim(export_id: uuid.UUID) -> PdfExport | None:
    with unit_of_work() as current:
        claimed = current.execute(update(PdfExport).where(PdfExport.id == export_id, PdfExport.state.in_(("queued", "running")))
                                  .values(state="running", done=0).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            return None
    return session().scalar(select(PdfExport).where(PdfExport.id == export_id).execution_options(populate_existing=True))


def _set_progress(export_id: uuid.UUID, **values: Any) -> None:
    with unit_of_work() as current:
        current.execute(update(PdfExport).where(PdfExport.id == export_id).values(**values).execution_options(synchronize_session=False))


def run_export(*, tenant_id: uuid.UUID, export_id: uuid.UUID) -> str:
    """Build the export's zip (idempotent); return the final state."""
    export = _claim(export_id)
    if export is None:
        return "skipped"
    document_ids = [uuid.UUID(value) for value in export.document_ids]
    buffer = io.BytesIO()
    names: set[str] = set()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, document_id in enumerate(document_ids, start=1):
                pdf = get_document_pdf(tenant_id=tenant_id, document_id=document_id)
                session().rollback()  # end the read transaction before the next progress write
                name = pdf.filename if pdf.filename not in names else f"{document_id}.pdf"
                names.add(name)
                archive.writestr(name, pdf.content)
                if index % PROGRESS_EVERY == 0 or index == len(document_ids):
                    _set_progress(export_id, done=index)
        key = f"exports/pdf-{export_id}.zip"
        size = storage.put_bytes(tenant_id, key, buffer.getvalue())
    except (NotFoundError, OSError, RuntimeError) as error:
        log.exception("pdf export failed", extra={"tenant_id": str(tenant_id), "export_id": str(export_id)})
        session().rollback()
        _set_progress(export_id, state="failed", error=f"{type(error).__name__}: {error}"[:500], finished_at=utcnow())
        return "failed"
    _set_progress(export_id, state="done", storage_key=key, size_bytes=size, finished_at=utcnow())
    return "done"


def list_stalled_exports(*, older_than_minutes: int = STALLED_AFTER_MINUTES) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Return (tenant id, export id) of unfinished exports whose worker died: no progress for a while (all tenants)."""
    from datetime import timedelta

    from gestiq_app.tenancy.context import platform_scope

    limit = utcnow() - timedelta(minutes=older_than_minutes)
    with platform_scope(actor="system:pdf", reason="resume stalled PDF exports"):
        rows = session().execute(select(PdfExport.tenant_id, PdfExport.id)
                                 .where(PdfExport.state.in_(("queued", "running")), PdfExport.updated_at < limit)
                                 .order_by(PdfExport.updated_at)).all()
        session().rollback()
    return [(tenant_id, export_id) for tenant_id, export_id in rows]
