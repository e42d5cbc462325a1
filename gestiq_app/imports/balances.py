"""Import kind `opening_balances`: one row per account, the whole batch posted as ONE «Asiento de apertura».

Rows give an account code of the tenant's chart and its opening balance, as debit/credit or as one signed
balance (positive = debit); optionally the NIF/RUC of the customer or supplier of the line (party sub-ledger).
Each row is checked on its own (unknown or group account, one side only, no negatives, no duplicates); the
batch as a whole must balance, fall after the accounting lock date, and be the only opening entry of its
fiscal (calendar) year — what fails is the batch's `error` (shown on GET) and a 409 on promote.

Promotion posts the entry through `accounting.journal.post_entry` (the path every entry takes: lock date,
postable accounts, double entry) with `source_type="opening_balance"` and the batch id as source, in ONE
transaction with the lineage of every item (entity "journal_entry") under the batch row's lock: a repeated or
concurrent promotion finds the batch promoted, and the (source_type, source_id) unique key forbids a second
entry for the batch anyway. Posted entries are immutable, so rollback posts the reversing entry
(«Anulación: Asiento de apertura …», `reversal_of_id` = the entry) on the same date — refused (409) when that
date is in a closed period.

The duplicate policy `update` makes no sense here (there is nothing to update) and is refused at creation.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update

from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.imports.exceptions import ImportConflictError, ImportInvalidError, ImportPolicyError
from gestiq_app.imports.models import ImportBatch, ImportItem, ImportLineage
from gestiq_app.tenancy.context import tenant_context
from gestiq_app.tenancy.exceptions import DomainError
from gestiq_app.tenancy.models import Tenant

KIND = "opening_balances"
SOURCE_TYPE = "opening_balance"
ENTITY_TYPE = "journal_entry"
CENT = Decimal("0.01")
ZERO = Decimal("0")
MAX_AMOUNT = Decimal("9999999999.99")
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2099, 12, 31)
AMOUNT_FIELDS = ("debit", "credit", "balance")
AMOUNT_LABELS = {"debit": "debe", "credit": "haber", "balance": "saldo"}

Errors = dict[str, list[dict[str, str]]]


def _error(errors: Errors, name: str, code: str, message: str) -> None:
    errors.setdefault(name, []).append({"code": code, "message": message})


# --- batch options ---------------------------------------------------------------------------------------------------

def tenant_today(tenant_id: uuid.UUID) -> date:
    """Return today's date in the tenant's timezone."""
    tenant = session().get(Tenant, tenant_id)
    return datetime.now(ZoneInfo(tenant.timezone)).date()  # type: ignore[union-attr]


def check_options(*, tenant_id: uuid.UUID, kind: str, options: dict[str, Any], policy: str | None,
                  creating: bool) -> dict[str, Any]:
    """Check and normalize a batch's options: `entry_date` (ISO string; default today) only for this kind, no `update`."""
    options = dict(options)
    if kind != KIND:
        if options.get("entry_date") is not None:
            raise ImportInvalidError("La fecha del asiento solo se usa en lotes de saldos de apertura.",
                                     errors={"options.entry_date": ["Solo para el tipo opening_balances."]})
        options.pop("entry_date", None)
        return options
    if policy == "update":
        raise ImportPolicyError("Un asiento de apertura no actualiza nada: use la política «error» u «skip» para las cuentas repetidas.",
                                 errors={"duplicate_policy": ["No admitido en saldos de apertura (use error o skip)."]})
    value = options.get("entry_date")
    if value is None:
        if creating:
            options["entry_date"] = tenant_today(tenant_id).isoformat()
        else:
            options.pop("entry_date", None)
        return options
    try:
        entry_date = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError as error:
        raise ImportInvalidError("Fecha del asiento no válida.", errors={"options.entry_date": ["Use el formato AAAA-MM-DD."]}) from error
    if not MIN_DATE <= entry_date <= MAX_DATE:
        raise ImportInvalidError("Fecha del asiento no válida.", errors={"options.entry_date": ["Fecha fuera del rango admitido (2000–2099)."]})
    options["entry_date"] = entry_date.isoformat()
    return options


