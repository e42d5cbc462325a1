"""Tenant A's owner calls every /api/v1 route with tenant B's ids: nothing of B comes back, nothing of B changes.

Also: a tenant user's cookies open nothing of the back office. And the probe is shown to catch a leak:
with the tenant guard switched off, it must report findings.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis

from tests.api_helpers import login
from tests.conftest import IS_POSTGRES
from tests.factories import make_tenant
from tests.security.live import mint_tokens, raise_rate_limits
from tests.security.probe import (
    TenantMarkers,
    api_rules,
    example_bodies,
    fill_every_tenant_table,
    markers_of,
    openapi_path,
    probe_routes,
    snapshot_tenant,
    strings_in,
)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def mint_session(app: Any, client: Any, tenant_id: uuid.UUID, email: str) -> None:
    """Give a test client a fresh session of a tenant user (no password or second factor: the probe must not depend on them)."""
    tokens = mint_tokens(app, tenant_id, email)
    client.set_cookie("access_token", tokens.access_token)
    client.set_cookie("csrf_access_token", tokens.access_csrf)


class ProbingClient:
    """Tenant A's owner: sends with CSRF, and gets a new session when a call ended the previous one (logout…)."""

    def __init__(self, app: Any, tenant: Any) -> None:
        self.app, self.tenant, self.email = app, tenant, f"owner@{tenant.slug}.test"
        self.client = app.test_client()
        mint_session(app, self.client, tenant.id, self.email)

    def send(self, method: str, url: str, *, json: Any = None, query: dict[str, str] | None = None) -> Any:
        """Send one call (retrying once with a new session after a 401)."""
        for attempt in range(2):
            csrf = self.client.get_cookie("csrf_access_token")
            headers = {"X-CSRF-TOKEN": csrf.value if csrf else ""} if method in UNSAFE else {}
            response = self.client.open(url, method=method, json=json, query_string=query, headers=headers)
            if response.status_code != 401 or attempt:
                return response
            mint_session(self.app, self.client, self.tenant.id, self.email)
        return response


def _populate_tenant_b(app: Any, tenant_b: Any) -> tuple[list[str], list[Any]]:
    """Create B's objects through B's own API (every creating POST) and fill every other tenant table with factories.

    Return the routes that created something and the bodies sent (the probe sends A the same generated
    bodies, so their values are not B's own).
    """
    session = login(app, tenant_b.slug, f"owner@{tenant_b.slug}.test")
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    created, sent = [], []
    for rule in api_rules(app):
        if "POST" not in rule.methods or rule.arguments:
            continue
        operation = schema.find_operation_by_path("post", openapi_path(rule))
        if operation is None or "201" not in operation.definition.raw.get("responses", {}):
            continue
        for body in example_bodies(schema, "POST", openapi_path(rule), 3):
            response = session.post(rule.rule, json=body)
            sent.append(body)
            if response.status_code == 201:
                created.append(rule.rule)
    with app.app_context():
        fill_every_tenant_table(tenant_b.id, start_index=100)
    return created, sent


@pytest.fixture()
def probe_setup(app, database_urls, monkeypatch):  # type: ignore[no-untyped-def]
    """Tenants A and B (B with rows in every tenant table), B's markers and a probing client for A."""
    raise_rate_limits(app, monkeypatch)
    with app.app_context():
        tenant_a, tenant_b = make_tenant(country="ES"), make_tenant(country="EC")
    created, sent = _populate_tenant_b(app, tenant_b)
    markers = markers_of(database_urls["owner"], tenant_b.id, other_tenant_id=tenant_a.id, not_distinctive=strings_in(sent))
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return {"a": tenant_a, "b": tenant_b, "markers": markers, "schema": schema, "created_by_api": created}


