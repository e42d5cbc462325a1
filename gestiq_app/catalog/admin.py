"""Back-office screens of products, services and price lists: read-only, across tenants, for support."""

from __future__ import annotations

from gestiq_app.admin.views_base import ReadOnlyModelView, UUIDSQLAInterface
from gestiq_app.catalog.models import PriceList, Product


class ProductView(ReadOnlyModelView):
    """Products and services of every tenant."""

    datamodel = UUIDSQLAInterface(Product)
    list_title = "Productos de las empresas"
    show_title = "Producto"
    list_columns = ["tenant", "sku", "name", "kind", "unit_price", "tax_category", "is_active"]
    show_columns = ["tenant", "sku", "name", "description", "kind", "unit", "unit_price", "cost", "tax_category", "barcode",
                    "category", "is_active", "version", "created_at", "updated_at"]
    search_columns = ["tenant", "sku", "name", "barcode", "category", "kind", "tax_category", "is_active"]
    order_columns = ["sku", "name", "unit_price", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = {
        "tenant": "Empresa",
        "sku": "SKU",
        "name": "Nombre",
        "description": "Descripción",
        "kind": "Tipo",
        "unit": "Unidad",
        "unit_price": "Precio unitario",
        "cost": "Coste",
        "tax_category": "Categoría de IVA",
        "barcode": "Código de barras",
        "category": "Categoría",
        "is_active": "Activo",
        "version": "Versión",
        "created_at": "Alta",
        "updated_at": "Modificado",
    }


class PriceListView(ReadOnlyModelView):
    """Price lists of every tenant."""

    datamodel = UUIDSQLAInterface(PriceList)
    list_title = "Tarifas de las empresas"
    show_title = "Tarifa"
    list_columns = ["tenant", "code", "name", "is_active", "created_at"]
    show_columns = ["tenant", "code", "name", "is_active", "version", "created_at", "updated_at"]
    search_columns = ["tenant", "code", "name", "is_active"]
    order_columns = ["code", "name", "created_at"]
    base_order = ("created_at", "desc")
    label_columns = {"tenant": "Empresa", "code": "Código", "name": "Nombre", "is_active": "Activa", "version": "Versión",
                     "created_at": "Alta", "updated_at": "Modificada"}
