"""Crash recovery of PDF generation (issue #12 item 4): a real Huey consumer on PostgreSQL + Redis, SIGKILLed.

The killed consumer renders slowly and pauses between writing a file and renaming it into place, so the kill lands
in the middle of the work: while rendering, or with a complete temporary file not yet renamed. Afterwards no stored
PDF or zip is partial (storage writes are temporary file + rename); a bulk export left `running` is found by the
periodic `resume_stalled_pdf_exports` and completes on a restarted consumer; the on-issue PDFs that were not stored
are rendered by the restarted consumer (and on the first download).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from gestiq_app import storage
from gestiq_app.db import unit_of_work, utcnow
from gestiq_app.extensions import db
from gestiq_app.jobs import build_huey
from gestiq_app.pdf.models import PdfExport
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_tenant
from tests.sales.helpers import add_customer, issued_invoice, line

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60.0

#: A consumer whose renders take 0.3 s more and whose storage pauses 0.3 s between the written temporary file and
#: its rename: a SIGKILL then lands mid-render or mid-store.
SLOW_CONSUMER = (
    "import os, sys, time, types\n"
    "import gestiq_app.pdf.services as services\n"
    "import gestiq_app.storage as storage\n"
    "_render = services.render_document\n"
    "def slow_render(**kwargs):\n"
    "    time.sleep(0.3)\n"
    "    return _render(**kwargs)\n"
    "services.render_document = slow_render\n"
    "slow_os = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if not name.startswith('__')})\n"
    "slow_os.replace = lambda source, target: (time.sleep(0.3), os.replace(source, target))[1]\n"
    "storage.os = slow_os\n"
    "from huey.bin.huey_consumer import consumer_main\n"
    "sys.argv = ['huey_consumer', 'gestiq_app.jobs.huey', '-w', '1', '-k', 'thread']\n"
    "consumer_main()\n"
)
CONSUMER = "from huey.bin.huey_consumer import consumer_main\nimport sys\nsys.argv = ['huey_consumer', 'gestiq_app.jobs.huey', '-w', '2', '-k', 'thread']\nconsumer_main()\n"


def _wait_for(condition: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Poll `condition` until truthy (an upper bound that fails the test, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _env(app, database_urls) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GESTIQ_")}
    env.update({
        "GESTIQ_ENV": "test", "GESTIQ_DATABASE_URL": database_urls["runtime"], "GESTIQ_HUEY_BACKEND": "redis",
        "GESTIQ_REDIS_URL": TEST_REDIS_URL, "GESTIQ_SECRET_KEY": app.config["SECRET_KEY"],
        "GESTIQ_INSTANCE_PATH": app.config["GESTIQ_INSTANCE_PATH"], "GESTIQ_FAB_UPDATE_PERMS": "0",
        "GESTIQ_EDGE_MIDDLEWARE": "0", "GESTIQ_LOG_LEVEL": "WARNING", "GESTIQ_PDF_RENDER_ON_ISSUE": "0", "PYTHONUNBUFFERED": "1",
    })
    return env


def _start(script: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group this test started (by its id)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    _kill(process)


def _enqueue(env: dict[str, str], call: str) -> None:
    """Enqueue on the Redis queue the way the app does (a separate process with the redis backend)."""
    code = f"from gestiq_app.pdf.tasks import export_pdfs_task, render_document_pdf_task, resume_stalled_pdf_exports\n{call}\n"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


@pytest.fixture()
def redis_queue() -> Iterator[None]:
    """An empty Huey queue on the test Redis database (before and after the test)."""
    queue = build_huey("redis", instance_path="", redis_url=TEST_REDIS_URL)
    queue.flush()
    yield
    queue.flush()


def _issued(app, count: int) -> tuple[Any, list[tuple[uuid.UUID, str]]]:  # type: ignore[no-untyped-def]
    """A Spanish tenant with `count` issued invoices of 15 lines each: (tenant, [(id, full number)])."""
    with app.app_context():
        tenant = make_tenant(country="ES")
        customer = add_customer(tenant)
        invoices = []
        for index in range(count):
            document = issued_invoice(tenant, customer, [line("1", f"{index + 1}.{line_index:02d}") for line_index in range(15)],
                                      issue_date=date(2026, 3, 2))
            invoices.append((document.id, document.full_number))
        db.session.remove()
    return tenant, invoices


def _pdf_files(app, tenant) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Every stored file of the tenant under pdf/ (temporary files excluded, as storage lists them)."""
    with app.app_context():
        return {key: path.read_bytes() for key, path in storage.iter_files(tenant.id) if key.startswith("pdf/")}


def _assert_complete_pdf(content: bytes, label: str) -> None:
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF"), label
    assert len(PdfReader(io.BytesIO(content)).pages) >= 1, label


def _export(app, tenant, export_id: uuid.UUID) -> tuple[str, int, int, str | None]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        row = db.session.scalar(select(PdfExport).where(PdfExport.id == export_id))
        values = (row.state, row.done, row.total, row.storage_key)
        db.session.rollback()
        db.session.remove()
    return values


