"""Pure functions of the GestiQCloud edge policy (origins, cookies, request ids, response headers).

edge/policy.js is the JavaScript twin of this module; edge/vectors.json keeps the two in step.
Nothing here does I/O except `load_policy_document`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.json")
SAME_SITE_VALUES = ("Strict", "Lax", "None")
# Fetch trims these from both ends of a header value; doing the same keeps WSGI and Worker in step.
HTTP_WHITESPACE = " \t\r\n"
# Headers the edge owns on every response: whatever the backend sent for them is discarded.
EDGE_OWNED_RESPONSE_HEADERS = frozenset({"strict-transport-security"})

Header = tuple[str, str]


class PolicyError(ValueError):
    """Raised when policy.json is malformed or names an unknown environment."""


@dataclass(frozen=True)
class CookieRule:
    """Attributes the edge imposes on one cookie name."""

    http_only: bool
    secure: bool
    same_site: str
    path: str
    partitioned: bool
    host_only: bool


@dataclass(frozen=True)
class Problem:
    """One RFC 9457 problem the edge can answer by itself."""

    type: str
    title: str
    status: int
    detail: str


@dataclass(frozen=True)
class EdgePolicy:
    """The policy of one environment, validated and ready to apply."""

    environment: str
    allowed_origins: frozenset[str]
    tenant_parent_domain: str | None
    tenant_label_pattern: re.Pattern[str]
    cookie_domain: str | None
    cookie_secure: bool
    same_site_none_without_secure: str
    hsts: str | None
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...]
    exposed_headers: tuple[str, ...]
    allow_credentials: bool
    max_age_seconds: int
    cookie_rules: Mapping[str, CookieRule]
    default_cookie_rule: CookieRule
    request_id_header: str
    request_id_pattern: re.Pattern[str]
    always_headers: tuple[Header, ...]
    if_absent_headers: tuple[Header, ...]
    removed_headers: frozenset[str]
    hop_by_hop_headers: frozenset[str]
    problems: Mapping[str, Problem]


def load_policy_document(path: str | Path | None = None) -> dict[str, Any]:
    """Read policy.json (the copy next to this module unless a path is given)."""
    with open(path or DEFAULT_POLICY_PATH, encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def load_policy(path: str | Path | None, environment: str) -> EdgePolicy:
    """Read policy.json and build the policy of one environment."""
    return build_policy(load_policy_document(path), environment)


def build_policy(document: Mapping[str, Any], environment: str) -> EdgePolicy:
    """Validate the policy document and return the policy of one environment."""
    environments = document.get("environments", {})
    if environment not in environments:
        raise PolicyError(f"unknown edge environment {environment!r}; known: {sorted(environments)}")
    env = environments[environment]
    cors = document["cors"]
    cookies = document["cookies"]
    security = document["security_headers"]
    parent = env["tenant_parent_domain"]
    if parent is not None and not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", parent):
        raise PolicyError(f"tenant_parent_domain {parent!r} must be a lower-case domain without dots at the ends")
    for origin in env["allowed_origins"]:
        if not re.fullmatch(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise PolicyError(f"allowed origin {origin!r} is not a serialized origin")
    fallback = cookies["same_site_none_without_secure"]
    if fallback not in ("Strict", "Lax"):
        raise PolicyError("same_site_none_without_secure must be Strict or Lax")
    return EdgePolicy(
        environment=environment,
        allowed_origins=frozenset(env["allowed_origins"]),
        tenant_parent_domain=parent,
        tenant_label_pattern=re.compile(cors["tenant_label_pattern"]),
        cookie_domain=env["cookie_domain"],
        cookie_secure=bool(env["cookie_secure"]),
        same_site_none_without_secure=fallback,
        hsts=env["hsts"],
        allowed_methods=tuple(cors["allowed_methods"]),
        allowed_headers=tuple(cors["allowed_headers"]),
        exposed_headers=tuple(cors["exposed_headers"]),
        allow_credentials=bool(cors["allow_credentials"]),
        max_age_seconds=int(cors["max_age_seconds"]),
        cookie_rules={name: _cookie_rule(name, rule) for name, rule in cookies["rules"].items()},
        default_cookie_rule=_cookie_rule("default", cookies["default"]),
        request_id_header=document["request_id"]["header"],
        request_id_pattern=re.compile(document["request_id"]["pattern"]),
        always_headers=tuple(security["always"].items()),
        if_absent_headers=tuple(security["if_absent"].items()),
        removed_headers=frozenset(name.lower() for name in security["remove"]),
        hop_by_hop_headers=frozenset(name.lower() for name in document["hop_by_hop_headers"]),
        problems={key: Problem(**value) for key, value in document["problems"].items()},
    )


def _cookie_rule(name: str, raw: Mapping[str, Any]) -> CookieRule:
    """Build one cookie rule, refusing combinations browsers reject."""
    rule = CookieRule(
        http_only=bool(raw["http_only"]),
        secure=bool(raw["secure"]),
        same_site=raw["same_site"],
        path=raw["path"],
        partitioned=bool(raw["partitioned"]),
        host_only=bool(raw["host_only"]),
    )
    if rule.same_site not in SAME_SITE_VALUES:
        raise PolicyError(f"cookie rule {name!r}: SameSite must be one of {SAME_SITE_VALUES}")
    if (rule.same_site == "None" or rule.partitioned) and not rule.secure:
        raise PolicyError(f"cookie rule {name!r}: SameSite=None and Partitioned need Secure")
    if not rule.path.startswith("/") or ";" in rule.path:
        raise PolicyError(f"cookie rule {name!r}: path must start with / and contain no ;")
    return rule


def strip_http_whitespace(value: str) -> str:
    """Trim HTTP whitespace from both ends, as Fetch does for header values."""
    return value.strip(HTTP_WHITESPACE)


def is_origin_allowed(policy: EdgePolicy, origin: str | None) -> bool:
    """Tell whether an Origin header value may receive CORS headers."""
    if not origin:
        return False
    if origin in policy.allowed_origins:
        return True
    parent = policy.tenant_parent_domain
    if parent is None:
        return False
    prefix, suffix = "https://", "." + parent
    if not (origin.startswith(prefix) and origin.endswith(suffix)):
        return False
    label = origin[len(prefix) : len(origin) - len(suffix)]
    # Exactly one label: the pattern forbids dots, but say so explicitly so a looser pattern cannot widen it.
    return "." not in label and policy.tenant_label_pattern.fullmatch(label) is not None


def resolve_request_id(policy: EdgePolicy, value: str | None) -> tuple[str, bool]:
    """Return the request id to use and whether the client's value was kept."""
    if value is not None:
        candidate = strip_http_whitespace(value)
        if policy.request_id_pattern.fullmatch(candidate):
            return candidate, True
    return str(uuid.uuid4()), False


