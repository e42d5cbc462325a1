"""Create chained VERI*FACTU records and verify a stored chain.

A record is appended under a lock on its issuer's chain-head row (created with INSERT … ON CONFLICT DO
NOTHING, then SELECT … FOR UPDATE), so two invoices issued at once cannot both chain to the same previous
record; the unique (tenant, issuer, sequence) and (tenant, previous record) keys refuse a fork even if the
lock were bypassed. Amounts enter the huella as 2-decimal strings, the same strings the XML carries.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app.db import session
from gestiq_app.einvoicing.es_verifactu.models import VerifactuChainHead, VerifactuRecord
from gestiq_app.fiscal.verifactu_hash import (
    alta_fingerprint_input,
    anulacion_fingerprint_input,
    fingerprint,
    format_generated_at,
)
from gestiq_app.tenancy.context import current_tenant_id

INVOICE_TYPES: Final[dict[str, str]] = {
    "F1": "Factura completa", "F2": "Factura simplificada", "F3": "Factura en sustitución de simplificadas",
    "R1": "Rectificativa (art. 80.1, 80.2 y error fundado en derecho)", "R2": "Rectificativa (art. 80.3)",
    "R3": "Rectificativa (art. 80.4)", "R4": "Rectificativa (resto)", "R5": "Rectificativa en facturas simplificadas",
}


class VerifactuInputError(ValueError):
    """The invoice cannot become a valid VERI*FACTU record; `problems` lists why, in Spanish."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems."""
        super().__init__("; ".join(problems))
        self.problems = problems


def format_amount(value: Decimal) -> str:
    """Format an amount as the AEAT string that enters both the huella and the XML (2 decimals)."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class VerifactuParty:
    """A recipient (or third party): a Spanish NIF, or another id with its type (02 NIF-IVA, 03 pasaporte…)."""

    name: str
    nif: str | None = None
    other_id: str | None = None
    other_id_type: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class VerifactuBreakdown:
    """One DetalleDesglose: IVA (01) by default, régimen 01, sujeta no exenta (S1)."""

    rate: Decimal
    base: Decimal
    tax: Decimal
    tax_code: str = "01"
    regime_key: str = "01"
    operation_kind: str | None = "S1"
    exemption_code: str | None = None
    surcharge_rate: Decimal | None = None
    surcharge: Decimal | None = None


@dataclass(frozen=True)
class VerifactuRectified:
    """An invoice rectified or substituted by this one."""

    issuer_nif: str
    invoice_number: str
    issue_date: date


@dataclass(frozen=True, kw_only=True)
class VerifactuInvoice:
    """What the sales module gives for an issued invoice (registro de alta)."""

    issuer_nif: str
    issuer_name: str
    invoice_number: str
    issue_date: date
    invoice_type: str
    description: str
    breakdown: tuple[VerifactuBreakdown, ...]
    total_tax: Decimal
    total_amount: Decimal
    recipients: tuple[VerifactuParty, ...] = ()
    rectification_kind: str | None = None
    rectified: tuple[VerifactuRectified, ...] = ()
    substituted: tuple[VerifactuRectified, ...] = ()
    rectified_base: Decimal | None = None
    rectified_tax: Decimal | None = None
    operation_date: date | None = None
    is_correction: bool = False
    is_after_rejection: bool = False


@dataclass(frozen=True, kw_only=True)
class VerifactuCancellation:
    """What the sales module gives for a voided invoice (registro de anulación)."""

    issuer_nif: str
    issuer_name: str
    invoice_number: str
    issue_date: date
    is_without_previous_record: bool = False
    is_after_rejection: bool = False


@dataclass(frozen=True)
class SoftwareInfo:
    """The SistemaInformatico block: who produced the software and which installation generated the record."""

    producer_name: str
    producer_nif: str
    installation_number: str
    system_name: str = "GestiQCloud"
    system_id: str = "GQ"
    version: str = "1.0"
    is_verifactu_only: bool = True
    is_multi_taxpayer_capable: bool = True
    is_multi_taxpayer_in_use: bool = True


def check_invoice(invoice: VerifactuInvoice) -> None:
    """Raise VerifactuInputError unless the invoice's type, breakdown and totals agree."""
    problems: list[str] = []
    if invoice.invoice_type not in INVOICE_TYPES:
        problems.append(f"Tipo de factura {invoice.invoice_type!r} no válido (F1, F2, F3, R1–R5)")
    is_rectifying = invoice.invoice_type.startswith("R")
    if is_rectifying and invoice.rectification_kind not in ("S", "I"):
        problems.append("Una factura rectificativa debe indicar si es por sustitución (S) o por diferencias (I)")
    if not is_rectifying and invoice.rectification_kind is not None:
        problems.append("Solo las facturas rectificativas llevan tipo de rectificación")
    if invoice.rectification_kind == "S" and (invoice.rectified_base is None or invoice.rectified_tax is None):
        problems.append("La rectificación por sustitución necesita la base y la cuota rectificadas")
    if invoice.invoice_type in ("F1", "F3", "R1", "R2", "R3", "R4") and not invoice.recipients:
        problems.append(f"Una factura {invoice.invoice_type} debe identificar al destinatario")
    if not 1 <= len(invoice.breakdown) <= 12:
        problems.append("El desglose debe tener entre 1 y 12 líneas")
    tax = sum((line.tax + (line.surcharge or 0) for line in invoice.breakdown), Decimal("0"))
    total = sum((line.base + line.tax + (line.surcharge or 0) for line in invoice.breakdown), Decimal("0"))
    if abs(tax - invoice.total_tax) > Decimal("0.01"):
        problems.append(f"La cuota total ({invoice.total_tax}) no coincide con el desglose ({tax})")
    if abs(total - invoice.total_amount) > Decimal("0.01"):
        problems.append(f"El importe total ({invoice.total_amount}) no coincide con el desglose ({total})")
    if not invoice.description.strip():
        problems.append("La descripción de la operación es obligatoria")
    if problems:
        raise VerifactuInputError(problems)