def test_a_consumer_killed_mid_export_leaves_no_partial_zip_and_the_resumed_export_completes(
        app, database_urls, redis_queue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tenant, invoices = _issued(app, 10)
    with app.app_context(), tenant_context(tenant.id), unit_of_work() as current:
        export = PdfExport(document_ids=[str(document_id) for document_id, _ in invoices], total=len(invoices), done=0,
                           state="queued", requested_by="test")
        current.add(export)
        current.flush()
        export_id = export.id
    env, log = _env(app, database_urls), tmp_path / "consumer.log"
    zip_key = f"exports/pdf-{export_id}.zip"

    consumer = _start(SLOW_CONSUMER, env, log)
    try:
        _enqueue(env, f"export_pdfs_task({str(tenant.id)!r}, {str(export_id)!r})")
        _wait_for(lambda: _export(app, tenant, export_id)[1] >= 3, "three PDFs of the export")
    finally:
        _kill(consumer)
    state, done, total, key = _export(app, tenant, export_id)
    assert (state, key, total) == ("running", None, 10), log.read_text()
    assert 3 <= done < 10
    with app.app_context():
        assert not storage.exists(tenant.id, zip_key)
    stored = _pdf_files(app, tenant)
    assert len(stored) < 10
    for stored_key, content in stored.items():
        _assert_complete_pdf(content, stored_key)

    with app.app_context():
        from gestiq_app.pdf.exports import list_stalled_exports

        assert (tenant.id, export_id) not in list_stalled_exports()  # progress is recent: a live worker is not disturbed
        with tenant_context(tenant.id), unit_of_work() as current:  # the 10-minute lease runs out
            current.execute(update(PdfExport).where(PdfExport.id == export_id).values(updated_at=utcnow() - timedelta(minutes=11)))
        assert (tenant.id, export_id) in list_stalled_exports()
    consumer = _start(CONSUMER, env, log)
    try:
        _enqueue(env, "resume_stalled_pdf_exports()")  # the periodic run (every 5 minutes in production)
        _wait_for(lambda: _export(app, tenant, export_id)[0] == "done", "the resumed export to finish")
    finally:
        _stop(consumer)

    assert _export(app, tenant, export_id) == ("done", 10, 10, zip_key)
    owner = login_as(app, tenant, "owner")
    download = owner.get(f"/api/v1/invoices/pdf-exports/{export_id}/download")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.get_data())) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(f"{number}.pdf" for _, number in invoices)
        for name in archive.namelist():
            _assert_complete_pdf(archive.read(name), name)
    after = _pdf_files(app, tenant)
    assert len(after) == 10
    assert {key: after[key] for key in stored} == stored  # the PDFs stored before the kill were reused, not rewritten


def test_a_consumer_killed_while_rendering_on_issue_pdfs_stores_only_whole_files_and_a_restart_renders_the_rest(
        app, database_urls, redis_queue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tenant, invoices = _issued(app, 8)
    env, log = _env(app, database_urls), tmp_path / "consumer.log"
    calls = "\n".join(f"render_document_pdf_task({str(tenant.id)!r}, {str(document_id)!r})" for document_id, _ in invoices)

    consumer = _start(SLOW_CONSUMER, env, log)
    try:
        _enqueue(env, calls)  # what issuing 8 invoices with GESTIQ_PDF_RENDER_ON_ISSUE=1 enqueues
        _wait_for(lambda: len(_pdf_files(app, tenant)) >= 2, "two on-issue PDFs")
    finally:
        _kill(consumer)
    stored = _pdf_files(app, tenant)
    assert 2 <= len(stored) < 8, log.read_text()
    for stored_key, content in stored.items():
        _assert_complete_pdf(content, stored_key)
    missing = [document_id for document_id, _ in invoices if f"pdf/invoice/{document_id}.pdf" not in stored]

    owner = login_as(app, tenant, "owner")
    first_download = owner.get(f"/api/v1/invoices/{missing[0]}/pdf")  # a download never waits for the lost task
    assert first_download.status_code == 200 and first_download.mimetype == "application/pdf"
    _assert_complete_pdf(first_download.get_data(), "download")

    consumer = _start(CONSUMER, env, log)
    try:
        _enqueue(env, calls)  # the tasks again (idempotent: a stored PDF is left as it is)
        _wait_for(lambda: len(_pdf_files(app, tenant)) == 8, "every PDF stored")
    finally:
        _stop(consumer)
    after = _pdf_files(app, tenant)
    assert sorted(after) == sorted(f"pdf/invoice/{document_id}.pdf" for document_id, _ in invoices)
    assert {key: after[key] for key in stored} == stored
    assert after[f"pdf/invoice/{missing[0]}.pdf"] == first_download.get_data()
    for stored_key, content in after.items():
        _assert_complete_pdf(content, stored_key)
