"""One helper for the four-way permission check every endpoint needs.

anonymous -> 401; a user of another tenant -> 404 (or 403/404 for collection routes: never 2xx);
same tenant without the permission -> 403; allowed role -> the expected 2xx. After each denied call the
`snapshot()` of the data must be unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api_helpers import ApiSession, login_as


def check_access(
    app: Any,
    *,
    method: str,
    url: str,
    owner_tenant: Any,
    other_tenant: Any,
    allowed_role: str,
    denied_role: str | None = None,
    expected_status: int,
    snapshot: Callable[[], Any],
    json: Any = None,
    other_tenant_status: tuple[int, ...] = (404,),
    denied_session: Callable[[], Any] | None = None,
    data: Callable[[], dict[str, Any]] | None = None,
) -> Any:
    """Run the anonymous / other tenant / denied role / allowed role calls and return the allowed response.

    Every tenant role may read most resources: for those, pass `denied_session` (e.g. an integration token
    without the permission, from `login_with_token`) instead of `denied_role`. Sessions are opened before
    the snapshot (opening one may create a user). `data` builds a fresh multipart body for each call (file
    objects are consumed) instead of `json`.
    """
    body: Callable[[], dict[str, Any]] = (lambda: {"data": data(), "content_type": "multipart/form-data"}) if data else (lambda: {"json": json})
    stranger: ApiSession = login_as(app, other_tenant, "owner")
    denied_caller = denied_session() if denied_session is not None else login_as(app, owner_tenant, denied_role)
    allowed_session = login_as(app, owner_tenant, allowed_role)
    before = snapshot()

    anonymous = app.test_client().open(url, method=method, **body())
    assert anonymous.status_code == 401, (url, anonymous.get_json())
    assert snapshot() == before

    foreign = stranger.send(method, url, **body())
    assert foreign.status_code in other_tenant_status, (url, foreign.status_code, foreign.get_json())
    assert snapshot() == before

    denied = denied_caller.send(method, url, **body())
    assert denied.status_code == 403, (url, denied.status_code, denied.get_json())
    assert denied.get_json()["type"].endswith("/permission-denied")
    assert snapshot() == before

    allowed = allowed_session.send(method, url, **body())
    assert allowed.status_code == expected_status, (url, allowed.status_code, allowed.get_json())
    return allowed