def is_preflight(method: str, origin: str | None, requested_method: str | None) -> bool:
    """Tell whether a request is a CORS preflight the edge must answer itself."""
    return method.upper() == "OPTIONS" and origin is not None and requested_method is not None


def evaluate_preflight(
    policy: EdgePolicy, origin: str | None, requested_method: str, requested_headers: str | None
) -> str | None:
    """Return the problem key that denies a preflight, or None when it is allowed."""
    if not is_origin_allowed(policy, origin):
        return "preflight_origin_denied"
    if strip_http_whitespace(requested_method) not in policy.allowed_methods:
        return "preflight_method_denied"
    allowed = {name.lower() for name in policy.allowed_headers}
    for name in split_header_list(requested_headers or ""):
        if name.lower() not in allowed:
            return "preflight_header_denied"
    return None


def split_header_list(value: str) -> list[str]:
    """Split a comma-separated header value into its non-empty, trimmed items."""
    return [item.strip(" \t") for item in value.split(",") if item.strip(" \t")]


def cors_headers(policy: EdgePolicy, origin: str | None) -> list[Header]:
    """Return the CORS headers of an actual (non-preflight) response for this origin."""
    if origin is None or not is_origin_allowed(policy, origin):
        return []
    headers: list[Header] = [("Access-Control-Allow-Origin", origin)]
    if policy.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    headers.append(("Access-Control-Expose-Headers", ", ".join(policy.exposed_headers)))
    return headers


