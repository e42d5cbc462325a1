"""Unit tests of edge/policy.py: the policy file's contents, validation and the pure functions."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from edge.policy import (
    CookieRule,
    PolicyError,
    build_policy,
    evaluate_preflight,
    is_origin_allowed,
    load_policy,
    load_policy_document,
    merge_vary,
    resolve_request_id,
    rewrite_set_cookie,
)

VECTORS = json.loads(
    (load_policy_document.__globals__["DEFAULT_POLICY_PATH"].parent / "vectors.json").read_text(encoding="utf-8")
)["vectors"]


def document() -> dict[str, Any]:
    """Return a fresh, mutable copy of the shipped policy document."""
    return copy.deepcopy(load_policy_document())


def test_environments_are_development_staging_production() -> None:
    """Ship exactly the three environments the Worker and the middleware know."""
    assert sorted(document()["environments"]) == ["development", "production", "staging"]


def test_production_policy_values() -> None:
    """Pin the production values that browsers and the PWA rely on."""
    policy = load_policy(None, "production")
    assert policy.allowed_origins == frozenset({"https://app.gestiqcloud.com"})
    assert policy.tenant_parent_domain == "gestiqcloud.com"
    assert policy.cookie_domain == "gestiqcloud.com"
    assert policy.cookie_secure is True
    assert policy.hsts == "max-age=31536000; includeSubDomains"
    assert policy.exposed_headers == ("X-Request-ID", "X-Pagination", "Retry-After")
    assert {"Content-Type", "X-CSRF-TOKEN", "X-Request-ID", "Idempotency-Key", "Authorization"} <= set(
        policy.allowed_headers
    )
    assert policy.allow_credentials is True
    assert policy.max_age_seconds == 600


def test_development_is_host_only_plain_http_without_hsts() -> None:
    """Keep development usable over http: no Domain, no Secure, no HSTS."""
    policy = load_policy(None, "development")
    assert policy.cookie_domain is None
    assert policy.cookie_secure is False
    assert policy.hsts is None
    assert policy.tenant_parent_domain is None
    assert "http://localhost:5173" in policy.allowed_origins
    assert "http://127.0.0.1:5000" in policy.allowed_origins


def test_cookie_rules_match_the_architecture() -> None:
    """Pin the tenant auth cookies' attributes."""
    rules = load_policy(None, "production").cookie_rules
    assert rules["access_token"] == CookieRule(
        http_only=True, secure=True, same_site="Lax", path="/", partitioned=False, host_only=False
    )
    assert rules["refresh_token"] == CookieRule(
        http_only=True, secure=True, same_site="None", path="/api/v1/tenant/auth", partitioned=True, host_only=False
    )
    assert rules["csrf_access_token"] == CookieRule(
        http_only=False, secure=True, same_site="Lax", path="/", partitioned=False, host_only=False
    )
    assert rules["csrf_refresh_token"].http_only is False
    assert all(rules[name].host_only for name in rules if name.startswith("admin_") or name == "session")


def test_unknown_environment_is_refused() -> None:
    """Fail closed on an environment name the policy does not define."""
    with pytest.raises(PolicyError, match="unknown edge environment 'prod'"):
        build_policy(document(), "prod")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["cookies"]["rules"]["access_token"].update(secure=False, same_site="None"), "need Secure"),
        (lambda d: d["cookies"]["rules"]["access_token"].update(secure=False, partitioned=True), "need Secure"),
        (lambda d: d["cookies"]["rules"]["access_token"].update(same_site="lax"), "SameSite must be"),
        (lambda d: d["cookies"]["rules"]["access_token"].update(path="api"), "path must start"),
        (lambda d: d["environments"]["production"].update(tenant_parent_domain=".gestiqcloud.com"), "lower-case"),
        (lambda d: d["environments"]["production"].update(tenant_parent_domain="GestiQCloud.com"), "lower-case"),
        (lambda d: d["environments"]["production"]["allowed_origins"].append("https://app.x.com/"), "serialized"),
        (lambda d: d["cookies"].update(same_site_none_without_secure="None"), "Strict or Lax"),
    ],
)
def test_invalid_policies_are_refused(mutate: Any, message: str) -> None:
    """Refuse a policy that browsers would silently reject or that could widen matching."""
    broken = document()
    mutate(broken)
    with pytest.raises(PolicyError, match=message):
        build_policy(broken, "production")


def test_tenant_match_stays_one_label_even_with_a_loose_pattern() -> None:
    """Keep tenant origins to one DNS label even if someone loosens the label pattern."""
    loose = document()
    loose["cors"]["tenant_label_pattern"] = ".+"
    policy = build_policy(loose, "production")
    assert is_origin_allowed(policy, "https://acme.gestiqcloud.com") is True
    assert is_origin_allowed(policy, "https://a.b.gestiqcloud.com") is False
    assert is_origin_allowed(policy, "https://evil.com@x.gestiqcloud.com") is False


@pytest.mark.parametrize("origin", [None, "", "null", "https://gestiqcloud.com", "https://acme.gestiqcloud.com\n"])
def test_origins_that_are_never_allowed(origin: str | None) -> None:
    """Refuse missing, empty, opaque, parent-only and newline-suffixed origins."""
    assert is_origin_allowed(load_policy(None, "production"), origin) is False


def test_request_id_kept_or_generated() -> None:
    """Keep a well-formed id (trimmed) and replace anything else by a UUID4."""
    policy = load_policy(None, "production")
    assert resolve_request_id(policy, " abcdefgh ") == ("abcdefgh", True)
    assert resolve_request_id(policy, "abcdefgh\n") == ("abcdefgh", True)
    generated, kept = resolve_request_id(policy, "abc\ndefgh")
    assert kept is False
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", generated)
    assert resolve_request_id(policy, None)[0] != resolve_request_id(policy, None)[0]


def test_preflight_evaluation_order() -> None:
    """Report the origin first, then the method, then the first refused header."""
    policy = load_policy(None, "production")
    assert evaluate_preflight(policy, "https://evil.example", "TRACE", "x-evil") == "preflight_origin_denied"
    assert evaluate_preflight(policy, "https://app.gestiqcloud.com", "TRACE", "x-evil") == "preflight_method_denied"
    assert evaluate_preflight(policy, "https://app.gestiqcloud.com", "POST", "x-evil") == "preflight_header_denied"
    assert evaluate_preflight(policy, "https://app.gestiqcloud.com", "POST", " , Content-Type,,") is None


@pytest.mark.parametrize(
    ("values", "merged"),
    [
        ([], "Origin"),
        (["Accept-Encoding"], "Accept-Encoding, Origin"),
        (["ORIGIN"], "ORIGIN"),
        (["Accept", "*"], "*"),
        (["Cookie, cookie", " Accept "], "Cookie, Accept, Origin"),
    ],
)
def test_merge_vary(values: list[str], merged: str) -> None:
    """Merge Vary values without duplicates and with Origin exactly once."""
    assert merge_vary(values) == merged


@pytest.mark.parametrize("environment", ["development", "staging", "production"])
def test_cookie_rewriting_is_idempotent(environment: str) -> None:
    """Give the same line when a rewritten cookie passes a second edge (Worker then middleware)."""
    policy = load_policy(None, environment)
    lines = [line for vector in VECTORS if vector["backend"] for line in vector["backend"]["set_cookie"]]
    assert len(lines) >= 15
    for line in lines:
        once = rewrite_set_cookie(policy, line)
        if once is not None:
            assert rewrite_set_cookie(policy, once) == once
