"""Documents batches: PDF/image supplier documents read (text layer or OCR), classified, extracted, reviewed, promoted.

- Ingest: each uploaded file is stored under `imports/<batch>/doc-<n>.<ext>` and becomes one item (`raw` holds the
  file key, name, type and size).
- Validation (Huey task): the item's text is read (`ocr.extract_text`), classified and its fields extracted with a
  confidence each (`classify.extract`); the fields are then checked (`evaluate`). An item is `valid` only when it is
  an invoice or receipt, every field is present, right and at least GESTIQ_IMPORTS_OCR_MIN_CONFIDENCE sure, the
  supplier exists and base + tax = total at a rate of the tax catalog; otherwise `needs_review` (never promoted).
  A file whose text cannot be obtained (Tesseract absent, unreadable file) is `invalid` with a Spanish error.
- Review: PATCH item `{data: {...}}` sets fields (their confidence becomes 1) and evaluates the item again.
- Promotion: one draft supplier invoice per valid item through the purchases services (one line: the base at the
  inferred IVA category), the original attached through the purchases attachment service, lineage per item.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import func, select

from gestiq_app import storage
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.imports import classify, ocr
from gestiq_app.imports.exceptions import ImportConflictError, ImportInvalidError, ImportTooLargeError
from gestiq_app.imports.models import ImportBatch, ImportItem, ImportLineage
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant

PROMOTABLE_TYPES = ("invoice", "receipt")
TYPE_LABELS = {"invoice": "factura", "receipt": "ticket o factura simplificada", "credit_note": "factura rectificativa o nota de crédito",
               "other": "documento no reconocido"}
FIELD_LABELS = {"document_type": "tipo de documento", "supplier_tax_id": "NIF/RUC del proveedor", "number": "número",
                "issue_date": "fecha", "base": "base imponible", "tax": "cuota de IVA", "total": "total"}
MAX_FILES = 50
TEXT_EXCERPT = 4000


def min_confidence() -> float:
    """Confidence below which a field sends the document to review (GESTIQ_IMPORTS_OCR_MIN_CONFIDENCE)."""
    return float(current_app.config.get("GESTIQ_IMPORTS_OCR_MIN_CONFIDENCE") or 0.8)


def ocr_timeout() -> float:
    """Seconds each external program (pdftotext, pdftoppm, tesseract) may run (GESTIQ_IMPORTS_OCR_TIMEOUT_SECONDS)."""
    return float(current_app.config.get("GESTIQ_IMPORTS_OCR_TIMEOUT_SECONDS") or 60)


# --- ingest ---------------------------------------------------------------------------------------------------------

def ingest_documents(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, files: list[tuple[str, BinaryIO]], max_bytes: int) -> ImportBatch:
    """Store each PDF/image of a `documents` batch and stage one item per file (422 for any other file, 413 when too large)."""
    from gestiq_app.imports.services import _conflict, _get, move_state, stamp

    if not files:
        raise ImportInvalidError("Adjunte al menos un documento.", errors={"file": ["Falta el archivo."]})
    if len(files) > MAX_FILES:
        raise ImportInvalidError(f"Como máximo {MAX_FILES} documentos por envío.", errors={"file": ["Demasiados archivos."]})
    stored: list[str] = []
    try:
        rows = []
        total = 0
        for position, (filename, stream) in enumerate(files, start=1):
            suffix = PurePosixPath(filename.lower()).suffix
            head = stream.read(16)
            kind = ocr.sniff(head)
            if suffix not in ocr.DOCUMENT_EXTENSIONS or kind is None or (kind == "pdf") != (suffix == ".pdf"):
                raise ImportInvalidError(f"«{filename}» no es un PDF ni una imagen PNG, JPEG o TIFF.",
                                         errors={"file": [f"{filename}: tipo de archivo no admitido."]})
            key = f"imports/{batch_id}/doc-{position}{'.jpg' if kind == 'jpeg' else '.' + kind}"
            try:
                size = storage.put_stream(tenant_id, key, _Prefixed(head, stream), max_bytes=max_bytes - total)
            except ValueError as error:
                raise ImportTooLargeError(f"Los documentos superan el máximo de {max_bytes // (1024 * 1024)} MB.",
                                          errors={"file": ["Archivo demasiado grande."]}) from error
            stored.append(key)
            total += size
            rows.append({"file_key": key, "filename": filename[:200], "content_type": kind, "size": size})
        with tenant_context(tenant_id), unit_of_work() as current:
            batch = _get(batch_id, lock=True)
            if batch.kind != "documents" or not move_state(batch.id, ("created",), "ingested"):
                raise _conflict(batch, "cargar datos en")
            batch.state = "ingested"
            batch.source_name = batch.source_name or rows[0]["filename"]
            batch.headers, batch.mapping = ["filename"], {}  # errors.csv shows the file name of each document
            batch.file_key, batch.file_size, batch.total_items = f"imports/{batch_id}/", total, len(rows)
            for row_number, raw in enumerate(rows, start=1):
                current.add(ImportItem(tenant_id=tenant_id, batch_id=batch_id, row_number=row_number, raw=raw, data=None,
                                       is_edited=False, status="pending", errors={}))
            stamp(batch, "ingested_at")
    except BaseException:
        for key in stored:
            storage.delete(tenant_id, key)
        raise
    return batch


class _Prefixed:
    """A stream with its already-read first bytes put back in front."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self.head:
            chunk, self.head = self.head, b""
            if size is None or size < 0:
                return chunk + self.stream.read()
            return chunk + self.stream.read(max(0, size - len(chunk)))
        return self.stream.read(size)


