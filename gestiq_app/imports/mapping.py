"""Target fields of each import kind, header synonyms (Spanish and English) and the automatic header mapping."""

from __future__ import annotations

import re
import unicodedata

#: Field -> value type: text, decimal, integer, boolean, tax_rate (a percentage turned into a tax category).
PARTY_FIELDS: dict[str, str] = {
    "legal_name": "text", "trade_name": "text", "tax_id": "text", "tax_id_type": "text", "country": "upper",
    "email": "text", "phone": "text", "address.street": "text", "address.city": "text", "address.postal_code": "text",
    "address.province": "text", "address.country": "upper", "payment_terms_days": "integer", "notes": "text",
    "is_active": "boolean", "tags": "list",
}
CUSTOMER_FIELDS = dict(PARTY_FIELDS)
SUPPLIER_FIELDS = dict(PARTY_FIELDS)
PRODUCT_FIELDS: dict[str, str] = {
    "sku": "text", "name": "text", "description": "text", "kind": "lower", "unit": "text", "unit_price": "decimal",
    "cost": "decimal", "tax_category": "lower", "tax_rate": "tax_rate", "barcode": "text", "category": "text",
    "is_active": "boolean",
}
#: Fields of a documents batch item (read from the document, fixed by hand through PATCH item; no column mapping).
DOCUMENT_FIELDS: dict[str, str] = {"document_type": "text", "supplier_tax_id": "text", "number": "text", "issue_date": "text",
                                   "base": "text", "tax": "text", "total": "text"}
#: One account's opening balance: debit and credit, or one signed balance (positive = debit); party_tax_id: the
#: customer's or supplier's NIF/RUC for the line's party sub-ledger (optional).
OPENING_BALANCE_FIELDS: dict[str, str] = {"account_code": "text", "account_name": "text", "debit": "decimal", "credit": "decimal",
                                          "balance": "decimal", "party_tax_id": "upper"}
#: Fields of an invoices / supplier_invoices row: one invoice LINE; rows sharing the number form one invoice.
INVOICE_FIELDS: dict[str, str] = {
    "number": "text", "issue_date": "text", "due_date": "text", "customer_tax_id": "text", "sku": "text", "description": "text",
    "quantity": "decimal", "unit_price": "decimal", "discount_percent": "decimal", "tax_category": "lower", "tax_rate": "tax_rate",
    "amount_paid": "decimal",
}
SUPPLIER_INVOICE_FIELDS: dict[str, str] = {("supplier_tax_id" if name == "customer_tax_id" else name): kind
                                           for name, kind in INVOICE_FIELDS.items()}
FIELDS_BY_KIND: dict[str, dict[str, str]] = {"customers": CUSTOMER_FIELDS, "suppliers": SUPPLIER_FIELDS, "products": PRODUCT_FIELDS,
                                             "documents": DOCUMENT_FIELDS, "opening_balances": OPENING_BALANCE_FIELDS,
                                             "invoices": INVOICE_FIELDS, "supplier_invoices": SUPPLIER_INVOICE_FIELDS}