def entry_date_of(batch: ImportBatch) -> date:
    """Return the date of the batch's opening entry (set at creation)."""
    raw = (batch.options or {}).get("entry_date")
    return date.fromisoformat(raw) if raw else tenant_today(batch.tenant_id)


# --- row evaluation --------------------------------------------------------------------------------------------------

@dataclass
class Context:
    """What row checks need: the tenant's chart by code, its parties by tax id, its currency formatting."""

    country: str
    currency: str
    locale: str
    decimal_separator: str
    #: code -> (id, is_postable, type, name)
    accounts: dict[str, tuple[uuid.UUID, bool, str, str]] = field(default_factory=dict)
    customers: dict[str, uuid.UUID] = field(default_factory=dict)
    suppliers: dict[str, uuid.UUID] = field(default_factory=dict)


def build_context(batch: ImportBatch) -> Context:
    """Load the tenant's chart (loading the country chart first if the tenant never posted) and its parties."""
    from gestiq_app.accounting.chart import ensure_chart
    from gestiq_app.accounting.models import Account
    from gestiq_app.crm.models import Customer, Supplier

    tenant = session().get(Tenant, batch.tenant_id)
    ensure_chart(tenant_id=batch.tenant_id, country=tenant.country)  # type: ignore[union-attr]
    context = Context(country=tenant.country, currency=tenant.currency, locale=tenant.locale.replace("-", "_"),  # type: ignore[union-attr]
                      decimal_separator=(batch.options or {}).get("decimal_separator") or "auto")
    for account_id, code, is_postable, type_, name in session().execute(
            select(Account.id, Account.code, Account.is_postable, Account.type, Account.name)):
        context.accounts[code] = (account_id, bool(is_postable), type_, name)
    context.customers = {tax_id: party_id for tax_id, party_id in session().execute(select(Customer.tax_id, Customer.id)) if tax_id}
    context.suppliers = {tax_id: party_id for tax_id, party_id in session().execute(select(Supplier.tax_id, Supplier.id)) if tax_id}
    return context


def money_text(value: Decimal, context: Context) -> str:
    """Format an amount for a message: «1.234,56 €» (Spain), «$1.234,56» (Ecuador)."""
    from babel.numbers import format_currency

    return format_currency(value, context.currency, locale=context.locale).replace("\u00a0", " ")


def _amount(value: Any) -> Decimal:
    if isinstance(value, (bool, float, dict, list)):
        raise ValueError(value)
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError(value)  # NaN, Infinity
    return number


def normalize_change(name: str, value: Any, context: Context) -> Any:
    """Turn an amount sent in a fix (1.234,56, 1234.56, a JSON number) into its canonical text; other fields as sent."""
    from gestiq_app.imports.parsing import parse_decimal

    if name not in AMOUNT_FIELDS or value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return format(Decimal(str(value)), "f")
    try:
        return format(parse_decimal(str(value), decimal_separator="auto"), "f")
    except ValueError:
        return value