# --- reading, checking ----------------------------------------------------------------------------------------------

class Context:
    """What evaluating a document needs from the tenant: country, own tax id, suppliers by tax id, IVA rates."""

    def __init__(self, tenant: Tenant, today: date) -> None:
        from gestiq_app.crm.models import Supplier
        from gestiq_app.taxes.services import list_rates

        self.country = tenant.country
        self.own_tax_ids = {tenant.tax_id} if getattr(tenant, "tax_id", None) else set()
        self.suppliers = {tax_id: supplier_id for tax_id, supplier_id in session().execute(select(Supplier.tax_id, Supplier.id))}
        self.rates: dict[Decimal, str] = {}
        for rate in list_rates(country=tenant.country, on_date=today):
            if rate.tax_type == "iva":
                self.rates.setdefault(rate.rate.normalize(), rate.category)
        self.threshold = min_confidence()


def build_context(batch: ImportBatch) -> Context:
    """Load the tenant's evaluation context (suppliers, IVA catalog in force today)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tenant = session().get(Tenant, batch.tenant_id)
    return Context(tenant, datetime.now(ZoneInfo(tenant.timezone)).date())  # type: ignore[union-attr,arg-type]


def _error(errors: dict[str, list[dict[str, str]]], name: str, code: str, message: str) -> None:
    errors.setdefault(name, []).append({"code": code, "message": message})


def read_document(tenant_id: uuid.UUID, raw: dict[str, Any], context: Context) -> tuple[dict[str, Any], dict[str, Any]]:
    """Text + classification + extraction of one stored document: (data, errors); errors only when no text."""
    try:
        extracted = ocr.extract_text(storage.local_path(tenant_id, raw["file_key"]), timeout=ocr_timeout())
    except ocr.OcrError as error:
        return {}, {"file": [{"code": error.code, "message": error.message}]}
    result = classify.extract(extracted.text, country=context.country, own_tax_ids=context.own_tax_ids)
    return {**result.as_data(), "method": extracted.method, "text": extracted.text[:TEXT_EXCERPT]}, {}


def evaluate(data: dict[str, Any], context: Context) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Check a document's fields: return (data with supplier_id/tax_category/tax_rate, errors, status)."""
    from gestiq_app.imports.classify import FIELDS
    from gestiq_app.imports.parsing import parse_date, parse_decimal

    data = dict(data)
    confidence = dict(data.get("confidence") or {})
    errors: dict[str, list[dict[str, str]]] = {}
    document_type = data.get("document_type") or "other"
    if document_type not in classify.DOCUMENT_TYPES:
        _error(errors, "document_type", "invalid", f"Tipo de documento desconocido (uno de: {', '.join(classify.DOCUMENT_TYPES)}).")
    elif document_type not in PROMOTABLE_TYPES:
        _error(errors, "document_type", "not_promotable",
               f"Es un {TYPE_LABELS[document_type]}: solo facturas y tickets se importan como factura de proveedor.")
    for name in ("document_type", *FIELDS):
        if data.get(name) in (None, "") and name != "document_type":
            _error(errors, name, "required", f"No se ha encontrado el campo «{FIELD_LABELS[name]}»: revíselo.")
        elif float(confidence.get(name) or 0) < context.threshold and not errors.get(name):
            _error(errors, name, "low_confidence",
                   f"Lectura poco segura del campo «{FIELD_LABELS[name]}» ({float(confidence.get(name) or 0):.0%}): revíselo.")
    amounts: dict[str, Decimal] = {}
    for name in ("base", "tax", "total"):
        if data.get(name) not in (None, ""):
            try:
                amounts[name] = parse_decimal(str(data[name])).quantize(Decimal("0.01"))
                data[name] = format(amounts[name], "f")
            except (ValueError, InvalidOperation):
                errors[name] = [{"code": "invalid_decimal", "message": f"«{data[name]}» no es un importe."}]
    if data.get("issue_date"):
        try:
            data["issue_date"] = parse_date(str(data["issue_date"])).isoformat()
        except ValueError:
            errors["issue_date"] = [{"code": "invalid_date", "message": f"«{data['issue_date']}» no es una fecha (dd/mm/aaaa)."}]
    data.pop("supplier_id", None)
    if data.get("supplier_tax_id"):
        tax_id = classify._valid_tax_id(context.country, str(data["supplier_tax_id"]))  # noqa: SLF001
        if tax_id is None:
            errors["supplier_tax_id"] = [{"code": "invalid_tax_id", "message": "El NIF/RUC del proveedor no es válido (dígito de control)."}]
        else:
            data["supplier_tax_id"] = tax_id
            supplier_id = context.suppliers.get(tax_id)
            if supplier_id is None:
                _error(errors, "supplier_tax_id", "unknown_supplier", f"No hay ningún proveedor con el identificador {tax_id}: créelo antes.")
            else:
                data["supplier_id"] = str(supplier_id)
    data.pop("tax_category", None)
    data.pop("tax_rate", None)
    if len(amounts) == 3:
        base, tax, total = amounts["base"], amounts["tax"], amounts["total"]
        if abs(base + tax - total) > Decimal("0.01"):
            _error(errors, "total", "totals_mismatch", f"Base ({base}) + IVA ({tax}) no suma el total ({total}).")
        elif base <= 0:
            _error(errors, "base", "invalid", "La base imponible debe ser mayor que cero.")
        else:
            rate = (tax * 100 / base).quantize(Decimal("0.1"))
            match = next((category for value, category in sorted(context.rates.items())
                          if abs(value - rate) <= Decimal("0.1") and abs((base * value / 100).quantize(Decimal("0.01")) - tax) <= Decimal("0.02")), None)
            if match is None:
                _error(errors, "tax", "unknown_tax_rate", f"El IVA ({rate} % de la base) no es un tipo vigente del catálogo.")
            else:
                data["tax_category"] = match
                data["tax_rate"] = format(next(value for value, category in context.rates.items() if category == match), "f")
    return data, errors, ("needs_review" if errors else "valid")


