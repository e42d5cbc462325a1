"""Price list use cases: lists with a code unique per tenant, one price per product and list, price lookup.

SQLite does not enforce foreign keys here, so the services do explicitly what PostgreSQL's constraints
also guarantee: a list's items go with it, and a list that customers use is deactivated, not deleted.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from gestiq_app.audit.services import record_event
from gestiq_app.catalog.exceptions import PriceListConflictError, PriceListNotFoundError, ProductNotFoundError
from gestiq_app.catalog.models import PriceList, PriceListItem, Product
from gestiq_app.crm.models import Customer
from gestiq_app.db import contains_pattern, is_unique_violation, session, unit_of_work, utcnow
from gestiq_app.tenancy.context import tenant_context

WRITABLE = ("code", "name", "is_active")
PRICE_LIST_SORT_FIELDS = {"code": PriceList.code, "name": PriceList.name, "created_at": PriceList.created_at}
PRICE_LIST_ITEM_SORT_FIELDS = {"sku": Product.sku, "name": Product.name, "unit_price": PriceListItem.unit_price}


def _get(price_list_id: uuid.UUID) -> PriceList:
    price_list = session().get(PriceList, price_list_id)
    if price_list is None:
        raise PriceListNotFoundError("No existe esa tarifa.")
    return price_list


def _stale() -> PriceListConflictError:
    return PriceListConflictError("La tarifa ha cambiado desde que la leyó.", errors={"version": ["Vuelva a cargar la tarifa y repita el cambio."]})


def _flush(code: str) -> None:
    try:
        session().flush()
    except IntegrityError as error:
        if is_unique_violation(error, "price_lists", "tenant_id", "code"):
            raise PriceListConflictError(f"Ya existe una tarifa con el código {code}.",
                                         errors={"code": ["Ya existe una tarifa con este código."]}) from error
        raise
    except StaleDataError as error:
        raise _stale() from error


def search_price_lists(*, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the query of the tenant's price lists matching `q` (code, name) and `is_active` (unsorted)."""
    statement = select(PriceList).where(PriceList.tenant_id == tenant_id)
    if filters.get("q"):
        pattern = contains_pattern(filters["q"])
        statement = statement.where(or_(PriceList.code.ilike(pattern, escape="\\"), PriceList.name.ilike(pattern, escape="\\")))
    if filters.get("is_active") is not None:
        statement = statement.where(PriceList.is_active.is_(filters["is_active"]))
    return statement


def get_price_list(*, tenant_id: uuid.UUID, price_list_id: uuid.UUID) -> PriceList:
    """Return one price list of the tenant or raise PriceListNotFoundError."""
    with tenant_context(tenant_id):
        return _get(price_list_id)


