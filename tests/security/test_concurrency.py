"""Races on PostgreSQL through a real threaded HTTP server: refresh-token rotation and Idempotency-Key.

N clients are released together by a barrier. Refresh: at most one rotation wins, the reuse revokes the
family, no 5xx. Idempotency: for every creating POST of the OpenAPI document (201 with an `id`), one key and
one body sent N times at once create exactly one object; the others replay it or get 409; no 5xx.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
import schemathesis
from sqlalchemy import create_engine, func, select, text

from tests.browser import live_server
from tests.factories import make_tenant
from tests.security.live import login_owner, raise_rate_limits
from tests.security.probe import api_rules, example_bodies, openapi_path

pytestmark = pytest.mark.postgres
PARALLEL = 8


def _together(count: int, call: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run `call` in `count` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def run() -> requests.Response:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _index: run(), range(count)))


@pytest.fixture()
def server(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The app on loopback (threaded) and a fresh tenant."""
    raise_rate_limits(app, monkeypatch)
    with app.app_context():
        tenant = make_tenant(country="ES")
    with live_server(app) as base_url:
        yield base_url, tenant


def _refresh_pair(response: requests.Response) -> tuple[str, str]:
    # The refresh cookie is Secure (never sent back over http by a cookie jar): send it by hand.
    return response.cookies["refresh_token"], response.cookies["csrf_refresh_token"]


def _refresh(base_url: str, refresh_token: str, csrf: str) -> requests.Response:
    return requests.post(f"{base_url}/api/v1/tenant/auth/refresh", headers={"Cookie": f"refresh_token={refresh_token}",
                                                                            "X-CSRF-TOKEN": csrf}, timeout=30)


def test_parallel_refreshes_of_one_token_rotate_once_and_revoke_the_family(server, database_urls) -> None:  # type: ignore[no-untyped-def]
    base_url, tenant = server
    login = requests.post(f"{base_url}/api/v1/tenant/auth/login", timeout=30,
                          json={"tenant": tenant.slug, "email": f"owner@{tenant.slug}.test", "password": "owner-password-1"})
    token, csrf = _refresh_pair(login)
    responses = _together(PARALLEL, lambda: _refresh(base_url, token, csrf))
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(200) <= 1 and set(statuses) <= {200, 401}, statuses
    for winner in (response for response in responses if response.status_code == 200):
        new_token, new_csrf = _refresh_pair(winner)
        assert _refresh(base_url, new_token, new_csrf).status_code == 401  # the family died with the reuse
    engine = create_engine(database_urls["owner"])
    with engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.platform_scope', 'on', true)"))
        unrevoked = connection.scalar(text(
            "SELECT count(*) FROM refresh_tokens t JOIN tenant_users u ON u.id = t.user_id "
            "WHERE u.tenant_id = :tenant AND t.revoked_at IS NULL"), {"tenant": tenant.id})
    engine.dispose()
    assert unrevoked == 0


def _creating_operations(app: Any, schema: Any) -> list[tuple[str, Any]]:
    """Return (url, operation) of every POST without path parameters whose 201 body has an `id`."""
    found = []
    for rule in api_rules(app):
        if "POST" not in rule.methods or rule.arguments:
            continue
        operation = schema.find_operation_by_path("post", openapi_path(rule))
        created = (operation.definition.raw.get("responses", {}).get("201") if operation else None) or {}
        content = created.get("content", {}).get("application/json", {}).get("schema", {})
        reference = content.get("$ref", "").rsplit("/", 1)[-1]
        properties = schema.raw_schema["components"]["schemas"].get(reference, {}).get("properties", {}) if reference else {}
        if "id" in properties:
            found.append((rule.rule, operation))
    return found


def _rows_holding(owner_url: str, row_id: str) -> int:
    from gestiq_app.tenancy.rls import tenant_tables

    engine = create_engine(owner_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT set_config('app.platform_scope', 'on', true)"))
            return sum(connection.scalar(select(func.count()).select_from(table).where(table.c.id == uuid.UUID(row_id)))
                       for table in tenant_tables() if "id" in table.c)
    finally:
        engine.dispose()


def test_parallel_posts_with_one_idempotency_key_create_one_object(app, server, database_urls) -> None:  # type: ignore[no-untyped-def]
    base_url, tenant = server
    session = login_owner(base_url, tenant.slug)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = _creating_operations(app, schema)
    assert operations, "no creating POST found in the OpenAPI document"
    proven = []
    for url, operation in operations:
        for body in example_bodies(schema, "POST", openapi_path(next(r for r in api_rules(app) if r.rule == url)), 5):
            key = f"race-{uuid.uuid4().hex}"
            # One connection per thread; the same cookies and CSRF token (so one principal, one key owner).
            headers = {"Idempotency-Key": key, "X-CSRF-TOKEN": session.cookies.get("csrf_access_token", default="")}
            responses = _together(PARALLEL, lambda body=body, headers=headers: requests.post(
                f"{base_url}{url}", json=body, headers=headers, cookies=session.cookies.get_dict(), timeout=30))
            statuses = sorted(response.status_code for response in responses)
            assert all(status < 500 for status in statuses), (url, body, statuses)
            created = [response for response in responses if response.status_code == 201]
            if not created:
                assert len(set(statuses)) == 1 or set(statuses) <= {409, 422, 400}, (url, body, statuses)
                continue
            assert set(statuses) <= {201, 409}, (url, body, statuses)
            ids = {response.json()["id"] for response in created}
            assert len(ids) == 1, (url, ids)
            assert _rows_holding(database_urls["owner"], ids.pop()) == 1
            assert sum(response.headers.get("Idempotent-Replayed") != "true" for response in created) == 1
            proven.append(url)
            break
    # Generated bodies are often invalid for domain rules (tax ids, references); every POST that did create
    # something was checked above, and the invitation endpoint (a body the generator always gets right) must be.
    assert "/api/v1/tenant/users/invitations" in proven, proven