def validate_items(batch: ImportBatch, items: list[ImportItem]) -> None:
    """Read (when not yet read), classify and evaluate items of a batch inside the caller's transaction."""
    context = build_context(batch)
    for item in items:
        if item.is_edited and item.data:
            data, errors = dict(item.data), {}
        else:
            data, errors = read_document(batch.tenant_id, item.raw or {}, context)
        if errors:
            item.data, item.errors, item.status = data or None, errors, "invalid"
        else:
            item.data, item.errors, item.status = evaluate(data, context)
        item.natural_key = _natural_key(item.data)
        item.action = "create" if item.status == "valid" else None


def _natural_key(data: dict[str, Any] | None) -> str | None:
    if not data or not data.get("supplier_tax_id") or not data.get("number"):
        return None
    return f"{data['supplier_tax_id']}|{data['number']}"[:100]


def run_validation(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    """Validate a `documents` batch claimed in `validating`, one document per transaction (OCR is slow)."""
    from gestiq_app.imports.services import _get, move_state, stamp

    with tenant_context(tenant_id):
        with unit_of_work():
            batch = _get(batch_id)
            if batch.state != "validating":
                return batch.state
            stamp(batch, "validation_started_at")
            batch.processed_items = 0
        last_row = 0
        while True:
            with unit_of_work() as current:
                batch = _get(batch_id, lock=True)
                if batch.state != "validating":
                    return batch.state
                item = current.scalar(select(ImportItem).where(ImportItem.batch_id == batch_id, ImportItem.row_number > last_row)
                                      .order_by(ImportItem.row_number).limit(1))
                if item is None:
                    move_state(batch_id, ("validating",), "validated")
                    batch.state = "validated"
                    stamp(batch, "validated_at")
                    return "validated"
                validate_items(batch, [item])
                batch.processed_items = (batch.processed_items or 0) + 1
                last_row = item.row_number


def revalidate_item(batch: ImportBatch, item: ImportItem, *, changes: dict[str, Any]) -> None:
    """Apply a reviewer's fixes (each field sent is now sure: confidence 1) and evaluate the document again."""
    data = dict(item.data or {})
    confidence = dict(data.get("confidence") or {})
    for name, value in changes.items():
        if name in ("confidence", "text", "method", "supplier_id", "tax_category", "tax_rate"):
            continue
        if value is None:
            data.pop(name, None)
            confidence[name] = 0.0
        else:
            data[name] = str(value)
            confidence[name] = 1.0
    data["confidence"] = confidence
    item.data, item.errors, item.status = evaluate(data, build_context(batch))
    item.natural_key = _natural_key(item.data)
    item.action = "create" if item.status == "valid" else None
    item.is_edited = True


# --- promotion, rollback --------------------------------------------------------------------------------------------

def _promote_item(batch: ImportBatch, item: ImportItem, *, actor: str) -> str:
    """Create the draft supplier invoice of one item, attach its original and record the lineage; return the item status.

    The purchases services commit on their own, so a crash can fall between the invoice and the lineage: a retry
    then meets the (supplier, number) unique key and adopts the draft it finds if no other item claims it.
    """
    from gestiq_app.purchases import attachments, services as purchases
    from gestiq_app.purchases.exceptions import PurchaseConflictError
    from gestiq_app.purchases.models import PurchaseDocument

    data = item.data or {}
    supplier_id = uuid.UUID(data["supplier_id"])
    label = "Ticket" if data.get("document_type") == "receipt" else "Factura"
    payload = {"supplier_id": supplier_id, "supplier_number": data["number"], "issue_date": date.fromisoformat(data["issue_date"]),
               "description": f"{label} {data['number']} (importada de {(item.raw or {}).get('filename', 'documento')})"[:300],
               "lines": [{"description": f"{label} {data['number']}"[:500], "quantity": Decimal("1"),
                          "unit_price": Decimal(data["base"]), "tax_category": data["tax_category"]}]}
    item_id, tenant_id = item.id, batch.tenant_id
    session().commit()  # the purchases services run their own transactions
    try:
        document = purchases.create_invoice(tenant_id=tenant_id, data=payload, actor=actor)
        document_id = document.id
    except PurchaseConflictError:
        document_id = session().scalar(select(PurchaseDocument.id).where(
            PurchaseDocument.kind == "supplier_invoice", PurchaseDocument.supplier_id == supplier_id,
            PurchaseDocument.supplier_number == data["number"]))
        claimed = session().scalar(select(func.count()).select_from(ImportLineage).where(ImportLineage.entity_id == document_id))
        if document_id is None or claimed:
            return "skipped"  # the supplier's invoice exists already (entered by hand or by another batch)
    raw = item.raw or {}
    document = purchases.get_document(tenant_id=tenant_id, document_id=document_id, kind="supplier_invoice")
    content = storage.read_bytes(tenant_id, raw["file_key"])
    digest = hashlib.sha256(content).hexdigest()
    if not any(attachment.sha256 == digest for attachment in document.attachments):
        attachments.add_attachment(tenant_id=tenant_id, document_id=document_id, kind="supplier_invoice",
                                   filename=raw.get("filename") or PurePosixPath(raw["file_key"]).name, data=content, actor=actor)
    session().add(ImportLineage(batch_id=batch.id, item_id=item_id, entity_type="supplier_invoice", entity_id=document_id,
                                action="created", previous=None, created_at=utcnow()))
    return "promoted"


def run_promotion(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: str = "system:imports") -> str:
    """Promote the valid documents of a batch in `promoting`, one per transaction; end in `promoted`."""
    from gestiq_app.imports.pipeline import _finish_promotion
    from gestiq_app.imports.services import _get, stamp_once

    with tenant_context(tenant_id):
        with unit_of_work():
            batch = _get(batch_id)
            if batch.state != "promoting":
                return batch.state
            stamp_once(batch, "promotion_started_at")
        while True:
            with unit_of_work() as current:
                batch = _get(batch_id, lock=True)
                if batch.state != "promoting":
                    return batch.state
                item = current.scalar(select(ImportItem).where(ImportItem.batch_id == batch_id, ImportItem.status == "valid")
                                      .order_by(ImportItem.row_number).limit(1))
                if item is None:
                    _finish_promotion(batch, actor=actor)
                    return "promoted"
                item_id = item.id
                status = _promote_item(batch, item, actor=actor)
                item = current.scalar(select(ImportItem).where(ImportItem.id == item_id))
                batch = _get(batch_id, lock=True)
                item.status = status  # type: ignore[union-attr]
                if status == "promoted":
                    batch.promoted_items = (batch.promoted_items or 0) + 1
                batch.chunks_done = (batch.chunks_done or 0) + 1


def rollback(batch: ImportBatch, *, actor: str) -> int:
    """Delete the draft supplier invoices a batch created (409 when one was recorded since); return how many."""
    from gestiq_app.purchases import services as purchases
    from gestiq_app.purchases.models import PurchaseDocument

    created = list(session().scalars(select(ImportLineage.entity_id).where(ImportLineage.batch_id == batch.id,
                                                                          ImportLineage.action == "created")))
    recorded = session().scalar(select(func.count()).select_from(PurchaseDocument)
                                .where(PurchaseDocument.id.in_(created), PurchaseDocument.state != "draft")) if created else 0
    if recorded:
        raise ImportConflictError(f"No se puede deshacer: {recorded} factura(s) creadas por este lote ya están registradas.",
                                  errors={"batch": [f"{recorded} registrada(s)."]})
    tenant_id = batch.tenant_id
    session().commit()
    for document_id in created:
        purchases.delete_document(tenant_id=tenant_id, document_id=document_id, kind="supplier_invoice", actor=actor)
    return len(created)


__all__ = ["evaluate", "ingest_documents", "revalidate_item", "rollback", "run_promotion", "run_validation"]
