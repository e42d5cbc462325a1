"""The tenant archive format: deterministic NDJSON per table, a manifest and the tenant's files in a tar.gz.

Layout (format version 1):
    manifest.json            format, tenant row, platform references, schema revision, tables, files
    tables/<table>.ndjson    one JSON object per row, keys sorted, rows ordered by primary key
    files/<relative path>    the tenant's stored files (instance/files/<tenant_id>/…)

Values are JSON-encoded the same way on SQLite and PostgreSQL: UUIDs, decimals, dates and datetimes
as strings (datetimes in UTC, ISO 8601 with microseconds), bytes as base64.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, Numeric, Table, Uuid, select
from sqlalchemy.engine import Connection

FORMAT_NAME = "gestiq-tenant-export"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


class ArchiveError(RuntimeError):
    """Raised when an archive is unreadable, tampered with or does not fit the target database."""


def encode_value(value: Any) -> Any:
    """Return a JSON-ready value that encodes the same on every database."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def decode_value(table: Table, column_name: str, value: Any) -> Any:
    """Turn an encoded value back into what the column's type expects."""
    if value is None:
        return None
    column_type = table.c[column_name].type
    if isinstance(column_type, Uuid):
        return uuid.UUID(value)
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Numeric):
        return Decimal(value) if column_type.asdecimal else float(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    return value


def encode_row(row: dict[str, Any]) -> str:
    """Return one NDJSON line (keys sorted, compact, UTF-8 text) for a row."""
    return json.dumps({key: encode_value(value) for key, value in row.items()}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)


def table_ndjson(connection: Connection, table: Table, tenant_id: uuid.UUID) -> tuple[bytes, int]:
    """Return the NDJSON of one tenant's rows of a table (ordered by primary key) and the row count."""
    statement = select(table).where(table.c.tenant_id == tenant_id).order_by(*table.primary_key.columns)
    lines = [encode_row(dict(row._mapping)) + "\n" for row in connection.execute(statement)]
    return "".join(lines).encode("utf-8"), len(lines)


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 hex digest of some bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class TenantArchive:
    """An archive in memory: the manifest, each table's NDJSON and the files."""

    manifest: dict[str, Any]
    tables: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def encoded_rows(self, table_name: str) -> list[dict[str, Any]]:
        """Return the rows of one table as stored (encoded values)."""
        data = self.tables.get(table_name, b"")
        return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


def _add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def write_archive(path: Path, archive: TenantArchive) -> None:
    """Write the archive as a reproducible tar.gz (fixed order, times and owners)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
            manifest = json.dumps(archive.manifest, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")
            _add_member(tar, MANIFEST_NAME, manifest)
            for name in sorted(archive.tables):
                _add_member(tar, f"tables/{name}.ndjson", archive.tables[name])
            for name in sorted(archive.files):
                _add_member(tar, f"files/{name}", archive.files[name])


def _safe_relative(name: str, prefix: str) -> str:
    relative = PurePosixPath(name[len(prefix):])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ArchiveError(f"ruta no permitida en el archivo: {name}")
    return str(relative)


def read_archive(path: Path) -> TenantArchive:
    """Read and check an archive: known format, every table and file matching its checksum."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            members: dict[str, bytes] = {}
            for member in tar.getmembers():
                if not member.isfile():
                    raise ArchiveError(f"entrada no admitida en el archivo: {member.name}")
                handle = tar.extractfile(member)
                members[member.name] = handle.read() if handle else b""
    except (OSError, tarfile.TarError) as error:
        raise ArchiveError(f"no se puede leer el archivo {path}: {error}") from error
    if MANIFEST_NAME not in members:
        raise ArchiveError("el archivo no contiene manifest.json")
    try:
        manifest = json.loads(members.pop(MANIFEST_NAME))
    except ValueError as error:
        raise ArchiveError(f"manifest.json no es JSON válido: {error}") from error
    if manifest.get("format") != FORMAT_NAME or manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"formato no admitido: {manifest.get('format')} v{manifest.get('format_version')}")
    archive = TenantArchive(manifest=manifest)
    for name, data in members.items():
        if name.startswith("tables/") and name.endswith(".ndjson"):
            archive.tables[name[len("tables/"):-len(".ndjson")]] = data
        elif name.startswith("files/"):
            archive.files[_safe_relative(name, "files/")] = data
        else:
            raise ArchiveError(f"entrada desconocida en el archivo: {name}")
    _check_checksums(archive)
    return archive


def _check_checksums(archive: TenantArchive) -> None:
    tables = archive.manifest.get("tables", {})
    if set(tables) != set(archive.tables):
        raise ArchiveError("las tablas del archivo no coinciden con el manifiesto")
    for name, entry in tables.items():
        data = archive.tables[name]
        if sha256_hex(data) != entry["sha256"] or data.count(b"\n") != entry["rows"]:
            raise ArchiveError(f"la tabla {name} no coincide con su suma de control")
    files = {entry["path"]: entry for entry in archive.manifest.get("files", [])}
    if set(files) != set(archive.files):
        raise ArchiveError("los ficheros del archivo no coinciden con el manifiesto")
    for name, entry in files.items():
        if sha256_hex(archive.files[name]) != entry["sha256"]:
            raise ArchiveError(f"el fichero {name} no coincide con su suma de control")


def tenant_files_folder(instance_path: str, tenant_id: uuid.UUID) -> Path:
    """Return the folder of a tenant's stored files."""
    return Path(instance_path) / "files" / str(tenant_id)


def collect_files(folder: Path) -> dict[str, bytes]:
    """Return every regular file under a folder by relative POSIX path (empty when there is none)."""
    if not folder.is_dir():
        return {}
    return {
        file.relative_to(folder).as_posix(): file.read_bytes()
        for file in sorted(folder.rglob("*"))
        if file.is_file() and not file.is_symlink()
    }