def run_probe(app: Any, database_urls: dict[str, str], setup: dict[str, Any]) -> list[str]:
    """Probe every route as A with B's ids; return the findings (leaks and changes to B's rows)."""
    markers: TenantMarkers = setup["markers"]
    before = snapshot_tenant(database_urls["owner"], markers.tenant_id)
    prober = ProbingClient(app, setup["a"])
    report = probe_routes(app, schema=setup["schema"], send=prober.send, markers=markers)
    after = snapshot_tenant(database_urls["owner"], markers.tenant_id)
    findings = list(report.findings)
    for table in sorted(set(before) | set(after)):
        if before.get(table) != after.get(table):
            findings.append(f"tenant B's rows in {table} changed: {before.get(table)!r:.300} -> {after.get(table)!r:.300}")
    assert report.calls > len(api_rules(app))
    return findings


def test_tenant_b_has_rows_in_every_tenant_table(probe_setup) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy.rls import tenant_tables

    markers: TenantMarkers = probe_setup["markers"]
    assert sorted(markers.ids_by_table) == sorted(table.name for table in tenant_tables())
    assert probe_setup["created_by_api"], "no creating POST of the API produced an object in tenant B"
    assert probe_setup["b"].slug in " ".join(markers.values)


def test_tenant_a_gets_nothing_of_tenant_b_and_changes_nothing(app, database_urls, probe_setup) -> None:  # type: ignore[no-untyped-def]
    findings = run_probe(app, database_urls, probe_setup)
    assert findings == [], "\n".join(findings)


def test_the_probe_reports_a_leak_when_the_tenant_guard_is_off(app, database_urls, probe_setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy import guard

    # Platform scope everywhere: the ORM criteria are skipped and, on PostgreSQL, each transaction's
    # app.platform_scope opens the RLS policy: exactly the two guards the probe must prove it would miss.
    monkeypatch.setattr(guard, "is_platform_scope", lambda: True)
    findings = run_probe(app, database_urls, probe_setup)
    assert findings, "the probe did not notice that the tenant guard was off"
    assert any("carries tenant B's" in finding for finding in findings)
    if IS_POSTGRES:
        assert any("/api/v1/tenant/users" in finding for finding in findings)


def _back_office_rules(app: Any) -> list[Any]:
    return sorted((rule for rule in app.url_map.iter_rules() if rule.rule.startswith(("/admin/", "/api/v1/admin/"))),
                  key=lambda rule: rule.rule)


def _fill(rule: Any, foreign_id: uuid.UUID) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__  # noqa: SLF001 - werkzeug keeps converters here
        values[name] = 1 if converter == "IntegerConverter" else ("muldelete" if name == "name" else str(foreign_id))
    return rule.build(values, append_unknown=False)[1]


def test_tenant_cookies_open_nothing_in_the_back_office(app, tenant_pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    raise_rate_limits(app, monkeypatch)
    tenant_a, tenant_b = tenant_pair
    owner = login(app, tenant_a.slug, f"owner@{tenant_a.slug}.test")
    anonymous = app.test_client()
    opened = []
    rules = _back_office_rules(app)
    assert any(rule.rule.startswith("/api/v1/admin/") for rule in rules) and len(rules) > 50
    for rule in rules:
        url = _fill(rule, tenant_b.id)
        for method in sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}):
            as_tenant = owner.send(method, url, json={}) if method != "GET" else owner.get(url)
            as_nobody = anonymous.open(url, method=method, json={} if method != "GET" else None)
            same = (as_tenant.status_code, as_tenant.headers.get("Location")) == (as_nobody.status_code, as_nobody.headers.get("Location"))
            is_public = rule.rule in PUBLIC_BACK_OFFICE_PAGES or rule.rule.startswith(PUBLIC_BACK_OFFICE_PREFIXES)
            if not same or (200 <= as_tenant.status_code < 300 and not is_public):
                opened.append(f"{method} {url}: tenant {as_tenant.status_code} {as_tenant.headers.get('Location')}, "
                              f"anonymous {as_nobody.status_code} {as_nobody.headers.get('Location')}")
    assert opened == [], "\n".join(opened)


#: Back-office pages anybody may open: the landing page, the login steps and FAB's static files.
PUBLIC_BACK_OFFICE_PAGES = {"/admin/"}
PUBLIC_BACK_OFFICE_PREFIXES = ("/admin/login/", "/admin/static/")
