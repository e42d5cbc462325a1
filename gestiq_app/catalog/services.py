"""Product and service use cases: one transaction each, SKU unique per tenant, tax category from the catalog.

Price lists live in `price_list_services`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from gestiq_app.audit.services import record_event
from gestiq_app.catalog.exceptions import ProductConflictError, ProductInvalidError, ProductNotFoundError
from gestiq_app.catalog.models import PriceListItem, Product
from gestiq_app.db import contains_pattern, is_unique_violation, session, unit_of_work
from gestiq_app.taxes.services import list_categories
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.models import Tenant

#: Columns a client may write, in a stable order (audit snapshots follow it).
WRITABLE = ("sku", "name", "description", "kind", "unit", "unit_price", "cost", "tax_category", "barcode", "category", "is_active")
PRODUCT_SORT_FIELDS = {"sku": Product.sku, "name": Product.name, "unit_price": Product.unit_price, "created_at": Product.created_at}
#: Products are priced with the value-added tax of the tenant's country (IVA in Spain and Ecuador).
PRODUCT_TAX_TYPE = "iva"


def _defaults() -> dict[str, Any]:
    return {"description": None, "kind": "product", "unit": "unidad", "cost": None, "tax_category": "general",
            "barcode": None, "category": None, "is_active": True}


def _check_tax_category(tenant_id: uuid.UUID, category: str) -> None:
    """Refuse a category with no IVA rate in force today or later in the tenant's country."""
    tenant = session().get(Tenant, tenant_id)
    today = datetime.now(ZoneInfo(tenant.timezone)).date()  # type: ignore[union-attr]
    known = list_categories(country=tenant.country, tax_type=PRODUCT_TAX_TYPE, in_force_from=today)  # type: ignore[union-attr]
    if category not in known:
        raise ProductInvalidError(
            f"La categoría de IVA «{category}» no existe en el catálogo de impuestos.",
            errors={"tax_category": [f"Categoría de IVA desconocida. Use una de: {', '.join(known)}."]},
        )


def _get(product_id: uuid.UUID) -> Product:
    product = session().get(Product, product_id)
    if product is None:
        raise ProductNotFoundError("No existe ese producto.")
    return product


def _stale() -> ProductConflictError:
    return ProductConflictError("El producto ha cambiado desde que lo leyó.",
                                errors={"version": ["Vuelva a cargar el producto y repita el cambio."]})


def _flush(product: Product) -> None:
    sku = product.sku  # a failed flush expires the row's attributes: read it first
    try:
        session().flush()
    except IntegrityError as error:
        if is_unique_violation(error, "products", "tenant_id", "sku"):
            raise ProductConflictError(f"Ya existe un producto con el SKU {sku}.",
                                       errors={"sku": ["Ya existe un producto con este SKU."]}) from error
        raise
    except StaleDataError as error:
        raise _stale() from error


def _snapshot(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in WRITABLE}


def search_products(*, tenant_id: uuid.UUID, filters: dict[str, Any]) -> Select:
    """Return the query of the tenant's products matching `q` (SKU, name, barcode), `is_active`, `category`, `kind`."""
    statement = select(Product).where(Product.tenant_id == tenant_id)
    if filters.get("q"):
        pattern = contains_pattern(filters["q"])
        statement = statement.where(or_(Product.sku.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\"),
                                        Product.barcode.ilike(pattern, escape="\\")))
    if filters.get("is_active") is not None:
        statement = statement.where(Product.is_active.is_(filters["is_active"]))
    if filters.get("category"):
        statement = statement.where(Product.category == filters["category"])
    if filters.get("kind"):
        statement = statement.where(Product.kind == filters["kind"])
    return statement


def get_product(*, tenant_id: uuid.UUID, product_id: uuid.UUID) -> Product:
    """Return one product of the tenant or raise ProductNotFoundError."""
    with tenant_context(tenant_id):
        return _get(product_id)


def create_product(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Product:
    """Create a product or service; the SKU is unique in the tenant, the tax category must be in the catalog."""
    values = {**_defaults(), **data}
    with tenant_context(tenant_id), unit_of_work() as current:
        _check_tax_category(tenant_id, values["tax_category"])
        product = Product(**{name: values[name] for name in WRITABLE})
        current.add(product)
        _flush(product)
        record_event(actor=actor, action="product.created", entity="product", entity_id=product.id,
                     changes={"sku": product.sku, "name": product.name, "unit_price": product.unit_price})
    return product


def update_product(*, tenant_id: uuid.UUID, product_id: uuid.UUID, data: dict[str, Any], actor: str) -> Product:
    """Change a product if `data["version"]` is still its version (409 otherwise)."""
    values = dict(data)
    expected_version = values.pop("version")
    with tenant_context(tenant_id), unit_of_work():
        product = _get(product_id)
        if product.version != expected_version:
            raise _stale()
        if "tax_category" in values and values["tax_category"] != product.tax_category:
            _check_tax_category(tenant_id, values["tax_category"])
        before = _snapshot(product)
        for name in WRITABLE:
            if name in values:
                setattr(product, name, values[name])
        _flush(product)
        after = _snapshot(product)
        changes = {name: [before[name], after[name]] for name in WRITABLE if before[name] != after[name]}
        if changes:
            record_event(actor=actor, action="product.updated", entity="product", entity_id=product.id, changes=changes)
    return product


def delete_product(*, tenant_id: uuid.UUID, product_id: uuid.UUID, actor: str) -> Product | None:
    """Delete a product; if documents refer to it (foreign key), deactivate it instead and return it."""
    try:
        with tenant_context(tenant_id), unit_of_work() as current:
            product = _get(product_id)
            snapshot = {"sku": product.sku, "name": product.name}
            # Its special prices go with it (PostgreSQL cascades too; SQLite does not enforce foreign keys).
            current.execute(delete(PriceListItem).where(PriceListItem.product_id == product_id))
            current.delete(product)
            try:
                current.flush()
            except StaleDataError as error:
                raise _stale() from error
            record_event(actor=actor, action="product.deleted", entity="product", entity_id=product_id, changes=snapshot)
        return None
    except IntegrityError:
        pass  # referenced: the first transaction rolled back entirely; keep the row, switch it off
    with tenant_context(tenant_id), unit_of_work():
        product = _get(product_id)
        if product.is_active:
            product.is_active = False
            record_event(actor=actor, action="product.deactivated", entity="product", entity_id=product_id,
                         changes={"is_active": [True, False]})
    return product