_PARTY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "legal_name": ("razon social", "nombre fiscal", "nombre", "name", "legal name", "company", "empresa", "cliente",
                   "proveedor", "denominacion", "customer", "supplier", "company name", "titular"),
    "trade_name": ("nombre comercial", "trade name", "alias", "marca"),
    "tax_id": ("nif", "cif", "nie", "ruc", "dni", "cedula", "nif cif", "cif nif", "nif/cif", "tax id", "vat", "vat number",
               "identificacion", "identificacion fiscal", "numero identificacion", "id fiscal", "documento"),
    "tax_id_type": ("tipo identificacion", "tipo documento", "tax id type", "tipo nif"),
    "country": ("pais", "country", "codigo pais"),
    "email": ("email", "e mail", "correo", "correo electronico", "mail"),
    "phone": ("telefono", "tel", "tlf", "tfno", "phone", "movil", "telephone", "celular"),
    "address.street": ("direccion", "domicilio", "address", "calle", "street"),
    "address.city": ("ciudad", "poblacion", "localidad", "municipio", "city", "town"),
    "address.postal_code": ("cp", "c p", "codigo postal", "postal code", "zip", "zip code"),
    "address.province": ("provincia", "province", "state", "region"),
    "payment_terms_days": ("dias de pago", "plazo de pago", "plazo pago", "payment terms", "dias pago", "vencimiento dias"),
    "notes": ("notas", "observaciones", "comentarios", "notes", "comments"),
    "is_active": ("activo", "active", "is active", "estado"),
    "tags": ("etiquetas", "tags", "grupo"),
}
_PRODUCT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "codigo", "cod", "referencia", "ref", "code", "item code", "codigo articulo", "codigo producto", "reference"),
    "name": ("nombre", "name", "producto", "articulo", "descripcion corta", "product", "item", "titulo", "denominacion"),
    "description": ("descripcion", "description", "descripcion larga", "detalle"),
    "kind": ("tipo", "kind", "type", "producto servicio"),
    "unit": ("unidad", "unit", "ud", "uds", "unidad de medida", "um"),
    "unit_price": ("pvp", "p v p", "precio", "price", "precio venta", "precio de venta", "unit price", "precio unitario",
                   "importe", "tarifa", "sale price"),
    "cost": ("coste", "costo", "cost", "precio compra", "precio de compra", "purchase price"),
    "tax_category": ("categoria iva", "tipo de iva", "tax category", "categoria impuesto"),
    "tax_rate": ("iva", "iva %", "% iva", "tipo iva", "vat %", "vat rate", "tax rate", "impuesto"),
    "barcode": ("ean", "ean13", "codigo de barras", "barcode", "upc", "gtin"),
    "category": ("categoria", "familia", "category", "grupo", "seccion"),
    "is_active": ("activo", "active", "is active", "estado"),
}
_OPENING_BALANCE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_code": ("cuenta", "codigo cuenta", "cod cuenta", "codigo de cuenta", "subcuenta", "n cuenta", "numero de cuenta",
                     "numero cuenta", "account", "account code", "codigo"),
    "account_name": ("nombre", "descripcion", "nombre cuenta", "nombre de la cuenta", "descripcion cuenta", "titulo",
                     "account name", "description", "name"),
    "debit": ("debe", "debit", "cargo", "saldo deudor", "importe debe"),
    "credit": ("haber", "credit", "abono", "saldo acreedor", "importe haber"),
    "balance": ("saldo", "balance", "saldo inicial", "opening balance", "importe"),
    "party_tax_id": ("nif", "cif", "ruc", "nif cif", "cif nif", "nif/cif", "tax id", "vat number", "identificacion fiscal"),
}
_LINE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": ("numero", "n factura", "no factura", "num factura", "numero factura", "numero de factura", "n de factura", "factura",
               "invoice", "invoice number", "invoice no", "n", "no", "num", "serie numero", "documento"),
    "issue_date": ("fecha", "fecha factura", "fecha de factura", "fecha emision", "fecha de emision", "fecha expedicion", "date",
                   "invoice date", "issue date"),
    "due_date": ("vencimiento", "fecha vencimiento", "fecha de vencimiento", "vto", "due date", "due"),
    "sku": ("codigo", "cod", "referencia", "ref", "sku", "code", "item code", "codigo articulo", "codigo producto", "articulo"),
    "description": ("descripcion", "concepto", "description", "detalle", "producto", "item"),
    "quantity": ("cantidad", "uds", "unidades", "ud", "cant", "qty", "quantity", "units"),
    "unit_price": ("precio", "precio unitario", "precio unidad", "pvp", "p v p", "unit price", "price", "importe unitario"),
    "discount_percent": ("descuento", "dto", "dto %", "% dto", "descuento %", "% descuento", "discount", "discount %"),
    "tax_category": ("categoria iva", "tax category", "categoria impuesto"),
    "tax_rate": ("iva", "iva %", "% iva", "tipo iva", "tipo de iva", "vat", "vat %", "vat rate", "tax rate", "impuesto"),
    "amount_paid": ("pagado", "cobrado", "importe pagado", "importe cobrado", "pagos", "cobros", "paid", "amount paid",
                    "a cuenta", "entregado a cuenta"),
}
_INVOICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    **_LINE_SYNONYMS,
    "customer_tax_id": ("nif cliente", "cif cliente", "ruc cliente", "nif del cliente", "cif del cliente", "ruc del cliente",
                        "nif cif cliente", "cliente nif", "cliente cif", "id fiscal cliente", "identificacion cliente",
                        "customer tax id", "customer vat", "nif", "cif", "ruc", "nif cif", "cliente"),
}
_SUPPLIER_INVOICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    **_LINE_SYNONYMS,
    "number": (*_LINE_SYNONYMS["number"], "numero proveedor", "factura proveedor", "n factura proveedor", "supplier invoice"),
    "supplier_tax_id": ("nif proveedor", "cif proveedor", "ruc proveedor", "nif del proveedor", "cif del proveedor",
                        "ruc del proveedor", "nif cif proveedor", "proveedor nif", "proveedor cif", "id fiscal proveedor",
                        "supplier tax id", "supplier vat", "nif", "cif", "ruc", "nif cif", "proveedor"),
}
SYNONYMS_BY_KIND: dict[str, dict[str, tuple[str, ...]]] = {"customers": _PARTY_SYNONYMS, "suppliers": _PARTY_SYNONYMS,
                                                         "products": _PRODUCT_SYNONYMS, "documents": {},
                                                         "opening_balances": _OPENING_BALANCE_SYNONYMS,
                                                         "invoices": _INVOICE_SYNONYMS,
                                                         "supplier_invoices": _SUPPLIER_INVOICE_SYNONYMS}