def evaluate(payload: dict[str, Any], errors: Errors, context: Context) -> tuple[dict[str, Any], Errors]:
    """Check one row: return its normalized data (account_code, debit, credit, party…) and its errors."""
    from marshmallow import ValidationError

    from gestiq_app.accounting.schemas import EntryLineInputSchema
    from gestiq_app.fiscal.taxids import normalize_tax_id

    errors = {name: list(entries) for name, entries in errors.items()}
    data = {name: value for name, value in payload.items() if value not in (None, "")}
    data.pop("party_id", None)
    code = str(data.get("account_code") or "").strip()
    account = None
    if not code:
        _error(errors, "account_code", "required", "Falta la cuenta.")
    else:
        data["account_code"] = code
        account = context.accounts.get(code)
        if account is None:
            _error(errors, "account_code", "unknown_account", f"La cuenta {code} no existe en el plan contable de la empresa.")
        elif not account[1]:
            _error(errors, "account_code", "not_postable", f"La cuenta {code} es de grupo: use una subcuenta.")
    amounts: dict[str, Decimal] = {}
    for name in AMOUNT_FIELDS:
        if name in data and name not in errors:
            try:
                amounts[name] = _amount(data[name])
            except (ValueError, InvalidOperation):
                _error(errors, name, "invalid_decimal", f"«{str(data[name])[:60]}» no es un importe (use 1234,56 o 1234.56).")
    if any(name in errors for name in AMOUNT_FIELDS):
        return data, errors
    if "balance" in amounts:
        if "debit" in amounts or "credit" in amounts:
            _error(errors, "balance", "ambiguous", "Indique el saldo o el debe y el haber, no ambos.")
            return data, errors
        balance = amounts.pop("balance")
        data.pop("balance")
        amounts["debit"], amounts["credit"] = (balance, ZERO) if balance >= 0 else (ZERO, -balance)
    debit, credit = amounts.get("debit", ZERO), amounts.get("credit", ZERO)
    for name, value in (("debit", debit), ("credit", credit)):
        if value < 0:
            _error(errors, name, "negative_amount",
                   f"El {AMOUNT_LABELS[name]} no puede ser negativo: ponga el importe en positivo en la columna "
                   f"{'Haber' if name == 'debit' else 'Debe'}.")
        elif value > MAX_AMOUNT:
            _error(errors, name, "out_of_range", "Importe demasiado grande.")
        elif value != value.quantize(CENT):
            _error(errors, name, "invalid_decimal", "Como máximo 2 decimales.")
    if errors:
        return data, errors
    if debit > 0 and credit > 0:
        _error(errors, "credit", "both_sides", "Una línea va al debe o al haber, no a los dos.")
        return data, errors
    if debit == 0 and credit == 0:
        _error(errors, "debit", "no_amount", "Indique un importe distinto de cero en el debe o en el haber.")
        return data, errors
    data["debit"], data["credit"] = format(debit.quantize(CENT), "f"), format(credit.quantize(CENT), "f")
    if data.get("party_tax_id"):
        tax_id = normalize_tax_id(str(data["party_tax_id"]))
        data["party_tax_id"] = tax_id
        preferred, other = ((context.suppliers, context.customers) if account is not None and account[2] in ("liability", "expense")
                            else (context.customers, context.suppliers))
        party_id = preferred.get(tax_id) or other.get(tax_id)
        if party_id is None:
            _error(errors, "party_tax_id", "unknown_party", f"No hay ningún cliente ni proveedor con el identificador {tax_id}: créelo antes.")
        else:
            data["party_id"] = str(party_id)
    if errors or account is None:
        return data, errors
    try:  # the manual entry's own line schema: code format, amount bounds, description length
        EntryLineInputSchema().load({"account_code": code, "debit": data["debit"], "credit": data["credit"],
                                     "description": (str(data["account_name"])[:200] if data.get("account_name") else None)})
    except ValidationError as error:
        for name, messages in error.normalized_messages().items():
            for message in (messages if isinstance(messages, list) else [messages]):
                _error(errors, "account_code" if name == "account_code" else name, "invalid", str(message))
    return data, errors


def natural_key(data: dict[str, Any] | None) -> str | None:
    """Account code (and party tax id): one opening balance per account and party."""
    if not data or not data.get("account_code"):
        return None
    return f"{data['account_code']}|{data.get('party_tax_id') or ''}"[:100]


def _duplicate(batch: ImportBatch, errors: Errors, first_row: int) -> str:
    if batch.duplicate_policy == "skip":
        return "skipped"
    _error(errors, "account_code", "duplicate_in_file", f"Cuenta repetida en el archivo (ya aparece en la fila {first_row}).")
    return "invalid"


def _validator(batch: ImportBatch, context: Context) -> Any:
    from gestiq_app.imports.validation import RowValidator

    return RowValidator(kind=KIND, country=context.country, mapping=dict(batch.mapping or {}),
                        decimal_separator=context.decimal_separator)


# --- batch summary ---------------------------------------------------------------------------------------------------

