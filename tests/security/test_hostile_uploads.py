"""Hostile uploads on every multipart endpoint: a clear 4xx problem (or, for imports, a batch whose rows carry clear
errors), bounded memory, nothing half-written (no row, no stored file) where the upload is refused.

Endpoints: imports batch upload, purchase invoice and expense attachments, branding logo, e-invoicing certificate.
The set is checked against the OpenAPI document so a new multipart operation fails
`test_every_multipart_operation_is_covered` until it gets a row here.
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from dataclasses import dataclass
from typing import Any, Callable

import psutil
import pytest

from gestiq_app import storage
from tests.api_helpers import login_as
from tests.purchases.helpers import add_supplier, create_invoice, line
from tests.security import hostile
from tests.security.live import raise_rate_limits
from tests.security.test_hostile_input import _assert_problem, _row_counts

MIB = 1024 * 1024
BASE_ALLOWANCE = 32 * MIB
PER_BODY_BYTE = 8
RSS_GROWTH_LIMIT = 256 * MIB
#: Limits lowered for the test so "oversized" stays cheap on a shared machine.
IMPORT_LIMIT_MB = 8
ATTACHMENT_LIMIT = 1 * MIB
BODY_LIMIT = 12 * MIB

PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _multipart(session: Any, method: str, url: str, content: bytes, filename: str, **fields: str):  # type: ignore[no-untyped-def]
    return session.send(method, url, data={"file": (io.BytesIO(content), filename), **fields}, content_type="multipart/form-data")


@dataclass(frozen=True)
class Endpoint:
    """One upload operation: the OpenAPI path it covers and how to call it for a fresh target."""

    name: str
    spec_path: str
    method: str
    extension: str
    prepare: Callable[[Any, Any], str]  # (session, tenant) -> url

    def send(self, session: Any, url: str, content: bytes, filename: str):  # type: ignore[no-untyped-def]
        extra = {"password": "secreto"} if self.name == "certificate" else {}
        return _multipart(session, self.method, url, content, filename, **extra)


def _import_batch(session: Any, _tenant: Any) -> str:
    response = session.post("/api/v1/imports/batches", json={"kind": "customers", "source_name": "hostil", "options": {}})
    assert response.status_code == 201, response.get_json()
    return f"/api/v1/imports/batches/{response.get_json()['id']}/upload"


def _purchase_invoice(_session: Any, tenant: Any) -> str:
    document = create_invoice(tenant, add_supplier(tenant), [line("1", "10.00")])
    return f"/api/v1/purchases/invoices/{document.id}/attachments"


ENDPOINTS = [
    Endpoint("imports", "/api/v1/imports/batches/{batch_id}/upload", "POST", "csv", _import_batch),
    Endpoint("purchase attachment", "/api/v1/purchases/invoices/{document_id}/attachments", "POST", "pdf", _purchase_invoice),
    Endpoint("branding logo", "/api/v1/settings/branding/logo", "PUT", "png", lambda _s, _t: "/api/v1/settings/branding/logo"),
    Endpoint("certificate", "/api/v1/einvoicing/certificate", "POST", "p12", lambda _s, _t: "/api/v1/einvoicing/certificate"),
]


def xlsx_shared_strings_bomb(inflated: int = 256 * MIB) -> bytes:
    """A structurally valid XLSX whose sharedStrings.xml inflates to `inflated` bytes (read whole by openpyxl)."""
    from openpyxl import Workbook

    source = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["nombre", "nif"])
    workbook.save(source)
    target = io.BytesIO()
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as original, \
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in original.infolist():
            if info.filename != "xl/sharedStrings.xml":
                bomb.writestr(info.filename, original.read(info.filename))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(head)
            chunk, remaining = b"A" * MIB, inflated
            while remaining > 0:
                member.write(chunk[: min(MIB, remaining)])
                remaining -= MIB
            member.write(b"</t></si></sst>")
    return target.getvalue()


def _five_mb_line() -> bytes:
    return b"nombre,nif\n" + b"x" * (5 * MIB) + b",12345678Z\n"


#: case -> (content builder, filename builder from the endpoint's honest extension)
CASES: dict[str, tuple[Callable[[Endpoint], bytes], Callable[[Endpoint], str]]] = {
    "oversized": (lambda e: b"A" * ((IMPORT_LIMIT_MB * MIB if e.name == "imports" else ATTACHMENT_LIMIT) + 1024), lambda e: f"grande.{e.extension}"),
    "over the body limit": (lambda e: b"A" * (BODY_LIMIT + 1024), lambda e: f"enorme.{e.extension}"),
    "ELF with a lying extension": (lambda e: ELF, lambda e: f"inocente.{e.extension}"),
    "PDF named as the expected type": (lambda e: PDF, lambda e: f"inocente.{'xlsx' if e.name == 'imports' else e.extension if e.extension != 'pdf' else 'png'}"),
    "zip bomb": (lambda e: hostile.zip_bomb(uncompressed_bytes=256 * MIB), lambda e: f"bomba.{'xlsx' if e.name == 'imports' else e.extension}"),
    "xlsx shared-strings bomb": (lambda e: xlsx_shared_strings_bomb(), lambda e: f"bomba.{'xlsx' if e.name == 'imports' else e.extension}"),
    "NUL bytes": (lambda e: hostile.nul_byte_csv(), lambda e: f"nul.{e.extension}"),
    "10,000 columns": (lambda e: hostile.wide_csv(), lambda e: f"ancho.{e.extension}"),
    "5 MB single line": (lambda e: _five_mb_line(), lambda e: f"linea.{e.extension}"),
}

#: (endpoint, case) -> expected status. Imports of a readable CSV stage a batch (200) whose rows carry the errors.
EXPECTED: dict[tuple[str, str], int] = {}
for _endpoint in ENDPOINTS:
    for _case in CASES:
        EXPECTED[(_endpoint.name, _case)] = 422
    EXPECTED[(_endpoint.name, "over the body limit")] = 413
EXPECTED[("imports", "oversized")] = 413
EXPECTED[("purchase attachment", "oversized")] = 413
EXPECTED[("purchase attachment", "5 MB single line")] = 413  # over the (lowered) 1 MiB attachment limit
# The logo (512 KB) and the certificate (64 KB) document their size limit as a 422 with the field.
for _case in ("NUL bytes", "10,000 columns"):
    EXPECTED[("imports", _case)] = 200


def _stored_files(app: Any, tenant_id: Any) -> list[str]:
    with app.app_context():
        return sorted(key for key, _path in storage.iter_files(tenant_id))


@pytest.fixture()
def uploader(app, tenant_pair, monkeypatch):  # type: ignore[no-untyped-def]
    """Tenant B's (Ecuador: e-invoicing with the SRI) owner, with the upload limits lowered for the test."""
    raise_rate_limits(app, monkeypatch)
    monkeypatch.setitem(app.config, "GESTIQ_IMPORTS_MAX_UPLOAD_MB", str(IMPORT_LIMIT_MB))
    monkeypatch.setitem(app.config, "GESTIQ_PURCHASE_ATTACHMENT_MAX_BYTES", ATTACHMENT_LIMIT)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", BODY_LIMIT)
    tenant = tenant_pair[1]
    return tenant, login_as(app, tenant, "owner")


