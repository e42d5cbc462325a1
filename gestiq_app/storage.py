"""Stored files, one folder per tenant: invoice PDFs, attachments, import uploads, certificates.

Every file belongs to one tenant: the tenant id is the first path component and every function takes it
explicitly, so a key of tenant B can never be read through tenant A. Keys are relative POSIX paths made of
safe segments (``invoices/2026/F-2026-0001.pdf``); anything else (``..``, absolute paths, backslashes,
control characters) is refused with ValueError before touching the disk.

Writes are atomic (temporary file + rename), so a crash never leaves half a PDF behind. The root folder is
``<instance>/files`` (``GESTIQ_INSTANCE_PATH``); `export-tenant`, `restore-tenant` and `erase-tenant`
walk `iter_files` / `delete_tenant`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import current_app

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def root() -> Path:
    """The folder that holds every tenant's files."""
    return Path(current_app.config["GESTIQ_INSTANCE_PATH"]) / "files"


def _tenant_dir(tenant_id: uuid.UUID | str) -> Path:
    return root() / str(uuid.UUID(str(tenant_id)))


def _path(tenant_id: uuid.UUID | str, key: str) -> Path:
    segments = key.split("/")
    if not key or any(not _SEGMENT.match(segment) or segment in (".", "..") for segment in segments):
        raise ValueError(f"invalid storage key {key!r}")
    return _tenant_dir(tenant_id).joinpath(*segments)


def put_bytes(tenant_id: uuid.UUID | str, key: str, data: bytes) -> int:
    """Store `data` under `key` atomically (replacing any previous file) and return its size."""
    return put_stream(tenant_id, key, _BytesReader(data))


def put_stream(tenant_id: uuid.UUID | str, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
    """Copy a readable binary stream to `key` atomically; raise ValueError past `max_bytes` (nothing kept)."""
    target = _path(tenant_id, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ValueError(f"file larger than {max_bytes} bytes")
                out.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return size


def exists(tenant_id: uuid.UUID | str, key: str) -> bool:
    return _path(tenant_id, key).is_file()


def read_bytes(tenant_id: uuid.UUID | str, key: str) -> bytes:
    """Return the file's bytes; FileNotFoundError when missing."""
    return _path(tenant_id, key).read_bytes()


def open_read(tenant_id: uuid.UUID | str, key: str) -> BinaryIO:
    """Open the file for reading (caller closes it); FileNotFoundError when missing."""
    return _path(tenant_id, key).open("rb")


def local_path(tenant_id: uuid.UUID | str, key: str) -> Path:
    """The file's path on disk (for send_file and external tools such as Tesseract)."""
    return _path(tenant_id, key)


def delete(tenant_id: uuid.UUID | str, key: str) -> bool:
    """Delete one file; return whether it existed."""
    path = _path(tenant_id, key)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def iter_files(tenant_id: uuid.UUID | str) -> Iterator[tuple[str, Path]]:
    """Yield (key, path) of every stored file of the tenant, sorted by key."""
    base = _tenant_dir(tenant_id)
    if not base.is_dir():
        return
    for path in sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")):
        yield path.relative_to(base).as_posix(), path


def delete_tenant(tenant_id: uuid.UUID | str) -> int:
    """Remove every file of the tenant (right to erasure); return how many there were."""
    base = _tenant_dir(tenant_id)
    count = sum(1 for _ in iter_files(tenant_id))
    shutil.rmtree(base, ignore_errors=True)
    return count


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._offset + size
        chunk = self._data[self._offset:end].tobytes()
        self._offset += len(chunk)
        return chunk
