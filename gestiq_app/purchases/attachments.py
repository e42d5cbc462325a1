"""Originals (PDF or image) attached to purchase documents, stored per tenant with `gestiq_app.storage`.

The type is sniffed from the first bytes, never taken from the extension or the client's Content-Type; a
file whose extension names another type is refused (a lying extension is how malware hides). The size
limit is GESTIQ_PURCHASE_ATTACHMENT_MAX_BYTES (413 above it; nothing is kept). The file is written before
the row is committed and removed again if the transaction fails; deleting the row deletes the file after
the commit. Attachments may be added to recorded documents (the original often arrives later) but only
removed from drafts: a recorded document keeps its evidence.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import PurePosixPath

from flask import current_app

from gestiq_app import storage
from gestiq_app.audit.services import record_event
from gestiq_app.db import call_after_commit, session, unit_of_work
from gestiq_app.purchases.exceptions import AttachmentTooLargeError, PurchaseConflictError, PurchaseInvalidError, PurchaseNotFoundError
from gestiq_app.purchases.models import PurchaseAttachment, PurchaseDocument

#: content type -> (magic-byte test, extensions that may name it)
SIGNATURES: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "application/pdf": ((b"%PDF-",), (".pdf",)),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg", ".jpe")),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
}
EXTENSIONS = {content_type: extensions for content_type, (_, extensions) in SIGNATURES.items()} | {"image/webp": (".webp",)}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def max_bytes() -> int:
    """Return the configured size limit of one attachment."""
    return int(current_app.config["GESTIQ_PURCHASE_ATTACHMENT_MAX_BYTES"])


def sniff_content_type(data: bytes) -> str | None:
    """Return the type the bytes really are (PDF, JPEG, PNG or WebP), or None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for content_type, (prefixes, _) in SIGNATURES.items():
        if any(data.startswith(prefix) for prefix in prefixes):
            return content_type
    return None


def clean_filename(filename: str) -> str:
    """Return a display name without folders or odd characters (the storage key never uses it)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    return SAFE_NAME.sub("_", name).strip(" .")[:200] or "adjunto"


def _check(data: bytes, filename: str) -> str:
    if len(data) > max_bytes():
        raise AttachmentTooLargeError(f"El archivo supera el máximo de {max_bytes()} bytes.",
                                      errors={"file": [f"Máximo {max_bytes()} bytes."]})
    if not data:
        raise PurchaseInvalidError("Archivo vacío", errors={"file": ["Archivo vacío."]})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise PurchaseInvalidError("Tipo de archivo no admitido", errors={"file": ["Solo PDF, JPEG, PNG o WebP."]})
    extension = PurePosixPath(filename.lower()).suffix
    if extension and extension not in EXTENSIONS[content_type]:
        raise PurchaseInvalidError("La extensión no corresponde al contenido",
                                   errors={"file": [f"El contenido es {content_type}, no {extension}."]})
    return content_type


def _document(document_id: uuid.UUID, kind: str) -> PurchaseDocument:
    document = session().get(PurchaseDocument, document_id)
    if document is None or document.kind != kind:
        raise PurchaseNotFoundError("Documento no encontrado")
    return document


def add_attachment(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str, filename: str, data: bytes,
                   actor: str) -> PurchaseAttachment:
    """Store an original of a purchase document and return its row."""
    name = clean_filename(filename)
    content_type = _check(data, name)
    attachment_id = uuid.uuid4()
    key = f"purchases/{document_id}/{attachment_id}"
    with unit_of_work() as current:
        _document(document_id, kind)
        storage.put_bytes(tenant_id, key, data)
        try:
            attachment = PurchaseAttachment(id=attachment_id, document_id=document_id, filename=name, content_type=content_type,
                                            size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
                                            uploaded_by=actor[:120])
            current.add(attachment)
            current.flush()
            record_event(actor=actor, action="purchase_attachment.added", entity="purchase_document", entity_id=document_id,
                         changes={"attachment_id": attachment_id, "filename": name, "size_bytes": len(data)})
        except BaseException:
            storage.delete(tenant_id, key)
            raise
    return attachment


def get_attachment(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str, attachment_id: uuid.UUID) -> PurchaseAttachment:
    """Return an attachment of a document of the tenant, or raise PurchaseNotFoundError."""
    _document(document_id, kind)
    attachment = session().get(PurchaseAttachment, attachment_id)
    if attachment is None or attachment.document_id != document_id:
        raise PurchaseNotFoundError("Adjunto no encontrado")
    return attachment


def list_attachments(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str) -> list[PurchaseAttachment]:
    """Return the attachments of a document, oldest first."""
    return list(_document(document_id, kind).attachments)


def read_attachment(*, tenant_id: uuid.UUID, attachment: PurchaseAttachment) -> bytes:
    """Return the stored bytes of an attachment."""
    try:
        return storage.read_bytes(tenant_id, attachment.storage_key)
    except FileNotFoundError as error:
        raise PurchaseNotFoundError("El archivo del adjunto no está disponible") from error


def delete_attachment(*, tenant_id: uuid.UUID, document_id: uuid.UUID, kind: str, attachment_id: uuid.UUID, actor: str) -> None:
    """Remove an attachment of a draft (409 once recorded); the file goes after the commit."""
    with unit_of_work() as current:
        attachment = get_attachment(tenant_id=tenant_id, document_id=document_id, kind=kind, attachment_id=attachment_id)
        if not attachment.document.is_draft:
            raise PurchaseConflictError("El documento está registrado: sus adjuntos no se pueden borrar")
        key = attachment.storage_key
        current.delete(attachment)
        record_event(actor=actor, action="purchase_attachment.deleted", entity="purchase_document", entity_id=document_id,
                     changes={"attachment_id": attachment_id, "filename": attachment.filename})
        call_after_commit(lambda: storage.delete(tenant_id, key))


def delete_files(tenant_id: uuid.UUID, keys: list[str]) -> None:
    """Delete stored files of rows that are gone (after the commit that removed them)."""
    for key in keys:
        storage.delete(tenant_id, key)
