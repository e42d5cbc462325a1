"""Invoice batches (`invoices`, `supplier_invoices`): each row is one invoice LINE; rows with the same key are one invoice.

The key (`natural_key` of every item) is the invoice number for sales invoices, «supplier tax id|number» for supplier
invoices (the supplier's number is unique per supplier). Rows of one key are the SAME invoice, never duplicates.

- Validation (`run_validation`, one transaction for the batch: an invoice's rows may be anywhere in the file): each row is
  mapped like the other kinds (`validation.RowValidator.map_raw`: headers, decimals, IVA % → tax category) and checked:
  dates (dd/mm/aaaa, dd-mm-aaaa, ISO), the customer / supplier by tax id (must exist: `unknown_customer` /
  `unknown_supplier`), the product by SKU (`unknown_product`), the line with the domain's input schema
  (sales `LineInputSchema`, purchases `PurchaseLineInputSchema`). Then per invoice: header fields that disagree with the
  invoice's first row (`inconsistent_invoice`), the whole document through the domain's create schema and a priced
  preview (the same totals promotion will give; paid amount at most the total), and the duplicate policy against the
  tenant's data (`already_exists` / skipped). An invoice is promoted whole or not at all: when one row is invalid, its
  other rows are invalid too (`invoice_incomplete`, naming the row to fix). `update` makes no sense for issued
  invoices: the policy is refused when the batch is created or changed (400).
- Fixes (PATCH item): the fields sent replace the row's, and the invoices the row belonged to and belongs to now are
  validated again.
- Promotion (`run_promotion`): chunks of WHOLE invoices (about GESTIQ_IMPORTS_CHUNK_SIZE rows, never one invoice split),
  each chunk one transaction under the batch row's lock: the invoices (through `sales.importing` / `purchases.importing`,
  which use the domain's pricing and emit its events, so the journal posts them), a lineage row per item and the
  items marked promoted commit together; a repeated or concurrent promotion waits for the lock and finds them
  promoted. An invoice the domain refuses at that moment (a period locked meanwhile…) leaves its rows `invalid` with
  the message, the rest goes on (savepoint per invoice).
- Rollback: refused (409) when an invoice was used since (a later payment, a credit note, a void, an attachment…);
  otherwise the journal entries are reversed and the invoices deleted (see the domain modules for the why).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.imports.exceptions import ImportConflictError
from gestiq_app.imports.models import ImportBatch, ImportItem, ImportLineage
from gestiq_app.imports.parsing import parse_date, parse_decimal
from gestiq_app.imports.validation import Errors, RowValidator, _schema_errors, add_error
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.exceptions import DomainError

#: Values derived by validation (never taken from a user's fix).
DERIVED = ("party_id", "product_id", "invoice_total", "invoice_rows")
HEADER_FIELDS = ("issue_date", "due_date", "amount_paid")
FIELD_LABELS = {"number": "número", "issue_date": "fecha", "due_date": "vencimiento", "customer_tax_id": "NIF/RUC del cliente",
                "supplier_tax_id": "NIF/RUC del proveedor", "amount_paid": "importe pagado"}
_PLAIN_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True)
class KindSetup:
    """What differs between sales and supplier invoices."""

    party_field: str
    party_label: str
    unknown_party: str
    entity_type: str
    number_length: int


SETUPS = {
    "invoices": KindSetup("customer_tax_id", "cliente", "unknown_customer", "sales_invoice", 40),
    "supplier_invoices": KindSetup("supplier_tax_id", "proveedor", "unknown_supplier", "supplier_invoice", 60),
}


@dataclass
class Context:
    """Everything validation needs of the tenant, loaded once per batch."""

    batch_id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str
    policy: str
    validator: RowValidator
    parties: dict[str, uuid.UUID] = field(default_factory=dict)
    products: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def setup(self) -> KindSetup:
        return SETUPS[self.kind]


def build_context(batch: ImportBatch) -> Context:
    """Load the tenant's parties by tax id and products by SKU, and the row mapper of the batch."""
    from gestiq_app.catalog.models import Product
    from gestiq_app.crm.models import Customer, Supplier
    from gestiq_app.fiscal.taxids import normalize_tax_id
    from gestiq_app.imports.pipeline import build_validator

    party = Customer if batch.kind == "invoices" else Supplier
    parties = {normalize_tax_id(tax_id): party_id for tax_id, party_id in session().execute(select(party.tax_id, party.id)) if tax_id}
    products = {sku: product_id for sku, product_id in session().execute(select(Product.sku, Product.id)) if sku}
    return Context(batch_id=batch.id, tenant_id=batch.tenant_id, kind=batch.kind, policy=batch.duplicate_policy,
                   validator=build_validator(batch), parties=parties, products=products)


