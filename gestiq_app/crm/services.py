"""Customer and supplier use cases: one transaction each, fiscal rules checked, changes audited.

Customers and suppliers share every rule, so each public use case is a thin wrapper over a private one
that takes the party kind. The Ecuadorian final consumer (9999999999999) is an ordinary customer whose
tax id is unique per tenant like any other: a tenant keeps ONE generic «Consumidor final» customer and
uses it for every anonymous sale, instead of creating one per sale.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.exc import StaleDataError

from gestiq_app.audit.services import record_event
from gestiq_app.catalog.models import PriceList
from gestiq_app.crm import exceptions as errors
from gestiq_app.crm.models import Customer, Supplier
from gestiq_app.crm.rules import check_party
from gestiq_app.db import contains_pattern, is_unique_violation, session, unit_of_work
from gestiq_app.fiscal.taxids import normalize_tax_id
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant

Party = Customer | Supplier
#: Columns a client may write, in a stable order (audit snapshots follow it).
WRITABLE = (
    "legal_name", "trade_name", "country", "tax_id_type", "tax_id", "email", "phone", "address", "addresses", "contacts",
    "payment_terms_days", "tags", "notes", "is_active", "has_recargo_equivalencia", "is_irpf_professional",
    "is_contribuyente_especial", "is_rimpe",
)


def _defaults() -> dict[str, Any]:
    return {
        "trade_name": None, "email": None, "phone": None, "address": {}, "addresses": [], "contacts": [], "payment_terms_days": 0,
        "tags": [], "notes": None, "is_active": True, "has_recargo_equivalencia": False, "is_irpf_professional": False,
        "is_contribuyente_especial": False, "is_rimpe": False,
    }


@dataclass(frozen=True)
class PartyKind:
    """What differs between customers and suppliers: the model, names and error classes."""

    model: type[Customer] | type[Supplier]
    writable: tuple[str, ...]
    entity: str
    label: str
    plural: str
    not_found: type[errors.PartyNotFoundError]
    invalid: type[errors.PartyInvalidError]
    conflict: type[errors.PartyConflictError]


CUSTOMER = PartyKind(Customer, (*WRITABLE, "price_list_id"), "customer", "cliente", "clientes", errors.CustomerNotFoundError, errors.CustomerInvalidError,
                     errors.CustomerConflictError)
SUPPLIER = PartyKind(Supplier, WRITABLE, "supplier", "proveedor", "proveedores", errors.SupplierNotFoundError, errors.SupplierInvalidError,
                     errors.SupplierConflictError)


def _sort_fields(model: type[Customer] | type[Supplier]) -> dict[str, InstrumentedAttribute]:
    return {"legal_name": model.legal_name, "tax_id": model.tax_id, "created_at": model.created_at}


CUSTOMER_SORT_FIELDS = _sort_fields(Customer)
SUPPLIER_SORT_FIELDS = _sort_fields(Supplier)


def _has_tag(model: type[Customer] | type[Supplier], tag: str) -> Any:
    """Match rows whose JSON `tags` list holds `tag` (jsonb containment on PostgreSQL, json_each on SQLite)."""
    if session().get_bind().dialect.name == "postgresql":
        return cast(model.tags, JSONB).contains([tag])
    values = func.json_each(model.tags).table_valued("value")
    return exists(select(1).select_from(values).where(values.c.value == tag))


def _search(kind: PartyKind, *, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    model = kind.model
    statement = select(model).where(model.tenant_id == tenant_id)
    if filters.get("q"):
        pattern = contains_pattern(filters["q"])
        # Tax ids are stored normalized: "B-6541" finds B65410011 (but "-" alone must not match every row).
        tax_id = normalize_tax_id(filters["q"]) or filters["q"]
        statement = statement.where(or_(
            model.legal_name.ilike(pattern, escape="\\"),
            model.trade_name.ilike(pattern, escape="\\"),
            model.email.ilike(pattern, escape="\\"),
            model.tax_id.like(contains_pattern(tax_id), escape="\\"),
        ))
    if filters.get("is_active") is not None:
        statement = statement.where(model.is_active.is_(filters["is_active"]))
    if filters.get("country"):
        statement = statement.where(model.country == filters["country"])
    if filters.get("tag"):
        statement = statement.where(_has_tag(model, filters["tag"]))
    return statement


def _get(kind: PartyKind, party_id: uuid.UUID) -> Party:
    party = session().get(kind.model, party_id)
    if party is None:
        raise kind.not_found(f"No existe ese {kind.label}.")
    return party


def _assign(kind: PartyKind, party: Party, values: dict[str, Any]) -> None:
    for name in kind.writable:
        if name not in values:
            continue
        value = values[name]
        if name == "address":
            value = value or {}
        elif name == "tags":
            value = list(dict.fromkeys(value))
        setattr(party, name, value)


def _snapshot(kind: PartyKind, party: Party) -> dict[str, Any]:
    return {name: getattr(party, name) for name in kind.writable}


def _check_price_list(kind: PartyKind, values: dict[str, Any]) -> None:
    """Refuse a default price list that does not exist in the tenant or is switched off."""
    if values.get("price_list_id") is None:
        return
    price_list = session().get(PriceList, values["price_list_id"])
    if price_list is None or not price_list.is_active:
        message = "No existe esa tarifa." if price_list is None else "La tarifa está desactivada."
        raise kind.invalid(f"Los datos del {kind.label} no son válidos.", errors={"price_list_id": [message]})


def _flush(kind: PartyKind, party: Party) -> None:
    """Flush, turning the unique tax id and the version counter into 409s."""
    tax_id = party.tax_id  # a failed flush expires the row's attributes: read it first
    try:
        session().flush()
    except IntegrityError as error:
        if is_unique_violation(error, kind.model.__tablename__, "tenant_id", "tax_id"):
            raise kind.conflict(f"Ya existe un {kind.label} con el identificador fiscal {tax_id}.",
                                errors={"tax_id": [f"Ya existe un {kind.label} con este identificador fiscal."]}) from error
        raise
    except StaleDataError as error:
        raise _stale(kind) from error


def _stale(kind: PartyKind) -> errors.PartyConflictError:
    return kind.conflict(f"El {kind.label} ha cambiado desde que lo leyó.",
                         errors={"version": [f"Vuelva a cargar el {kind.label} y repita el cambio."]})


def _create(kind: PartyKind, *, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Party:
    with tenant_context(tenant_id), unit_of_work() as current:
        values = {**_defaults(), **data}
        values["country"] = values.get("country") or current.get(Tenant, tenant_id).country  # type: ignore[union-attr]
        _check_price_list(kind, values)
        party = kind.model()
        _assign(kind, party, values)
        check_party(party, kind=kind, detect_type=not data.get("tax_id_type"))
        current.add(party)
        _flush(kind, party)
        record_event(actor=actor, action=f"{kind.entity}.created", entity=kind.entity, entity_id=party.id,
                     changes={"legal_name": party.legal_name, "tax_id": party.tax_id, "country": party.country})
    return party


def _update(kind: PartyKind, *, tenant_id: uuid.UUID, party_id: uuid.UUID, data: dict[str, Any], actor: str) -> Party:
    values = dict(data)
    expected_version = values.pop("version")
    with tenant_context(tenant_id), unit_of_work():
        party = _get(kind, party_id)
        if party.version != expected_version:
            raise _stale(kind)
        _check_price_list(kind, values)
        before = _snapshot(kind, party)
        _assign(kind, party, values)
        retyped = not values.get("tax_id_type") and ("tax_id" in values or "country" in values)
        check_party(party, kind=kind, detect_type=retyped)
        _flush(kind, party)
        after = _snapshot(kind, party)
        changes = {name: [before[name], after[name]] for name in kind.writable if before[name] != after[name]}
        if changes:
            record_event(actor=actor, action=f"{kind.entity}.updated", entity=kind.entity, entity_id=party.id, changes=changes)
    return party


def _delete(kind: PartyKind, *, tenant_id: uuid.UUID, party_id: uuid.UUID, actor: str) -> Party | None:
    """Delete the row; if documents refer to it (foreign key), deactivate it instead and return it."""
    try:
        with tenant_context(tenant_id), unit_of_work() as current:
            party = _get(kind, party_id)
            snapshot = {"legal_name": party.legal_name, "tax_id": party.tax_id}
            current.delete(party)
            try:
                current.flush()
            except StaleDataError as error:
                raise _stale(kind) from error
            record_event(actor=actor, action=f"{kind.entity}.deleted", entity=kind.entity, entity_id=party_id, changes=snapshot)
        return None
    except IntegrityError:
        pass  # referenced: the first transaction rolled back entirely; keep the row, switch it off
    with tenant_context(tenant_id), unit_of_work():
        party = _get(kind, party_id)
        if party.is_active:
            party.is_active = False
            record_event(actor=actor, action=f"{kind.entity}.deactivated", entity=kind.entity, entity_id=party_id,
                         changes={"is_active": [True, False]})
    return party


def search_customers(*, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the query of the tenant's customers matching `q`, `is_active`, `tag` and `country` (unsorted)."""
    return _search(CUSTOMER, tenant_id=tenant_id, filters=filters)