def normalize_header(text: str) -> str:
    """Lower-case, strip accents and punctuation: «Razón Social» -> «razon social», «P.V.P.» -> «p v p»."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(character for character in decomposed if not unicodedata.combining(character)).lower()
    keep_percent = plain.replace("%", " % ")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9% ]+", " ", keep_percent)).strip()


def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for field, synonyms in SYNONYMS_BY_KIND[kind].items():
        for synonym in (field, field.replace("_", " "), field.split(".")[-1].replace("_", " "), *synonyms):
            table.setdefault(normalize_header(synonym), field)
    return table


def auto_mapping(kind: str, headers: list[str]) -> dict[str, str | None]:
    """Map each header to a target field by synonym (first header wins a field; unknown headers map to None)."""
    table = _lookup(kind)
    used: set[str] = set()
    mapping: dict[str, str | None] = {}
    for header in headers:
        normalized = normalize_header(header)
        field = table.get(normalized) or table.get(normalized.replace(" ", ""))
        if field is None and normalized.replace("%", "").strip() != normalized:
            field = table.get(normalized.replace("%", "").strip())
        if field in used:
            field = None
        if field is not None:
            used.add(field)
        mapping[header] = field
    return mapping


def check_mapping(kind: str, mapping: dict[str, str | None]) -> dict[str, list[str]]:
    """Return per-header errors of a user-edited mapping (unknown field, field used twice)."""
    fields = FIELDS_BY_KIND[kind]
    problems: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for header, field in mapping.items():
        if field in (None, ""):
            continue
        if field not in fields:
            problems[header] = [f"Campo desconocido «{field}». Use uno de: {', '.join(fields)}."]
        elif field in seen:
            problems[header] = [f"El campo «{field}» ya está asignado a la columna «{seen[field]}»."]
        else:
            seen[field] = header
    return problems