def _lock_chain_head(issuer_nif: str) -> VerifactuChainHead:
    """Create the issuer's chain head if missing and lock it until the transaction ends."""
    current = session()
    tenant_id = current_tenant_id()
    insert = pg_insert if current.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(VerifactuChainHead)
        .values(tenant_id=tenant_id, id=uuid.uuid4(), issuer_nif=issuer_nif, last_sequence=0, last_huella="")
        .on_conflict_do_nothing(index_elements=["tenant_id", "issuer_nif"])
    )
    current.execute(statement)
    return current.scalars(
        select(VerifactuChainHead).where(VerifactuChainHead.issuer_nif == issuer_nif)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def _generated_at(moment: datetime | None, timezone_name: str) -> str:
    return format_generated_at(moment or datetime.now(ZoneInfo(timezone_name)).replace(microsecond=0))


def _append(head: VerifactuChainHead, record: VerifactuRecord) -> VerifactuRecord:
    current = session()
    current.add(record)
    current.flush()
    head.last_record_id, head.last_sequence, head.last_huella = record.id, record.sequence, record.huella
    current.flush()
    return record


def add_alta_record(*, invoice: VerifactuInvoice, software: SoftwareInfo, source_document_id: uuid.UUID | None,
                    generated_at: datetime | None = None, timezone_name: str = "Europe/Madrid") -> VerifactuRecord:
    """Append a registro de alta to the issuer's chain in the current transaction (the caller commits)."""
    check_invoice(invoice)
    head = _lock_chain_head(invoice.issuer_nif)
    stamp = _generated_at(generated_at, timezone_name)
    total_tax, total_amount = format_amount(invoice.total_tax), format_amount(invoice.total_amount)
    huella = fingerprint(alta_fingerprint_input(
        issuer_nif=invoice.issuer_nif, invoice_number=invoice.invoice_number, issue_date=invoice.issue_date,
        invoice_type=invoice.invoice_type, total_tax=total_tax, total_amount=total_amount,
        previous_hash=head.last_huella, generated_at=stamp,
    ))
    details = {"invoice": _jsonable(asdict(invoice)), "software": asdict(software)}
    return _append(head, VerifactuRecord(
        issuer_nif=invoice.issuer_nif, issuer_name=invoice.issuer_name, sequence=head.last_sequence + 1,
        record_type="alta", invoice_number=invoice.invoice_number, issue_date=invoice.issue_date,
        invoice_type=invoice.invoice_type, total_tax=Decimal(total_tax), total_amount=Decimal(total_amount),
        previous_record_id=head.last_record_id, previous_huella=head.last_huella, huella=huella, generated_at=stamp,
        source_document_id=source_document_id, details=details,
    ))


def add_anulacion_record(*, cancellation: VerifactuCancellation, software: SoftwareInfo,
                         source_document_id: uuid.UUID | None, generated_at: datetime | None = None,
                         timezone_name: str = "Europe/Madrid") -> VerifactuRecord:
    """Append a registro de anulación to the issuer's chain in the current transaction (the caller commits)."""
    head = _lock_chain_head(cancellation.issuer_nif)
    stamp = _generated_at(generated_at, timezone_name)
    huella = fingerprint(anulacion_fingerprint_input(
        issuer_nif=cancellation.issuer_nif, invoice_number=cancellation.invoice_number,
        issue_date=cancellation.issue_date, previous_hash=head.last_huella, generated_at=stamp,
    ))
    details = {"cancellation": _jsonable(asdict(cancellation)), "software": asdict(software)}
    return _append(head, VerifactuRecord(
        issuer_nif=cancellation.issuer_nif, issuer_name=cancellation.issuer_name, sequence=head.last_sequence + 1,
        record_type="anulacion", invoice_number=cancellation.invoice_number, issue_date=cancellation.issue_date,
        previous_record_id=head.last_record_id, previous_huella=head.last_huella, huella=huella, generated_at=stamp,
        source_document_id=source_document_id, details=details,
    ))


def recompute_huella(record: VerifactuRecord) -> str:
    """Recompute a stored record's huella from its columns."""
    if record.record_type == "alta":
        text = alta_fingerprint_input(
            issuer_nif=record.issuer_nif, invoice_number=record.invoice_number, issue_date=record.issue_date,
            invoice_type=record.invoice_type or "", total_tax=format_amount(record.total_tax or Decimal("0")),
            total_amount=format_amount(record.total_amount or Decimal("0")), previous_hash=record.previous_huella,
            generated_at=record.generated_at,
        )
    else:
        text = anulacion_fingerprint_input(
            issuer_nif=record.issuer_nif, invoice_number=record.invoice_number, issue_date=record.issue_date,
            previous_hash=record.previous_huella, generated_at=record.generated_at,
        )
    return fingerprint(text)


@dataclass(frozen=True)
class ChainBreak:
    """The first record of a chain that does not verify, and why (Spanish)."""

    record_id: uuid.UUID
    issuer_nif: str
    sequence: int
    invoice_number: str
    reason: str


@dataclass
class ChainReport:
    """The result of verifying every chain of a tenant."""

    records_checked: int = 0
    issuers: list[str] = field(default_factory=list)
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        """Tell whether every chain verified."""
        return not self.breaks


def verify_chains() -> ChainReport:
    """Recompute every chain of the current tenant and report the first broken record of each issuer."""
    report = ChainReport()
    records = session().scalars(
        select(VerifactuRecord).order_by(VerifactuRecord.issuer_nif, VerifactuRecord.sequence)
    ).all()
    previous: VerifactuRecord | None = None
    broken_issuers: set[str] = set()
    for record in records:
        if previous is not None and previous.issuer_nif != record.issuer_nif:
            previous = None
        if record.issuer_nif not in report.issuers:
            report.issuers.append(record.issuer_nif)
        report.records_checked += 1
        if record.issuer_nif not in broken_issuers:
            reason = _break_reason(record, previous)
            if reason:
                broken_issuers.add(record.issuer_nif)
                report.breaks.append(ChainBreak(record.id, record.issuer_nif, record.sequence, record.invoice_number, reason))
        previous = record
    return report


def _break_reason(record: VerifactuRecord, previous: VerifactuRecord | None) -> str | None:
    expected_sequence = 1 if previous is None else previous.sequence + 1
    if record.sequence != expected_sequence:
        return f"falta el registro número {expected_sequence} de la cadena"
    expected_previous = "" if previous is None else previous.huella
    if record.previous_huella != expected_previous or record.previous_record_id != (previous.id if previous else None):
        return "la huella anterior no coincide con la del registro previo"
    if recompute_huella(record) != record.huella:
        return "la huella no corresponde a los datos del registro (datos alterados)"
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