def _decimal(value: Any, separator: str) -> Decimal:
    text = str(value).strip()
    if _PLAIN_DECIMAL.match(text):
        return Decimal(text)
    return parse_decimal(text, decimal_separator=separator)


def payload_of(context: Context, item: ImportItem) -> tuple[dict[str, Any], Errors]:
    """Return the row's editable fields (a user's fixed data, or the mapped source cells) and the mapping errors."""
    if item.is_edited and item.data is not None:
        return {key: value for key, value in item.data.items() if key not in DERIVED}, {}
    return context.validator.map_raw(item.raw or {})


def _key(context: Context, payload: dict[str, Any]) -> str | None:
    from gestiq_app.fiscal.taxids import normalize_tax_id

    number = str(payload.get("number") or "").strip()
    if not number:
        return None
    if context.kind == "supplier_invoices":
        return f"{normalize_tax_id(str(payload.get('supplier_tax_id') or ''))}|{number}"[:100]
    return number[:100]


def check_row(context: Context, payload: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Check one line's own fields; return its normalized data (JSON-ready) with the resolved ids."""
    from gestiq_app.fiscal.taxids import normalize_tax_id

    setup = context.setup
    separator = "auto"
    data: dict[str, Any] = {key: value for key, value in payload.items() if value not in (None, "")}
    number = str(data.get("number") or "").strip()
    if not number:
        add_error(errors, "number", "required", "Falta el número de factura.")
    elif len(number) > setup.number_length:
        add_error(errors, "number", "invalid", f"El número admite como máximo {setup.number_length} caracteres.")
    else:
        data["number"] = number
    for name in ("issue_date", "due_date"):
        if name not in data:
            if name == "issue_date" and name not in errors:
                add_error(errors, name, "required", "Falta la fecha de la factura.")
            continue
        try:
            data[name] = parse_date(str(data[name])).isoformat()
        except ValueError:
            add_error(errors, name, "invalid_date", f"«{str(data[name])[:40]}» no es una fecha (dd/mm/aaaa).")
    tax_id = str(data.get(setup.party_field) or "").strip()
    if not tax_id:
        add_error(errors, setup.party_field, "required", f"Falta el NIF/RUC del {setup.party_label}.")
    else:
        data[setup.party_field] = normalize_tax_id(tax_id)
        party_id = context.parties.get(data[setup.party_field])
        if party_id is None:
            add_error(errors, setup.party_field, setup.unknown_party,
                      f"No hay ningún {setup.party_label} con el identificador {data[setup.party_field]}: créelo antes.")
        else:
            data["party_id"] = str(party_id)
    sku = str(data.get("sku") or "").strip()
    if sku:
        data["sku"] = sku
        product_id = context.products.get(sku)
        if product_id is None:
            add_error(errors, "sku", "unknown_product", f"No hay ningún producto con el código «{sku[:60]}».")
        else:
            data["product_id"] = str(product_id)
    elif not data.get("description"):
        add_error(errors, "description", "required", "Indique el código del producto o la descripción de la línea.")
    for name in ("quantity", "unit_price", "discount_percent", "amount_paid"):
        if name in data and name not in errors:
            try:
                data[name] = format(_decimal(data[name], separator), "f")
            except (ValueError, InvalidOperation):
                add_error(errors, name, "invalid_decimal", f"«{str(data[name])[:60]}» no es un número (use 1234,56 o 1234.56).")
    if "amount_paid" in data and "amount_paid" not in errors and Decimal(data["amount_paid"]) < 0:
        add_error(errors, "amount_paid", "invalid", "El importe pagado no puede ser negativo.")
    if "quantity" not in data and "quantity" not in errors:
        add_error(errors, "quantity", "required", "Falta la cantidad.")
    line = _line_input(data)
    try:
        _line_schema(context.kind)().load({key: value for key, value in line.items() if value is not None})
    except Exception as error:  # noqa: BLE001 - marshmallow ValidationError: its messages become the row's errors
        found: Errors = {}
        _schema_errors(getattr(error, "messages", str(error)), found)
        for name, entries in found.items():
            target = "sku" if name == "product_id" else name
            if target not in errors:
                errors[target] = entries
    return data


def _line_schema(kind: str) -> Any:
    if kind == "invoices":
        from gestiq_app.sales.schemas import LineInputSchema

        return LineInputSchema
    from gestiq_app.purchases.schemas import PurchaseLineInputSchema

    return PurchaseLineInputSchema


def _line_input(data: dict[str, Any]) -> dict[str, Any]:
    return {"product_id": data.get("product_id"), "description": data.get("description"), "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"), "discount_percent": data.get("discount_percent"),
            "tax_category": data.get("tax_category")}