@dataclass
class Summary:
    """Totals of the valid rows and what prevents posting them (empty: promotable)."""

    total_debit: Decimal
    total_credit: Decimal
    lines: int
    problems: list[str]
    errors: dict[str, list[str]]


def _existing_opening(entry_date: date) -> Any:
    from gestiq_app.accounting.models import JournalEntry

    reversed_ids = select(JournalEntry.reversal_of_id).where(JournalEntry.reversal_of_id.is_not(None))
    return session().execute(
        select(JournalEntry.id, JournalEntry.entry_date).where(
            JournalEntry.source_type == SOURCE_TYPE, JournalEntry.entry_date >= date(entry_date.year, 1, 1),
            JournalEntry.entry_date <= date(entry_date.year, 12, 31), JournalEntry.id.not_in(reversed_ids))
        .order_by(JournalEntry.entry_date).limit(1)).first()


def summarize(batch: ImportBatch, context: Context) -> Summary:
    """Total the valid rows and list the batch-level problems (unbalanced, too few lines, closed period, entry exists)."""
    from gestiq_app.accounting.settings import get_accounting_settings

    session().flush()
    total_debit, total_credit, lines = ZERO, ZERO, 0
    for (data,) in session().execute(select(ImportItem.data).where(ImportItem.batch_id == batch.id, ImportItem.status == "valid")):
        total_debit += Decimal((data or {}).get("debit") or "0")
        total_credit += Decimal((data or {}).get("credit") or "0")
        lines += 1
    total_debit, total_credit = total_debit.quantize(CENT), total_credit.quantize(CENT)
    problems: list[str] = []
    errors: dict[str, list[str]] = {}
    if lines < 2:
        problems.append("El asiento necesita al menos dos filas válidas.")
        errors["lines"] = [f"{lines} fila(s) válida(s)."]
    if total_debit != total_credit:
        problems.append(f"El asiento no cuadra: debe {money_text(total_debit, context)}, haber {money_text(total_credit, context)}.")
        errors["total_debit"] = [format(total_debit, "f")]
        errors["total_credit"] = [format(total_credit, "f")]
    entry_date = entry_date_of(batch)
    lock_date = get_accounting_settings(tenant_id=batch.tenant_id).lock_date
    if lock_date is not None and entry_date <= lock_date:
        problems.append(f"El periodo está cerrado: no se puede contabilizar con fecha {entry_date:%d/%m/%Y} "
                        f"(fecha de cierre {lock_date:%d/%m/%Y}).")
        errors["options.entry_date"] = [f"Debe ser posterior a la fecha de cierre contable ({lock_date.isoformat()})."]
    existing = _existing_opening(entry_date)
    if existing is not None:
        problems.append(f"Ya hay un asiento de apertura del ejercicio {entry_date.year} (fecha {existing.entry_date:%d/%m/%Y}): "
                        "deshaga la importación que lo creó antes de importar otro.")
        errors["options.entry_date"] = errors.get("options.entry_date", []) + [f"Ejercicio {entry_date.year} ya abierto."]
    return Summary(total_debit, total_credit, lines, problems, errors)


def refresh_error(batch: ImportBatch, context: Context) -> Summary:
    """Write the batch-level problems into `batch.error` (None when the entry can be posted)."""
    summary = summarize(batch, context)
    batch.error = " ".join(summary.problems) or None
    return summary


# --- stages ----------------------------------------------------------------------------------------------------------

def run_validation(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, progress: Any = None) -> str:
    """Validate an opening balances batch claimed in `validating` (one transaction: a chart is small)."""
    from gestiq_app.imports.services import _get, move_state, stamp

    with tenant_context(tenant_id):
        with unit_of_work() as current:
            batch = _get(batch_id, lock=True)
            if batch.state != "validating":
                return batch.state
            stamp(batch, "validation_started_at")
            context = build_context(batch)
            validator = _validator(batch, context)
            items = list(current.scalars(select(ImportItem).where(ImportItem.batch_id == batch_id).order_by(ImportItem.row_number)))
            seen: dict[str, int] = {}
            for item in items:
                if item.is_edited and item.data is not None:
                    payload, errors = dict(item.data), {}
                else:
                    payload, errors = validator.map_raw(item.raw or {})
                data, errors = evaluate(payload, errors, context)
                key = natural_key(data)
                status = "invalid" if errors else "valid"
                if status == "valid" and key is not None:
                    if key in seen:
                        status = _duplicate(batch, errors, seen[key])
                    else:
                        seen[key] = item.row_number
                item.data, item.errors, item.status, item.natural_key = data, errors, status, key
                item.action, item.target_id = ("create" if status == "valid" else None), None
            batch.processed_items = len(items)
            refresh_error(batch, context)
            move_state(batch_id, ("validating",), "validated")
            batch.state = "validated"
            stamp(batch, "validated_at")
    if progress is not None:
        progress(len(items))
    return "validated"