def create_price_list(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> PriceList:
    """Create a price list (its code is unique in the tenant)."""
    with tenant_context(tenant_id), unit_of_work() as current:
        price_list = PriceList(code=data["code"], name=data["name"], is_active=data.get("is_active", True))
        current.add(price_list)
        _flush(data["code"])
        record_event(actor=actor, action="price_list.created", entity="price_list", entity_id=price_list.id,
                     changes={"code": price_list.code, "name": price_list.name})
    return price_list


def update_price_list(*, tenant_id: uuid.UUID, price_list_id: uuid.UUID, data: dict[str, Any], actor: str) -> PriceList:
    """Change a price list if `data["version"]` is still its version (409 otherwise)."""
    with tenant_context(tenant_id), unit_of_work():
        price_list = _get(price_list_id)
        if price_list.version != data["version"]:
            raise _stale()
        before = {name: getattr(price_list, name) for name in WRITABLE}
        for name in WRITABLE:
            if name in data:
                setattr(price_list, name, data[name])
        _flush(data.get("code", before["code"]))
        changes = {name: [before[name], getattr(price_list, name)] for name in WRITABLE if before[name] != getattr(price_list, name)}
        if changes:
            record_event(actor=actor, action="price_list.updated", entity="price_list", entity_id=price_list.id, changes=changes)
    return price_list


def delete_price_list(*, tenant_id: uuid.UUID, price_list_id: uuid.UUID, actor: str) -> PriceList | None:
    """Delete a price list with its prices; if customers use it, deactivate it instead and return it."""
    try:
        with tenant_context(tenant_id), unit_of_work() as current:
            price_list = _get(price_list_id)
            if not current.scalar(select(exists().where(Customer.price_list_id == price_list_id))):
                current.execute(delete(PriceListItem).where(PriceListItem.price_list_id == price_list_id))
                current.delete(price_list)
                current.flush()
                record_event(actor=actor, action="price_list.deleted", entity="price_list", entity_id=price_list_id,
                             changes={"code": price_list.code})
                return None
    except IntegrityError:
        pass  # a customer took the list meanwhile: the transaction rolled back; deactivate it below
    with tenant_context(tenant_id), unit_of_work():
        price_list = _get(price_list_id)
        if price_list.is_active:
            price_list.is_active = False
            record_event(actor=actor, action="price_list.deactivated", entity="price_list", entity_id=price_list_id,
                         changes={"is_active": [True, False]})
    return price_list


def search_price_list_items(*, tenant_id: uuid.UUID, price_list_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the query of a price list's items matching `q` (SKU, product name); 404 for an unknown list."""
    with tenant_context(tenant_id):
        _get(price_list_id)
    statement = (select(PriceListItem).join(PriceListItem.product)
                 .where(PriceListItem.tenant_id == tenant_id, PriceListItem.price_list_id == price_list_id))
    if filters.get("q"):
        pattern = contains_pattern(filters["q"])
        statement = statement.where(or_(Product.sku.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\")))
    return statement


def _item(price_list_id: uuid.UUID, product_id: uuid.UUID) -> PriceListItem | None:
    return session().scalar(select(PriceListItem).where(PriceListItem.price_list_id == price_list_id,
                                                        PriceListItem.product_id == product_id))


def set_price_list_item(*, tenant_id: uuid.UUID, price_list_id: uuid.UUID, product_id: uuid.UUID, unit_price: Decimal,
                        actor: str) -> PriceListItem:
    """Set a product's price in a price list (an upsert on the list-and-product key)."""
    with tenant_context(tenant_id), unit_of_work() as current:
        _get(price_list_id)
        if current.get(Product, product_id) is None:
            raise ProductNotFoundError("No existe ese producto.")
        dialect = postgresql if current.get_bind().dialect.name == "postgresql" else sqlite
        now = utcnow()
        statement = dialect.insert(PriceListItem).values(
            tenant_id=tenant_id, id=uuid.uuid4(), price_list_id=price_list_id, product_id=product_id, unit_price=unit_price,
            created_at=now, updated_at=now,
        ).on_conflict_do_update(index_elements=["tenant_id", "price_list_id", "product_id"],
                                set_={"unit_price": unit_price, "updated_at": now})
        current.execute(statement)
        item = _item(price_list_id, product_id)
        current.refresh(item)  # type: ignore[arg-type]
        record_event(actor=actor, action="price_list.price_set", entity="price_list", entity_id=price_list_id,
                     changes={"product_id": product_id, "unit_price": unit_price})
    return item  # type: ignore[return-value]


def remove_price_list_item(*, tenant_id: uuid.UUID, price_list_id: uuid.UUID, product_id: uuid.UUID, actor: str) -> None:
    """Remove a product from a price list (it is then sold at its catalog price)."""
    with tenant_context(tenant_id), unit_of_work() as current:
        _get(price_list_id)
        item = _item(price_list_id, product_id)
        if item is None:
            raise PriceListNotFoundError("Ese producto no está en la tarifa.")
        current.delete(item)
        record_event(actor=actor, action="price_list.price_removed", entity="price_list", entity_id=price_list_id,
                     changes={"product_id": product_id})


def get_unit_price(*, tenant_id: uuid.UUID, product_id: uuid.UUID, customer_id: uuid.UUID | None = None,
                   price_list_id: uuid.UUID | None = None) -> Decimal:
    """Return a product's price: from the given (or the customer's) active price list if it has one, else the catalog's."""
    with tenant_context(tenant_id):
        product = session().get(Product, product_id)
        if product is None:
            raise ProductNotFoundError("No existe ese producto.")
        if price_list_id is None and customer_id is not None:
            price_list_id = session().scalar(select(Customer.price_list_id).where(Customer.id == customer_id))
        if price_list_id is not None:
            special = session().scalar(
                select(PriceListItem.unit_price).join(PriceList, PriceList.id == PriceListItem.price_list_id)
                .where(PriceListItem.price_list_id == price_list_id, PriceListItem.product_id == product_id, PriceList.is_active.is_(True))
            )
            if special is not None:
                return special
        return product.unit_price