def preflight_headers(policy: EdgePolicy, origin: str) -> list[Header]:
    """Return the CORS headers of an allowed preflight answer."""
    headers: list[Header] = [("Access-Control-Allow-Origin", origin)]
    if policy.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    headers += [
        ("Access-Control-Allow-Methods", ", ".join(policy.allowed_methods)),
        ("Access-Control-Allow-Headers", ", ".join(policy.allowed_headers)),
        ("Access-Control-Max-Age", str(policy.max_age_seconds)),
    ]
    return headers


def merge_vary(values: Iterable[str]) -> str:
    """Merge Vary header values into one, de-duplicated, with Origin appended."""
    tokens: list[str] = []
    seen: set[str] = set()
    for value in values:
        for token in split_header_list(value):
            if token.lower() not in seen:
                seen.add(token.lower())
                tokens.append(token)
    if "*" in seen:
        return "*"
    if "origin" not in seen:
        tokens.append("Origin")
    return ", ".join(tokens)


def rewrite_set_cookie(policy: EdgePolicy, line: str) -> str | None:
    """Rewrite one Set-Cookie line by the policy, or return None to drop a nameless cookie."""
    parts = line.split(";")
    name, separator, value = parts[0].partition("=")
    name, value = name.strip(" \t"), value.strip(" \t")
    if not separator or not name:
        return None
    kept: dict[str, str] = {}
    for attribute in parts[1:]:
        key, _, attribute_value = attribute.partition("=")
        canonical = {"expires": "Expires", "max-age": "Max-Age"}.get(key.strip(" \t").lower())
        if canonical and attribute_value.strip(" \t"):
            kept[canonical] = attribute_value.strip(" \t")  # the last occurrence wins, as in browsers
    rule = policy.cookie_rules.get(name, policy.default_cookie_rule)
    secure = rule.secure and policy.cookie_secure
    same_site = rule.same_site
    if same_site == "None" and not secure:
        same_site = policy.same_site_none_without_secure
    pieces = [f"{name}={value}"]
    pieces += [f"{key}={kept[key]}" for key in ("Expires", "Max-Age") if key in kept]
    if policy.cookie_domain and not rule.host_only:
        pieces.append(f"Domain={policy.cookie_domain}")
    pieces.append(f"Path={rule.path}")
    if secure:
        pieces.append("Secure")
    if rule.http_only:
        pieces.append("HttpOnly")
    pieces.append(f"SameSite={same_site}")
    if rule.partitioned and secure:
        pieces.append("Partitioned")
    return "; ".join(pieces)


def harden_response_headers(
    policy: EdgePolicy, headers: Sequence[Header], *, origin: str | None, request_id: str
) -> list[Header]:
    """Return the response headers with cookies, CORS, request id and security headers applied."""
    dropped = set(policy.removed_headers) | policy.hop_by_hop_headers | EDGE_OWNED_RESPONSE_HEADERS
    dropped.add(policy.request_id_header.lower())
    for name, value in headers:
        if name.lower() == "connection":
            dropped |= {token.lower() for token in split_header_list(value)}
    dropped |= {name.lower() for name, _ in policy.always_headers}
    kept: list[Header] = []
    cookies: list[Header] = []
    vary_values: list[str] = []
    for name, value in headers:
        lower = name.lower()
        if lower == "set-cookie":
            rewritten = rewrite_set_cookie(policy, value)
            if rewritten is not None:
                cookies.append(("Set-Cookie", rewritten))
        elif lower == "vary":
            vary_values.append(value)
        elif lower not in dropped and not lower.startswith("access-control-"):
            kept.append((name, value))
    present = {name.lower() for name, _ in kept}
    kept += [(name, value) for name, value in policy.if_absent_headers if name.lower() not in present]
    kept += list(policy.always_headers)
    if policy.hsts:
        kept.append(("Strict-Transport-Security", policy.hsts))
    kept.append(("Vary", merge_vary(vary_values)))
    kept.append((policy.request_id_header, request_id))
    kept += cors_headers(policy, origin)
    return kept + cookies


def problem_body(policy: EdgePolicy, key: str, request_id: str) -> dict[str, Any]:
    """Return the application/problem+json document of one edge problem."""
    problem = policy.problems[key]
    return {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "request_id": request_id,
    }