def revalidate_item(batch: ImportBatch, item: ImportItem, *, changes: dict[str, Any]) -> None:
    """Apply a fix to one row, check it again (duplicates against the other rows) and re-evaluate the batch's balance."""
    context = build_context(batch)
    if item.data is not None:
        base = dict(item.data)
    else:
        base, _ = _validator(batch, context).map_raw(item.raw or {})
    if changes.get("balance") is not None:
        base.pop("debit", None)
        base.pop("credit", None)
    elif changes.get("debit") is not None or changes.get("credit") is not None:
        base.pop("balance", None)
    for name, value in changes.items():
        if name == "party_id":
            continue
        if value is None:
            base.pop(name, None)
        else:
            base[name] = normalize_change(name, value, context)
    data, errors = evaluate(base, {}, context)
    key = natural_key(data)
    status = "invalid" if errors else "valid"
    if status == "valid" and key is not None:
        other = session().scalar(select(ImportItem.row_number).where(
            ImportItem.batch_id == batch.id, ImportItem.id != item.id, ImportItem.natural_key == key,
            ImportItem.status.in_(("valid", "promoted"))).order_by(ImportItem.row_number).limit(1))
        if other is not None:
            status = _duplicate(batch, errors, other)
    item.data, item.errors, item.status, item.natural_key = data, errors, status, key
    item.action, item.target_id, item.is_edited = ("create" if status == "valid" else None), None, True
    if batch.state == "validated":
        refresh_error(batch, context)


def check_promotable(batch: ImportBatch) -> None:
    """Refuse (409) to promote a batch whose entry cannot be posted, naming the reason (and both totals)."""
    summary = refresh_error(batch, build_context(batch))
    if summary.problems:
        raise ImportConflictError(" ".join(summary.problems), errors=summary.errors)


def _serialize_openings(tenant_id: uuid.UUID, year: int) -> None:
    """Let one opening entry of a tenant's year be posted at a time (PostgreSQL advisory lock until commit).

    Two batches of the same year promoted at once would both see «no opening entry yet»; the second now waits,
    then sees the first's entry. SQLite serializes writing transactions anyway.
    """
    from sqlalchemy import text

    current = session()
    if current.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b(f"gestiq:opening:{tenant_id}:{year}".encode(), digest_size=8).digest()
        current.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int.from_bytes(digest, "big", signed=True)})


