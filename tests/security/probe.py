"""The cross-tenant probe: call every /api/v1 route as tenant A with tenant B's ids and report what leaks.

Everything is discovered, nothing is listed by hand: routes come from `app.url_map`, request bodies from
the OpenAPI document (schemathesis' positive examples), tenant tables from the models. A new route or
table is probed as soon as its branch is merged.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, create_engine, select, text

UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
PROBE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Query-string keys that carry another object's id in list filters and lookups.
ID_QUERY_KEYS = ("id", "ids", "tenant_id", "user_id", "customer_id", "supplier_id", "product_id", "invoice_id",
                 "order_id", "payment_id", "document_id", "import_id", "webhook_id")
MIN_DISTINCTIVE_LENGTH = 9
#: Lower-case vocabulary (roles, permissions, audit actions, purposes) is shared by every tenant.
VOCABULARY = re.compile(r"^[a-z][a-z_.:-]*$")


@dataclass
class TenantMarkers:
    """What must never reach another tenant: row ids and distinctive values of one tenant."""

    tenant_id: uuid.UUID
    ids_by_table: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    values: set[str] = field(default_factory=set)

    @property
    def ids(self) -> list[uuid.UUID]:
        """Return every row id (the tenant's own id first)."""
        return [self.tenant_id, *itertools.chain.from_iterable(self.ids_by_table.values())]

    def found_in(self, body: str, *, include_ids: bool) -> list[str]:
        """Return the markers present in a response body."""
        lowered = body.lower()
        hits = [value for value in self.values if value.lower() in lowered]
        if include_ids:
            hits += [str(row_id) for row_id in self.ids if str(row_id) in lowered or row_id.hex in lowered]
        return sorted(set(hits))


# --- database snapshots -------------------------------------------------------------------------------


def _tenant_tables() -> list[Table]:
    from gestiq_app.tenancy.rls import tenant_tables

    return tenant_tables()


def snapshot_tenant(owner_url: str, tenant_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """Read every row of the tenant (its `tenants` row and all tenant tables) as the owner role, in platform scope."""
    from gestiq_app.tenancy.models import Tenant

    engine = create_engine(owner_url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.platform_scope', 'on', true)"))
            tenants = Tenant.__table__
            rows = {"tenants": [tuple(row) for row in connection.execute(select(tenants).where(tenants.c.id == tenant_id))]}
            for table in _tenant_tables():
                statement = select(table).where(table.c.tenant_id == tenant_id).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in connection.execute(statement)]
    finally:
        engine.dispose()
    return rows


def _is_distinctive(value: str) -> bool:
    if len(value) < MIN_DISTINCTIVE_LENGTH or value[:1] in "{[" or value.strip() != value or VOCABULARY.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
        return False
    except ValueError:
        return True


def strings_in(value: Any) -> set[str]:
    """Return every string inside a JSON-like value (keys and values)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(key) | strings_in(inner) for key, inner in value.items())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(strings_in(item) for item in value)) if value else set()
    return set()


def markers_of(owner_url: str, tenant_id: uuid.UUID, *, other_tenant_id: uuid.UUID, not_distinctive: set[str] = frozenset()) -> TenantMarkers:  # type: ignore[assignment]
    """Collect a tenant's row ids and the string values no other tenant has (compared with `other_tenant_id`).

    `not_distinctive`: values known to reach the other tenant legitimately (e.g. generated request bodies it sends too).
    """
    from gestiq_app.tenancy.models import Tenant

    engine = create_engine(owner_url)
    markers = TenantMarkers(tenant_id=tenant_id)
    other_values: set[str] = set()
    own_values: set[str] = set()
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('app.platform_scope', 'on', true)"))
            tenants = Tenant.__table__
            for row in connection.execute(select(tenants.c.slug, tenants.c.legal_name, tenants.c.tax_id).where(tenants.c.id == tenant_id)):
                own_values.update(row)
            for table in _tenant_tables():
                for owner, sink in ((tenant_id, own_values), (other_tenant_id, other_values)):
                    for row in connection.execute(select(table).where(table.c.tenant_id == owner)).mappings():
                        sink.update(value for value in row.values() if isinstance(value, str))
                        if owner == tenant_id and isinstance(row.get("id"), uuid.UUID):
                            markers.ids_by_table.setdefault(table.name, []).append(row["id"])
    finally:
        engine.dispose()
    markers.values = {value for value in own_values - other_values - set(not_distinctive) if _is_distinctive(value)}
    return markers


def fill_every_tenant_table(tenant_id: uuid.UUID, *, start_index: int) -> None:
    """Insert a factory row (tests/factories.py) in every tenant table that has none for this tenant (app context needed)."""
    from sqlalchemy import func

    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context
    from tests.factories import populate_row, tenant_scoped_classes

    for index, cls in enumerate(tenant_scoped_classes()):
        with tenant_context(tenant_id):
            count = db.session.scalar(select(func.count()).select_from(cls))
        db.session.rollback()
        if not count:
            populate_row(cls, tenant_id, start_index + index)


# --- requests -----------------------------------------------------------------------------------------


def api_rules(app: Any) -> list[Any]:
    """Return every /api/v1 URL rule, sorted."""
    return sorted((rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")), key=lambda rule: rule.rule)


def openapi_path(rule: Any) -> str:
    """Turn a Flask rule into its OpenAPI path (`/x/<uuid:item_id>` -> `/x/{item_id}`)."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)


def _named_ids(key: str, markers: TenantMarkers) -> list[uuid.UUID]:
    """Return the ids of the tables a key names (customer_id -> customers; token_id -> every *token* table), or []."""
    if key == "tenant_id":
        return [markers.tenant_id]
    stem = key.removesuffix("_ids").removesuffix("_id").removesuffix("s")
    if key == "id" or len(stem) < 3:
        return []
    return [row_id for table, ids in markers.ids_by_table.items() if stem in table for row_id in ids]


def _table_candidates(key: str, markers: TenantMarkers) -> list[uuid.UUID]:
    """Pick the ids a key most likely refers to (customer_id -> the customers table), else every id."""
    return _named_ids(key, markers) or markers.ids


def _with_foreign_ids(value: Any, markers: TenantMarkers, index: int) -> Any:
    """Replace every id-like value (keys id, *_id, *_ids) in a JSON body by one of the other tenant's ids."""
    if isinstance(value, dict):
        replaced = {}
        for key, inner in value.items():
            if key == "id" or key.endswith("_id"):
                candidates = _table_candidates(key, markers)
                replaced[key] = str(candidates[index % len(candidates)])
            elif key.endswith("_ids") and isinstance(inner, list):
                replaced[key] = [str(row_id) for row_id in _table_candidates(key, markers)[:5]]
            else:
                replaced[key] = _with_foreign_ids(inner, markers, index)
        return replaced
    if isinstance(value, list):
        return [_with_foreign_ids(item, markers, index) for item in value]
    return value


def _path_variants(rule: Any, markers: TenantMarkers) -> list[dict[str, Any]]:
    """Return values for the rule's path parameters: each id of the table the name points at, plus a few others.

    `customer_id` gets every id of tenant B's customers, then the tenant id and one id of two other tables (a
    lookup in the wrong table must not leak either); a name matching no table gets one id of every table.
    """
    if not rule.arguments:
        return [{}]
    per_name = {}
    for name in sorted(rule.arguments):
        named = _named_ids(name, markers)
        if not named:
            others = [ids[0] for ids in markers.ids_by_table.values()]
            per_name[name] = [markers.tenant_id, *others]
        else:
            others = [ids[0] for ids in markers.ids_by_table.values() if ids[0] not in named][:2]
            per_name[name] = [*named, markers.tenant_id, *others]
    variants = []
    for index in range(max(len(candidates) for candidates in per_name.values())):
        values = {}
        for name, candidates in per_name.items():
            converter = type(rule._converters[name]).__name__  # noqa: SLF001 - werkzeug keeps converters here
            row_id = candidates[index % len(candidates)]
            values[name] = 1 if converter == "IntegerConverter" else (row_id if converter == "UUIDConverter" else str(row_id))
        variants.append(values)
    return variants


def example_bodies(schema: Any, method: str, path: str, count: int) -> list[Any]:
    """Return up to `count` deterministic valid bodies for an operation from the OpenAPI document ([None] if none)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    operation = schema.find_operation_by_path(method.lower(), path)
    if operation is None or "requestBody" not in operation.definition.raw:
        return [None]
    bodies: list[Any] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def collect(case: Any) -> None:
        if len(bodies) < count and isinstance(case.body, (dict, list)):
            bodies.append(case.body)

    collect()
    return bodies or [None]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, (uuid.UUID, datetime, date)):
        return str(value)
    return value


@dataclass
class ProbeReport:
    """What the probe did and found."""

    calls: int = 0
    findings: list[str] = field(default_factory=list)


def probe_routes(app: Any, *, schema: Any, send: Any, markers: TenantMarkers, bodies_per_operation: int = 2) -> ProbeReport:
    """Call every /api/v1 route and method with the other tenant's ids in the path, body and query string.

    `send(method, url, json=..., query=...)` performs one call as the probing tenant and returns a Flask test
    response. A finding is a 2xx answer carrying one of the other tenant's ids or values, or any answer
    carrying one of its distinctive values.
    """
    report = ProbeReport()
    for rule in api_rules(app):
        path = openapi_path(rule)
        for method in PROBE_METHODS:
            if method not in rule.methods:
                continue
            bodies = example_bodies(schema, method, path, bodies_per_operation) if method != "GET" else [None]
            for index, (path_values, body) in enumerate(itertools.product(_path_variants(rule, markers), bodies)):
                url = rule.build(path_values, append_unknown=False)[1] if rule.arguments else rule.rule
                query = {key: str(candidates[index % len(candidates)])
                         for key in ID_QUERY_KEYS for candidates in [_table_candidates(key, markers)]}
                for body_variant in _body_variants(body, markers, index, with_mass_assignment=index < len(bodies)):
                    report.calls += 1
                    try:
                        response = send(method, url, json=body_variant, query=query)
                    except Exception as error:  # noqa: BLE001 - an exception escaping the app is a finding, not a crash of the probe
                        report.findings.append(f"{method} {url} body={body_variant!r:.300} raised {type(error).__name__}: {error}")
                        continue
                    _check_response(report, method, url, body_variant, response, markers)
    return report


def _body_variants(body: Any, markers: TenantMarkers, index: int, *, with_mass_assignment: bool) -> list[Any]:
    if body is None:
        return [None]
    foreign = _jsonable(_with_foreign_ids(body, markers, index))
    variants = [foreign]
    if with_mass_assignment and isinstance(foreign, dict):
        # Mass assignment: fields the input schema does not have must be refused, never applied.
        variants.append({**foreign, "id": str(markers.ids[index % len(markers.ids)]), "tenant_id": str(markers.tenant_id)})
    return variants


def _check_response(report: ProbeReport, method: str, url: str, body: Any, response: Any, markers: TenantMarkers) -> None:
    text_body = response.get_data(as_text=True)
    location = response.headers.get("Location", "")
    is_success = 200 <= response.status_code < 300
    hits = markers.found_in(text_body + " " + location, include_ids=is_success)
    if hits:
        report.findings.append(
            f"{method} {url} body={body!r:.300} -> {response.status_code}: carries tenant B's {hits[:5]} in {text_body[:300]!r}"
        )
