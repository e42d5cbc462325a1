"""Crash recovery (issue #12 item 4) on PostgreSQL + Redis with real processes, killed with SIGKILL.

- A Huey consumer killed while its SRI reception call is in flight: after the lease expires and the dispatcher runs
  on a restarted consumer, the submission ends AUTORIZADO on attempt 2, with one submission row, the comprobante
  sent once per attempt (the SRI answers the second one "43 CLAVE ACCESO REGISTRADA") and authorized once.
- A gunicorn web process killed while 10 invoice issues are in flight (Spain and Ecuador): the committed invoices are
  numbered without gaps, each has exactly one VERI*FACTU record (the chain verifies) or SRI submission, the others are
  untouched drafts; after a restart the drafts are issued and the numbers are still gapless.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.es_verifactu.records import verify_chains
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.submissions import SENDING_LEASE
from gestiq_app.extensions import db
from gestiq_app.jobs import build_huey
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as, login_with_token
from tests.conftest import TEST_REDIS_URL
from tests.einvoicing.fake_sri import FakeSri
from tests.einvoicing.flow import EC_LINES, ES_LINES, ec_tenant, es_tenant, issue_through_api

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WAIT_SECONDS = 25.0


def _wait_for(condition: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Poll `condition` until it is truthy (fails the test with `what` after `seconds`: an upper bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _env(app, database_urls, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GESTIQ_")}
    env.update({
        "GESTIQ_ENV": "test", "GESTIQ_DATABASE_URL": database_urls["runtime"], "GESTIQ_HUEY_BACKEND": "redis",
        "GESTIQ_REDIS_URL": TEST_REDIS_URL, "GESTIQ_SECRET_KEY": app.config["SECRET_KEY"],
        "GESTIQ_INSTANCE_PATH": app.config["GESTIQ_INSTANCE_PATH"], "GESTIQ_FAB_UPDATE_PERMS": "0",
        "GESTIQ_EDGE_MIDDLEWARE": "0", "GESTIQ_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", **extra,
    })
    return env


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        # Its own process group: SIGKILL reaches the process and its children (gunicorn's worker) at once.
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group we started (by its id)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    _kill(process)


def _enqueue(env: dict[str, str], call: str) -> None:
    """Enqueue a task on the Redis queue the way the app does (a separate process with the redis backend)."""
    code = f"from gestiq_app.einvoicing.tasks import submit_document, dispatch_submissions\n{call}\n"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


@pytest.fixture()
def redis_queue() -> Iterator[None]:
    """An empty Huey queue on the test Redis database (before and after the test)."""
    queue = build_huey("redis", instance_path="", redis_url=TEST_REDIS_URL)
    queue.flush()
    yield
    queue.flush()


@pytest.fixture()
def slow_sri(sri_schema_dir: Path) -> Iterator[FakeSri]:
    """A fake SRI that answers after 4 s and remembers what it received (43 CLAVE ACCESO REGISTRADA on a resend)."""
    server = FakeSri(sri_schema_dir, delay_seconds=4.0, remember_received=True).start()
    yield server
    server.stop()


def _submission(app, tenant, document_id: str) -> list[EinvoiceSubmission]:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(tenant.id):
        rows = list(db.session.scalars(select(EinvoiceSubmission).where(EinvoiceSubmission.document_id == uuid.UUID(document_id))))
        db.session.expunge_all()
        db.session.rollback()
    return rows


def test_a_worker_killed_during_the_sri_call_recovers_and_the_invoice_ends_authorized(
        app, database_urls, redis_queue, slow_sri, test_certificate, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tenant, customer_id = ec_tenant(app, test_certificate)
    owner = login_as(app, tenant, "owner")
    invoice = issue_through_api(owner, customer_id, EC_LINES).get_json()  # GESTIQ_EINVOICE_SUBMIT=0 here: stays pending
    [pending] = _submission(app, tenant, invoice["id"])
    assert (pending.state, pending.attempts) == ("pending", 0)
    key = pending.reference
    env = _env(app, database_urls, GESTIQ_EINVOICE_SUBMIT="1", GESTIQ_SRI_RECEPTION_URL=slow_sri.reception_url,
               GESTIQ_SRI_AUTHORIZATION_URL=slow_sri.authorization_url, GESTIQ_EINVOICE_TIMEOUT_SECONDS="30",
               GESTIQ_EINVOICE_MAX_ATTEMPTS="3")
    consumer_command = [str(BIN / "huey_consumer"), "gestiq_app.jobs.huey", "-w", "1", "-k", "thread", "-n"]
    log = tmp_path / "consumer.log"

    consumer = _start(consumer_command, env, log)
    try:
        _enqueue(env, f"submit_document({str(tenant.id)!r}, {str(pending.id)!r})")
        _wait_for(lambda: slow_sri.arrived >= 1, "the reception call to reach the fake SRI")
    finally:
        _kill(consumer)  # SIGKILL while the SRI is still answering
    [interrupted] = _submission(app, tenant, invoice["id"])
    assert (interrupted.state, interrupted.attempts, interrupted.authority_state) == ("sending", 1, None)
    _wait_for(lambda: slow_sri.count("validarComprobante", key) == 1, "the fake SRI to finish the orphaned call")
    assert slow_sri.count("autorizacionComprobante") == 0  # the SRI has the comprobante; nobody asked for its authorization

    slow_sri.delay_seconds = 0
    with app.app_context(), tenant_context(tenant.id):  # the 15-minute sending lease runs out
        db.session.execute(update(EinvoiceSubmission).where(EinvoiceSubmission.id == pending.id)
                           .values(last_attempt_at=EinvoiceSubmission.last_attempt_at - SENDING_LEASE - timedelta(minutes=1)))
        db.session.commit()
    consumer = _start(consumer_command, env, log)
    try:
        _enqueue(env, "dispatch_submissions()")  # the periodic dispatcher's run (every minute in production)
        _wait_for(lambda: _submission(app, tenant, invoice["id"])[0].state not in ("sending", "retry_wait", "pending"),
                  "the restarted worker to settle the submission")
    finally:
        _stop(consumer)

    rows = _submission(app, tenant, invoice["id"])
    assert len(rows) == 1, log.read_text()
    done = rows[0]
    assert (done.state, done.authority_state, done.attempts, done.authorization_number) == ("authorized", "AUTORIZADO", 2, key), (
        done.last_error, log.read_text())
    assert (slow_sri.count("validarComprobante", key), slow_sri.count("autorizacionComprobante", key)) == (2, 1)
    # The SRI keeps the first signing (43 on the resend): the authorized comprobante it returns is that one.
    assert slow_sri.received[key].decode("utf-8") in done.authorized_xml
    assert done.signed_payload.encode("utf-8") != slow_sri.received[key]  # re-signed at attempt 2 (new signing time)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(port: int, path: str, token: str, timeout: float = 30.0) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body=b"{}", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def _issued_state(app, tenant) -> tuple[list[int], dict[str, int], int, bool]:  # type: ignore[no-untyped-def]
    """Return the issued numbers, the fiscal rows per document (Spain: VERI*FACTU records; Ecuador: SRI submissions),
    the number of drafts, and whether the VERI*FACTU chain verifies."""
    with app.app_context(), tenant_context(tenant.id):
        documents = db.session.execute(select(SalesDocument.id, SalesDocument.state, SalesDocument.number)
                                       .where(SalesDocument.kind == "invoice")).all()
        column = VerifactuRecord.source_document_id if tenant.country == "ES" else EinvoiceSubmission.document_id
        records = dict(db.session.execute(select(column, func.count()).group_by(column)).all())
        intact = verify_chains().is_intact
        db.session.rollback()
    issued = sorted(number for _id, state, number in documents if state == "issued")
    drafts = [(_id, number) for _id, state, number in documents if state == "draft"]
    assert all(number is None and _id not in records for _id, number in drafts), "a draft has a number or a record"
    assert {str(_id) for _id, state, _n in documents if state == "issued"} == {str(k) for k in records}, "issued without record"
    return issued, {str(k): v for k, v in records.items()}, len(drafts), intact


@pytest.mark.parametrize("country", ["ES", "EC"])
def test_a_web_process_killed_during_ten_issues_leaves_no_gap_and_no_half_issued_invoice(
        app, database_urls, redis_queue, test_certificate, tmp_path, country) -> None:  # type: ignore[no-untyped-def]
    # Spain: every issue chains a VERI*FACTU record; Ecuador (certificate uploaded): every issue queues an SRI submission.
    tenant, customer_id = es_tenant(app) if country == "ES" else ec_tenant(app, test_certificate)
    lines = ES_LINES if country == "ES" else EC_LINES
    owner = login_as(app, tenant, "owner")
    drafts = []
    for _ in range(10):
        draft = owner.post("/api/v1/invoices", json={"customer_id": str(customer_id), "lines": lines})
        assert draft.status_code == 201
        drafts.append(draft.get_json()["id"])
    token = login_with_token(app, tenant, ["invoices:issue", "invoices:read"]).token
    port = _free_port()
    command = [str(BIN / "gunicorn"), "-w", "1", "--threads", "10", "-b", f"127.0.0.1:{port}", "--graceful-timeout", "1", "wsgi:app"]
    env, log = _env(app, database_urls), tmp_path / "gunicorn.log"

    server = _start(command, env, log)
    results: dict[str, Any] = {}
    try:
        _wait_for(lambda: _port_open(port), "gunicorn to listen")

        def issue(document_id: str) -> None:
            try:
                results[document_id] = _post(port, f"/api/v1/invoices/{document_id}/issue", token)[0]
            except (OSError, http.client.HTTPException) as error:
                results[document_id] = type(error).__name__

        threads = [threading.Thread(target=issue, args=(document_id,)) for document_id in drafts]
        for thread in threads:
            thread.start()
        _wait_for(lambda: any(value == 200 for value in results.values()), "a first issue to commit")
    finally:
        _kill(server)  # SIGKILL to gunicorn's master and worker while the other issues are in flight
    for thread in threads:
        thread.join(timeout=30)
    answered = sum(1 for value in results.values() if value == 200)
    issued, records, draft_count, intact = _issued_state(app, tenant)
    print(f"crash {country}: {answered} answered 200, {len(issued)} committed, {draft_count} still drafts")
    assert issued == list(range(1, len(issued) + 1))  # gapless among the committed invoices
    assert set(records.values()) <= {1} and intact
    assert len(issued) >= answered and len(issued) + draft_count == 10

    server = _start(command, env, log)
    try:
        _wait_for(lambda: _port_open(port), "gunicorn to listen again")
        with app.app_context(), tenant_context(tenant.id):
            remaining = [str(i) for i in db.session.scalars(select(SalesDocument.id).where(SalesDocument.state == "draft"))]
            db.session.rollback()
        assert [_post(port, f"/api/v1/invoices/{document_id}/issue", token)[0] for document_id in remaining] == [200] * len(remaining)
    finally:
        _stop(server)
    issued, records, draft_count, intact = _issued_state(app, tenant)
    assert (issued, draft_count, sorted(records.values()), intact) == (list(range(1, 11)), 0, [1] * 10, True)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False