def run_promotion(*, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: str = "system:imports") -> str:
    """Post the batch's opening entry and every item's lineage in ONE transaction; end in `promoted` (or `failed`)."""
    from gestiq_app.accounting.journal import LineDraft, post_entry
    from gestiq_app.imports.pipeline import _finish_promotion, fail_batch
    from gestiq_app.imports.services import _get, stamp_once

    try:
        with tenant_context(tenant_id), unit_of_work() as current:
            batch = _get(batch_id, lock=True)
            if batch.state != "promoting":
                return batch.state
            stamp_once(batch, "promotion_started_at")
            _serialize_openings(tenant_id, entry_date_of(batch).year)
            context = build_context(batch)
            summary = summarize(batch, context)
            if summary.problems:
                raise ImportConflictError(" ".join(summary.problems), errors=summary.errors)
            items = list(current.scalars(select(ImportItem).where(ImportItem.batch_id == batch_id, ImportItem.status == "valid")
                                         .order_by(ImportItem.row_number)))
            entry_date = entry_date_of(batch)
            drafts = [LineDraft(amount=Decimal(item.data["debit"]) - Decimal(item.data["credit"]),  # type: ignore[index]
                                account_code=item.data["account_code"],  # type: ignore[index]
                                party_id=uuid.UUID(item.data["party_id"]) if (item.data or {}).get("party_id") else None,
                                description=(item.data or {}).get("account_name")) for item in items]
            entry = post_entry(tenant_id=tenant_id, entry_date=entry_date, description=f"Asiento de apertura {entry_date.year}",
                               lines=drafts, actor=actor, source_type=SOURCE_TYPE, source_id=batch_id,
                               reference=f"Importación {batch.source_name}"[:60] if batch.source_name else None)
            now = utcnow()
            for item in items:
                current.add(ImportLineage(batch_id=batch_id, item_id=item.id, entity_type=ENTITY_TYPE, entity_id=entry.id,
                                          action="created", previous=None, created_at=now))
                item.status = "promoted"
            batch.promoted_items = len(items)
            batch.chunks_done = (batch.chunks_done or 0) + 1
            current.flush()
            record_event(actor=actor, action="journal_entry.created", entity="journal_entry", entity_id=entry.id,
                         changes={"entry_date": entry.entry_date, "description": entry.description, "import_batch": str(batch_id)})
            _finish_promotion(batch, actor=actor)
            return "promoted"
    except DomainError as error:  # the books changed since validation (another opening entry, a closed period)
        fail_batch(tenant_id=tenant_id, batch_id=batch_id, state="promoting", message=error.message)
        return "failed"


def rollback(batch: ImportBatch, *, actor: str) -> ImportBatch:
    """Post the reversing entry of the batch's opening entry (inside the caller's transaction) and mark it rolled back.

    Posted entries are immutable: the reversal («Anulación: …», same date) cancels every line; a closed
    period refuses it (409, nothing changes).
    """
    from gestiq_app.accounting.journal import LineDraft, post_entry
    from gestiq_app.accounting.models import JournalEntry
    from gestiq_app.imports.services import move_state, stamp

    current = session()
    entry_ids = list(current.scalars(select(ImportLineage.entity_id).where(ImportLineage.batch_id == batch.id,
                                                                           ImportLineage.entity_type == ENTITY_TYPE).distinct()))
    reversed_count = 0
    for entry_id in entry_ids:
        original = current.scalar(select(JournalEntry).where(JournalEntry.id == entry_id))
        if original is None or current.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.reversal_of_id == entry_id)):
            continue
        drafts = [LineDraft(amount=line.credit - line.debit, account_id=line.account_id, party_id=line.party_id,
                            description=line.description) for line in original.lines]
        reversal = post_entry(tenant_id=batch.tenant_id, entry_date=original.entry_date,
                              description=f"Anulación: {original.description}"[:300], lines=drafts, actor=actor,
                              reference=original.reference, reversal_of_id=original.id)
        record_event(actor=actor, action="journal_entry.reversed", entity="journal_entry", entity_id=original.id,
                     changes={"reversal_id": reversal.id, "entry_date": reversal.entry_date, "import_batch": str(batch.id)})
        reversed_count += 1
    current.execute(delete(ImportLineage).where(ImportLineage.batch_id == batch.id))
    item_table = ImportItem.__table__
    current.connection().execute(update(item_table).where(item_table.c.tenant_id == batch.tenant_id, item_table.c.batch_id == batch.id,
                                                          item_table.c.status == "promoted").values(status="valid"))
    move_state(batch.id, ("promoted",), "rolled_back", promoted_items=0)
    batch.state, batch.promoted_items = "rolled_back", 0
    stamp(batch, "rolled_back_at")
    record_event(actor=actor, action="import.rolled_back", entity="import_batch", entity_id=batch.id,
                 changes={"reversed_entries": reversed_count, "deleted": 0, "restored": 0})
    return batch


__all__ = ["check_options", "check_promotable", "evaluate", "revalidate_item", "rollback", "run_promotion", "run_validation"]
