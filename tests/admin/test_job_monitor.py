"""Back-office job monitor: Admin and Support see queues and failures; only Admin retries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from gestiq_app.extensions import db
from gestiq_app.jobs import huey
from gestiq_app.ops.models import JobFailure
from gestiq_app.ops.tasks import ping_task
from tests.admin.conftest import ADMIN_PASSWORD, admin_login, csrf_token, session_csrf_token


@pytest.fixture()
def queued_and_failed(app):  # type: ignore[no-untyped-def]
    """One pending task, one scheduled task and one failed run (with a unique message each)."""
    marker = uuid.uuid4().hex[:10]
    huey.storage.enqueue(huey.serialize_task(ping_task.s(f"en-cola-{marker}")), 0)
    later = ping_task.s(f"programada-{marker}")
    later.eta = datetime.utcnow() + timedelta(hours=1)
    huey.add_schedule(later)
    with app.app_context():
        ping_task(f"fallida-{marker}", should_fail=True)
        failure_id = db.session.scalar(select(JobFailure.id).where(JobFailure.args_summary.contains(f"fallida-{marker}")))
        db.session.remove()
    yield marker, failure_id
    huey.flush()


def _failures(app, marker: str) -> list[tuple]:  # type: ignore[type-arg]
    with app.app_context():
        rows = db.session.execute(select(JobFailure.retried_at.is_not(None), JobFailure.retried_by)
                                  .where(JobFailure.args_summary.contains(f"fallida-{marker}")).order_by(JobFailure.failed_at)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_admin_sees_queues_and_failures_and_retries_once(app, client, back_office_user, queued_and_failed) -> None:  # type: ignore[no-untyped-def]
    marker, failure_id = queued_and_failed
    username = back_office_user("Admin")
    admin_login(client, username, ADMIN_PASSWORD)
    page = client.get("/admin/jobs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tareas en segundo plano" in html
    assert f"en-cola-{marker}" in html and f"programada-{marker}" in html and f"fallida-{marker}" in html
    assert "PingFailure: fallo solicitado" in html and "Reintentar" in html
    response = client.post(f"/admin/jobs/retry/{failure_id}", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    # the retried run failed again (same arguments), so a second failure is recorded
    assert _failures(app, marker) == [(True, f"admin:{username}"), (False, None)]
    again = client.post(f"/admin/jobs/retry/{failure_id}", data={"csrf_token": csrf_token(html)}, follow_redirects=True)
    assert "ya se reintentó" in again.get_data(as_text=True)
    assert len(_failures(app, marker)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JobFailure).where(JobFailure.id == failure_id)) == 1


def test_support_sees_the_monitor_but_cannot_retry(app, client, back_office_user, queued_and_failed) -> None:  # type: ignore[no-untyped-def]
    marker, failure_id = queued_and_failed
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    page = client.get("/admin/jobs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"fallida-{marker}" in html and "Reintentar" not in html
    assert client.post(f"/admin/jobs/retry/{failure_id}", data={"csrf_token": session_csrf_token(client)}).status_code == 403
    assert _failures(app, marker) == [(False, None)]


def test_billing_and_anonymous_cannot_open_the_monitor(client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/admin/jobs/").status_code == 302
    admin_login(client, back_office_user("Billing"), ADMIN_PASSWORD)
    assert client.get("/admin/jobs/").status_code == 403