def test_every_multipart_operation_is_covered(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").get_json()
    multipart = sorted((method.upper(), path) for path, item in spec["paths"].items() for method, operation in item.items()
                       if isinstance(operation, dict) and "multipart/form-data" in operation.get("requestBody", {}).get("content", {}))
    covered = {(endpoint.method, endpoint.spec_path) for endpoint in ENDPOINTS}
    covered.add(("POST", "/api/v1/purchases/expenses/{document_id}/attachments"))  # same view factory as invoices
    assert multipart == sorted(covered)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_hostile_upload_gets_a_clear_answer_with_bounded_memory_and_no_half_write(app, uploader, database_urls, endpoint, case) -> None:  # type: ignore[no-untyped-def]
    tenant, session = uploader
    with app.app_context():
        url = endpoint.prepare(session, tenant)
    build_content, build_name = CASES[case]
    content, filename = build_content(endpoint), build_name(endpoint)
    counts_before, files_before = _row_counts(database_urls["owner"]), _stored_files(app, tenant.id)
    rss_before = psutil.Process().memory_info().rss
    tracemalloc.start()
    try:
        response = endpoint.send(session, url, content, filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    label = f"{endpoint.name} / {case}"
    assert peak < BASE_ALLOWANCE + PER_BODY_BYTE * len(content), (label, peak)
    assert psutil.Process().memory_info().rss - rss_before < RSS_GROWTH_LIMIT, label
    expected = EXPECTED[(endpoint.name, case)]
    assert response.status_code == expected, (label, response.status_code, response.get_data(as_text=True)[:400])
    if expected >= 400:
        problem = _assert_problem(response, label)
        if expected == 422:
            assert problem.get("errors"), (label, problem)
        if (endpoint.name, case) == ("imports", "5 MB single line"):
            assert problem["detail"] == "Línea 2: el archivo está mal formado (fila ilegible).", problem
        assert _row_counts(database_urls["owner"]) == counts_before, label
        assert _stored_files(app, tenant.id) == files_before, label
        return
    batch = response.get_json()
    assert batch["state"] == "ingested", (label, batch)
    assert "\x00" not in str(batch)
    assert all(len(header) <= 200 for header in batch.get("headers", [])), label


def test_a_nul_byte_csv_import_stages_rows_without_the_nul(app, uploader) -> None:  # type: ignore[no-untyped-def]
    tenant, session = uploader
    url = _import_batch(session, tenant)
    batch = _multipart(session, "POST", url, hostile.nul_byte_csv(rows=3), "nul.csv").get_json()
    items = session.get(url.replace("/upload", "/items")).get_json()["items"]
    assert batch["total_items"] == 3, batch
    assert sorted(item["raw"]["nombre"] for item in items) == ["Cliente0", "Cliente1", "Cliente2"]


def test_the_xlsx_bomb_helper_is_a_readable_workbook_that_inflates() -> None:
    bomb = xlsx_shared_strings_bomb(inflated=8 * MIB)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 8 * MIB
        assert "xl/worksheets/sheet1.xml" in archive.namelist()
    assert len(bomb) < 128 * 1024
    assert re.match(rb"PK", bomb)