def get_customer(*, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> Customer:
    """Return one customer of the tenant or raise CustomerNotFoundError."""
    with tenant_context(tenant_id):
        return _get(CUSTOMER, customer_id)  # type: ignore[return-value]


def create_customer(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Customer:
    """Create a customer; the tax id is validated for its country and unique in the tenant."""
    return _create(CUSTOMER, tenant_id=tenant_id, data=data, actor=actor)  # type: ignore[return-value]


def update_customer(*, tenant_id: uuid.UUID, customer_id: uuid.UUID, data: dict[str, Any], actor: str) -> Customer:
    """Change a customer if `data["version"]` is still its version (409 otherwise)."""
    return _update(CUSTOMER, tenant_id=tenant_id, party_id=customer_id, data=data, actor=actor)  # type: ignore[return-value]


def delete_customer(*, tenant_id: uuid.UUID, customer_id: uuid.UUID, actor: str) -> Customer | None:
    """Delete a customer, or deactivate it (and return it) when documents refer to it."""
    return _delete(CUSTOMER, tenant_id=tenant_id, party_id=customer_id, actor=actor)  # type: ignore[return-value]


def search_suppliers(*, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the query of the tenant's suppliers matching `q`, `is_active`, `tag` and `country` (unsorted)."""
    return _search(SUPPLIER, tenant_id=tenant_id, filters=filters)


def get_supplier(*, tenant_id: uuid.UUID, supplier_id: uuid.UUID) -> Supplier:
    """Return one supplier of the tenant or raise SupplierNotFoundError."""
    with tenant_context(tenant_id):
        return _get(SUPPLIER, supplier_id)  # type: ignore[return-value]


def create_supplier(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Supplier:
    """Create a supplier; the tax id is validated for its country and unique in the tenant."""
    return _create(SUPPLIER, tenant_id=tenant_id, data=data, actor=actor)  # type: ignore[return-value]


def update_supplier(*, tenant_id: uuid.UUID, supplier_id: uuid.UUID, data: dict[str, Any], actor: str) -> Supplier:
    """Change a supplier if `data["version"]` is still its version (409 otherwise)."""
    return _update(SUPPLIER, tenant_id=tenant_id, party_id=supplier_id, data=data, actor=actor)  # type: ignore[return-value]


def delete_supplier(*, tenant_id: uuid.UUID, supplier_id: uuid.UUID, actor: str) -> Supplier | None:
    """Delete a supplier, or deactivate it (and return it) when documents refer to it."""
    return _delete(SUPPLIER, tenant_id=tenant_id, party_id=supplier_id, actor=actor)  # type: ignore[return-value]
