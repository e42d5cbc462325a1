"""Hostile payloads for tests: broken or oversized JSON, headers, and (for the imports issue) hostile uploads.

Every generator is deterministic and returns bytes or str ready to send; none writes to disk.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

# --- JSON bodies ------------------------------------------------------------------------------------------


def deeply_nested_json(depth: int = 10_000, *, kind: str = "array") -> bytes:
    """Return `depth` nested arrays (`[[[…]]]`) or objects (`{"a":{"a":…}}`)."""
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def number_json(key: str, literal: str) -> bytes:
    """Return `{key: <literal>}` with a raw number literal (e.g. "1e400", or 5,000 digits)."""
    return b'{"' + key.encode() + b'":' + literal.encode() + b"}"


def huge_float_literal() -> str:
    """Return a float literal beyond float range (json reads it as inf)."""
    return "1e400"


def huge_integer_literal(digits: int = 5_000) -> str:
    """Return an integer literal with more digits than Python converts by default (4,300)."""
    return "9" * digits


def invalid_utf8_json(key: str = "name") -> bytes:
    """Return a JSON object whose string value holds bytes that are not UTF-8."""
    return b'{"' + key.encode() + b'":"\xff\xfe\xc3\x28"}'


def long_string_json(key: str, size_bytes: int = 5 * 1024 * 1024) -> bytes:
    """Return `{key: "xxxx…"}` on one line, about `size_bytes` long."""
    return json.dumps({key: "x" * size_bytes}).encode()


def duplicate_keys_json(key: str, first: str, second: str) -> bytes:
    """Return a JSON object with the same key twice (parsers disagree on which one wins)."""
    return ("{" + json.dumps(key) + ":" + json.dumps(first) + "," + json.dumps(key) + ":" + json.dumps(second) + "}").encode()


# --- headers ----------------------------------------------------------------------------------------------


def oversized_cookie(size: int = 16 * 1024, name: str = "access_token") -> str:
    """Return a Cookie header value carrying one cookie of `size` bytes."""
    return f"{name}={'a' * size}"


def oversized_request_id(size: int = 10 * 1024) -> str:
    """Return an X-Request-ID far over the accepted 128 characters."""
    return "r" * size


def crlf_request_id() -> str:
    """Return a request id trying to inject a response header."""
    return "abcdefgh1234\r\nSet-Cookie: injected=1"


# --- uploads (imports issue) ------------------------------------------------------------------------------


def zip_bomb(*, uncompressed_bytes: int = 1024 * 1024 * 1024, members: int = 1, name: str = "datos.csv") -> bytes:
    """Return a small zip whose members inflate to `uncompressed_bytes` each (zeros compress ~1000:1).

    Written in 1 MiB chunks so building it never holds the inflated size in memory.
    """
    buffer = io.BytesIO()
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for index in range(members):
            with archive.open(f"{index}-{name}", "w", force_zip64=True) as member:
                remaining = uncompressed_bytes
                while remaining > 0:
                    member.write(chunk[: min(len(chunk), remaining)])
                    remaining -= len(chunk)
    return buffer.getvalue()


def nul_byte_csv(rows: int = 3) -> bytes:
    """Return a CSV with NUL bytes inside fields (csv readers and PostgreSQL text columns reject them)."""
    lines = ["nombre,nif"] + [f"Cliente\x00{index},1234567{index}Z" for index in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def wide_csv(columns: int = 10_000, rows: int = 2) -> bytes:
    """Return a CSV with `columns` columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"col{index}" for index in range(columns)])
    for row in range(rows):
        writer.writerow([f"{row}-{index}" for index in range(columns)])
    return buffer.getvalue().encode()


#: Cell values a spreadsheet would run as formulas (CSV/formula injection, OWASP).
FORMULA_CELLS = ("=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "=HYPERLINK(\"http://x.test\",\"x\")", "\t=1+1", "\r=1+1",
                 "=cmd|' /C calc'!A0")


def formula_injection_csv() -> bytes:
    """Return a CSV whose name column holds every formula trigger."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["nombre", "nif"])
    for index, cell in enumerate(FORMULA_CELLS):
        writer.writerow([cell, f"1234567{index}Z"])
    return buffer.getvalue().encode()


def is_formula_safe(cell: str) -> bool:
    """Tell whether an exported cell cannot start a formula (escaped with a leading apostrophe, or harmless)."""
    return not cell or cell[0] not in "=+-@\t\r"