def _document_input(context: Context, rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    lines = [{key: value for key, value in _line_input(row).items() if value is not None} for row in rows]
    if context.kind == "invoices":
        body = {"customer_id": first["party_id"], "issue_date": first["issue_date"], "lines": lines}
    else:
        body = {"supplier_id": first["party_id"], "supplier_number": first["number"], "issue_date": first["issue_date"], "lines": lines}
    due = next((row["due_date"] for row in rows if row.get("due_date")), None)
    if due:
        body["due_date"] = due
    return body


def _schema_of(kind: str) -> Any:
    if kind == "invoices":
        from gestiq_app.sales.schemas import DocumentCreateSchema

        return DocumentCreateSchema()
    from gestiq_app.purchases.schemas import SupplierInvoiceCreateSchema

    return SupplierInvoiceCreateSchema()


def load_document(context: Context, rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, dict[int, Errors]]:
    """Load an invoice's rows with the domain's create schema: (loaded data, {row index: errors})."""
    from marshmallow import ValidationError

    try:
        return _schema_of(context.kind).load(_document_input(context, rows)), {}
    except ValidationError as error:
        return None, _spread(error.messages, len(rows))


def _spread(messages: Any, count: int) -> dict[int, Errors]:
    """Turn schema / domain errors of a document into per-row errors: lines.N.x → row N, header fields → every row."""
    found: Errors = {}
    if isinstance(messages, dict) and not all(isinstance(value, (list, dict)) for value in messages.values()):
        messages = {key: value if isinstance(value, (list, dict)) else [value] for key, value in messages.items()}
    _schema_errors(messages, found)
    by_row: dict[int, Errors] = defaultdict(dict)
    for name, entries in found.items():
        match = re.match(r"^lines\.(\d+)\.(.+)$", name)
        targets = [int(match.group(1))] if match and int(match.group(1)) < count else range(count)
        target_field = match.group(2) if match else name
        target_field = {"product_id": "sku", "customer_id": "customer_tax_id", "supplier_id": "supplier_tax_id",
                        "supplier_number": "number"}.get(target_field, target_field)
        for index in targets:
            by_row[index].setdefault(target_field, []).extend(entries)
    return by_row


def _preview(context: Context, loaded: dict[str, Any]) -> Decimal:
    if context.kind == "invoices":
        from gestiq_app.sales.importing import preview_imported_invoice

        return preview_imported_invoice(tenant_id=context.tenant_id, data=loaded).total
    from gestiq_app.purchases.importing import preview_imported_invoice as preview_purchase

    document = preview_purchase(tenant_id=context.tenant_id, data=loaded)
    return document.total - document.withholding_total


def _existing_keys(context: Context, keys: list[str], party_of: dict[str, str]) -> set[str]:
    if not keys:
        return set()
    if context.kind == "invoices":
        from gestiq_app.sales.importing import find_invoice_numbers

        return find_invoice_numbers(keys)
    from gestiq_app.purchases.importing import find_invoice_keys

    pairs = [(uuid.UUID(party_of[key]), key.split("|", 1)[1]) for key in keys if key in party_of]
    found = find_invoice_keys(pairs)
    return {key for key in keys if key in party_of and (uuid.UUID(party_of[key]), key.split("|", 1)[1]) in found}


def validate_items(context: Context, items: list[ImportItem]) -> None:
    """Validate rows and group them into invoices; set each item's data, errors, status, action and key."""
    rows: dict[uuid.UUID, tuple[dict[str, Any], Errors]] = {}
    groups: dict[str, list[ImportItem]] = defaultdict(list)
    for item in sorted(items, key=lambda entry: entry.row_number):
        payload, errors = payload_of(context, item)
        errors = {name: list(entries) for name, entries in errors.items()}
        data = check_row(context, payload, errors)
        rows[item.id] = (data, errors)
        key = _key(context, data)
        item.natural_key = key
        groups[key or f"_row{item.row_number}"].append(item)
    party_of = {key: rows[members[0].id][0]["party_id"] for key, members in groups.items()
                if "party_id" in rows[members[0].id][0]}
    totals: dict[str, Decimal] = {}
    invalid: set[str] = set()
    for key, members in groups.items():
        first_data = rows[members[0].id][0]
        for member in members[1:]:
            data, errors = rows[member.id]
            names = HEADER_FIELDS if context.kind == "supplier_invoices" else (*HEADER_FIELDS, "customer_tax_id")
            for name in names:
                if name in errors or name in rows[members[0].id][1]:
                    continue  # already wrong on its own: one message is enough
                mine, theirs = data.get(name), first_data.get(name)
                if mine is not None and mine != theirs and not (name in ("due_date", "amount_paid") and theirs is None):
                    add_error(errors, name, "inconsistent_invoice",
                              f"La {FIELD_LABELS[name]} ({mine}) no coincide con la de la fila {members[0].row_number} "
                              f"de la misma factura ({theirs if theirs is not None else 'vacía'}).")
        if any(rows[member.id][1] for member in members):
            invalid.add(key)
            continue
        loaded, by_row = load_document(context, [rows[member.id][0] for member in members])
        if loaded is not None:
            try:
                totals[key] = _preview(context, loaded)
            except DomainError as error:
                by_row = _spread(error.errors or {"_row": [error.message]}, len(members))
        for index, errors in by_row.items():
            for name, entries in errors.items():
                for message in entries:
                    add_error(rows[members[index].id][1], name, "invalid", str(message))
        paid = next((Decimal(rows[member.id][0]["amount_paid"]) for member in members if rows[member.id][0].get("amount_paid")), None)
        if key in totals and paid is not None and paid > totals[key]:
            holder = next(member for member in members if rows[member.id][0].get("amount_paid"))
            add_error(rows[holder.id][1], "amount_paid", "exceeds_total",
                      f"El importe pagado ({paid}) supera el total de la factura ({totals[key]}).")
        if any(rows[member.id][1] for member in members):
            invalid.add(key)
    existing = _existing_keys(context, sorted(key for key in groups if key not in invalid and not key.startswith("_row")), party_of)
    label = "factura" if context.kind == "invoices" else "factura de este proveedor"
    for key, members in groups.items():
        bad = [member for member in members if rows[member.id][1]]
        for member in members:
            data, errors = rows[member.id]
            status, action = "valid", "create"
            if key in invalid:
                status, action = "invalid", None
                if not errors:
                    add_error(errors, "_row", "invoice_incomplete",
                              f"La factura {data.get('number', '')} tiene errores en la fila {bad[0].row_number}: "
                              "corríjala para importar la factura entera.")
            elif key in existing:
                if context.policy == "skip":
                    status, action = "skipped", None
                else:
                    add_error(errors, "number", "already_exists", f"Ya existe una {label} con el número {data.get('number')}.")
                    status, action = "invalid", None
            if key in totals:
                data["invoice_total"] = format(totals[key], "f")
            data["invoice_rows"] = len(members)
            member.data, member.errors, member.status, member.action, member.target_id = data, errors, status, action, None


def run_validation(*, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    """Validate an invoices batch claimed in `validating` (one transaction: an invoice's rows may be anywhere)."""
    from gestiq_app.imports.services import _get, move_state, stamp

    with tenant_context(tenant_id), unit_of_work() as current:
        batch = _get(batch_id, lock=True)
        if batch.state != "validating":
            return batch.state
        stamp(batch, "validation_started_at")
        items = list(current.scalars(select(ImportItem).where(ImportItem.batch_id == batch_id).order_by(ImportItem.row_number)))
        validate_items(build_context(batch), items)
        batch.processed_items = len(items)
        move_state(batch_id, ("validating",), "validated")
        batch.state = "validated"
        stamp(batch, "validated_at")
    return "validated"


def revalidate_item(batch: ImportBatch, item: ImportItem, *, changes: dict[str, Any]) -> None:
    """Apply a user's fix to one row and validate again the invoice(s) it was and is part of."""
    context = build_context(batch)
    payload, errors = payload_of(context, item)
    old_key = item.natural_key
    for name, value in changes.items():
        if name in DERIVED:
            continue
        if name == "tax_rate" and value not in (None, ""):
            try:
                payload["tax_category"] = context.validator._coerce("tax_rate", str(value))  # noqa: SLF001
            except ValueError:
                payload["tax_category"] = str(value)
            continue
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    item.data, item.is_edited = payload, True
    new_key = _key(context, check_row(context, dict(payload), {}))
    keys = {key for key in (old_key, new_key) if key}
    members = list(session().scalars(select(ImportItem).where(ImportItem.batch_id == batch.id, ImportItem.natural_key.in_(keys),
                                                              ImportItem.status != "promoted"))) if keys else []
    if item not in members:
        members.append(item)
    validate_items(context, members)


# --- promotion ------------------------------------------------------------------------------------------------------

def _create(context_kind: str, batch: ImportBatch, rows: list[dict[str, Any]], *, actor: str) -> uuid.UUID:
    """Create one invoice from its rows' data through the domain; return its id."""
    context = Context(batch_id=batch.id, tenant_id=batch.tenant_id, kind=context_kind, policy=batch.duplicate_policy,
                      validator=None)  # type: ignore[arg-type]
    loaded, by_row = load_document(context, rows)
    if loaded is None:
        raise _RowsError(by_row)
    paid = next((Decimal(row["amount_paid"]) for row in rows if row.get("amount_paid")), Decimal("0"))
    if context_kind == "invoices":
        from gestiq_app.sales.importing import find_invoice_numbers, issue_imported_invoice

        if find_invoice_numbers([rows[0]["number"]]):  # issued meanwhile (validation saw it free); purchases: a unique key
            raise _RowsError({0: {"number": [f"Ya existe una factura con el número {rows[0]['number']}."]}})
        return issue_imported_invoice(tenant_id=batch.tenant_id, number=rows[0]["number"], data=loaded, amount_paid=paid,
                                      reference=reference_of(batch.id), actor=actor).id
    from gestiq_app.purchases.importing import record_imported_invoice

    return record_imported_invoice(tenant_id=batch.tenant_id, data=loaded, amount_paid=paid, actor=actor).id


class _RowsError(Exception):
    def __init__(self, by_row: dict[int, Errors]) -> None:
        super().__init__("invalid rows")
        self.by_row = by_row


def reference_of(batch_id: uuid.UUID) -> str:
    """The reference the import writes on what it records besides the invoice (the sales payment)."""
    return f"import:{batch_id}"


def _next_groups(batch_id: uuid.UUID, size: int) -> list[list[ImportItem]]:
    """Return the next valid invoices (whole, in file order of their first row) up to about `size` rows."""
    current = session()
    groups: list[list[ImportItem]] = []
    taken = 0
    seen: set[str] = set()
    last_row = -1
    while taken < size:
        first = current.scalar(select(ImportItem).where(ImportItem.batch_id == batch_id, ImportItem.status == "valid",
                                                        ImportItem.row_number > last_row)
                               .order_by(ImportItem.row_number).limit(1))
        if first is None:
            break
        last_row = first.row_number
        if first.natural_key in seen:
            continue
        seen.add(first.natural_key)  # type: ignore[arg-type]
        members = list(current.scalars(select(ImportItem).where(ImportItem.batch_id == batch_id, ImportItem.status == "valid",
                                                                ImportItem.natural_key == first.natural_key)
                                       .order_by(ImportItem.row_number)))
        groups.append(members)
        taken += len(members)
    return groups


def run_promotion(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: str = "system:imports") -> str:
    """Promote the valid invoices of a batch in `promoting`, chunks of whole invoices each in one transaction."""
    from gestiq_app.imports.pipeline import _after_chunk_hook, _finish_promotion
    from gestiq_app.imports.services import _get, chunk_size, stamp_once

    size = chunk_size()
    with tenant_context(tenant_id):
        with unit_of_work():
            batch = _get(batch_id)
            if batch.state != "promoting":
                return batch.state
            stamp_once(batch, "promotion_started_at")
        while True:
            with unit_of_work() as current:
                batch = _get(batch_id, lock=True)  # serializes workers: a second one then finds these items promoted
                if batch.state != "promoting":
                    return batch.state
                groups = _next_groups(batch_id, size)
                if not groups:
                    _finish_promotion(batch, actor=actor)
                    return "promoted"
                promoted = 0
                for members in groups:
                    promoted += _promote_group(batch, members, actor=actor)
                batch = _get(batch_id, lock=True)
                batch.promoted_items = (batch.promoted_items or 0) + promoted
                batch.chunks_done = (batch.chunks_done or 0) + 1
            _after_chunk_hook(batch_id)


def _promote_group(batch: ImportBatch, members: list[ImportItem], *, actor: str) -> int:
    current = session()
    rows = [dict(member.data or {}) for member in members]
    kind = batch.kind
    try:
        with current.begin_nested():
            entity_id = _create(kind, batch, rows, actor=actor)
            now = utcnow()
            for member in members:
                current.add(ImportLineage(batch_id=batch.id, item_id=member.id, entity_type=SETUPS[kind].entity_type,
                                          entity_id=entity_id, action="created", previous=None, created_at=now))
            current.flush()
    except (DomainError, _RowsError) as error:
        by_row = error.by_row if isinstance(error, _RowsError) else _spread(error.errors or {"_row": [error.message]}, len(members))
        for index, member in enumerate(members):
            errors = {name: [{"code": "refused", "message": str(message)} for message in entries]
                      for name, entries in by_row.get(index, {}).items()}
            member.errors = errors or {"_row": [{"code": "refused", "message": "La factura no se pudo crear: vea las otras filas."}]}
            member.status, member.action = "invalid", None
        current.flush()
        return 0
    for member in members:
        member.status = "promoted"
    current.flush()
    return len(members)


# --- rollback -------------------------------------------------------------------------------------------------------

def rollback(batch: ImportBatch, *, actor: str) -> int:
    """Remove the invoices a batch created (409 when one was used since); return how many."""
    current = session()
    lineage = current.execute(select(ImportLineage.entity_id, ImportLineage.item_id).where(
        ImportLineage.batch_id == batch.id, ImportLineage.action == "created")).all()
    created = list(dict.fromkeys(entity_id for entity_id, _ in lineage))
    reasons: list[str] = []
    if batch.kind == "invoices":
        from gestiq_app.sales.importing import imported_invoice_in_use, remove_imported_invoice

        reasons = [reason for document_id in created if (reason := imported_invoice_in_use(document_id, reference=reference_of(batch.id)))]
    else:
        from gestiq_app.purchases.importing import imported_invoice_in_use as purchase_in_use
        from gestiq_app.purchases.importing import remove_imported_invoice as remove_purchase

        items = {item.id: item for item in current.scalars(select(ImportItem).where(ImportItem.batch_id == batch.id,
                                                                                      ImportItem.status == "promoted"))}
        paid: dict[uuid.UUID, Decimal] = {}
        for entity_id, item_id in lineage:
            value = ((items.get(item_id).data or {}) if item_id in items else {}).get("amount_paid")  # type: ignore[union-attr]
            if value and entity_id not in paid:
                paid[entity_id] = Decimal(value)
        reasons = [reason for document_id in created
                   if (reason := purchase_in_use(document_id, amount_paid=paid.get(document_id, Decimal("0"))))]
    if reasons:
        raise ImportConflictError(f"No se puede deshacer: {reasons[0]}" + (f" (y {len(reasons) - 1} más)." if len(reasons) > 1 else "."),
                                  errors={"batch": reasons[:20]})
    for document_id in created:
        if batch.kind == "invoices":
            remove_imported_invoice(document_id, reference=reference_of(batch.id), actor=actor)
        else:
            remove_purchase(document_id, actor=actor)
    return len(created)


__all__ = ["build_context", "check_row", "revalidate_item", "rollback", "run_promotion", "run_validation", "validate_items"]
