"""Marshmallow schemas of accounting: accounts, entries, settings, report queries and report documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import gestiq_app.validation  # noqa: F401 - Spanish messages
from gestiq_app.accounting.models import ACCOUNT_TYPES
from gestiq_app.fields import DecimalRange, Money, UtcDateTime

DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error="Fecha fuera del rango admitido (2000–2099).")
CODE = validate.Regexp(r"^[0-9][0-9.]{0,19}$", error="Solo cifras y puntos (máximo 20).")
AMOUNT = DecimalRange(min=Decimal("0"), max=Decimal("9999999999.99"))
FORMATS = ("json", "csv", "xlsx")


class AccountSchema(Schema):
    """An account of the chart."""

    id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    type = fields.String(dump_only=True, metadata={"enum": list(ACCOUNT_TYPES)})
    parent_id = fields.UUID(dump_only=True, allow_none=True)
    is_postable = fields.Boolean(dump_only=True)
    is_system = fields.Boolean(dump_only=True)


class AccountListSchema(Schema):
    """The whole chart of accounts."""

    items = fields.List(fields.Nested(AccountSchema), required=True)


class AccountCreateSchema(Schema):
    """A sub-account under an account of the chart (it takes the parent's type)."""

    parent_code = fields.String(required=True, validate=CODE)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class EntryLineInputSchema(Schema):
    """A line of a manual entry: an account (id or code) and a debit or a credit."""

    account_id = fields.UUID(load_default=None, allow_none=True)
    account_code = fields.String(load_default=None, allow_none=True, validate=CODE)
    debit = Money(load_default=Decimal("0"), validate=AMOUNT)
    credit = Money(load_default=Decimal("0"), validate=AMOUNT)
    party_id = fields.UUID(load_default=None, allow_none=True)
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _one_account_one_side(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("account_id") is None) == (data.get("account_code") is None):
            raise ValidationError("Indique account_id o account_code (uno de los dos).", field_name="account_code")
        if (data.get("debit") or 0) > 0 and (data.get("credit") or 0) > 0:
            raise ValidationError("Una línea va al debe o al haber, no a los dos.", field_name="credit")


class EntryCreateSchema(Schema):
    """A manual journal entry."""

    entry_date = fields.Date(required=True, validate=DATES)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    lines = fields.List(fields.Nested(EntryLineInputSchema), required=True, validate=validate.Length(min=2, max=500))


class ReverseSchema(Schema):
    """Reverse an entry on a date (default: the entry's own date)."""

    entry_date = fields.Date(load_default=None, allow_none=True, validate=DATES)


class EntryLineSchema(Schema):
    """A line of an entry."""

    position = fields.Integer(dump_only=True)
    account_id = fields.UUID(dump_only=True)
    account_code = fields.Function(lambda line: line.account.code, dump_only=True, metadata={"type": "string"})
    debit = Money(dump_only=True)
    credit = Money(dump_only=True)
    party_id = fields.UUID(dump_only=True, allow_none=True)
    description = fields.String(dump_only=True, allow_none=True)
    tax_rate = Money(places=4, dump_only=True, allow_none=True)
    tax_base = Money(dump_only=True, allow_none=True)


class EntrySchema(Schema):
    """A journal entry with its lines."""

    id = fields.UUID(dump_only=True)
    entry_date = fields.Date(dump_only=True)
    description = fields.String(dump_only=True)
    source_type = fields.String(dump_only=True, allow_none=True)
    source_id = fields.UUID(dump_only=True, allow_none=True)
    reference = fields.String(dump_only=True, allow_none=True)
    reversal_of_id = fields.UUID(dump_only=True, allow_none=True)
    is_posted = fields.Boolean(dump_only=True)
    created_by = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    lines = fields.List(fields.Nested(EntryLineSchema), dump_only=True)


class EntryQuerySchema(Schema):
    """Filters of the entry list."""

    date_from = fields.Date(load_default=None, validate=DATES)
    date_to = fields.Date(load_default=None, validate=DATES)
    source_type = fields.String(load_default=None, validate=validate.OneOf(("sales_document", "purchase_document", "payment", "refund", "purchase_payment", "opening_balance")))
    account_id = fields.UUID(load_default=None)


class AccountingSettingsSchema(Schema):
    """The tenant's accounting settings."""

    country = fields.String(dump_only=True)
    currency = fields.String(dump_only=True)
    lock_date = fields.Date(allow_none=True, required=True, validate=DATES,
                            metadata={"description": "Nada se contabiliza en esta fecha ni antes (null: sin cierre)."})


class LockDateSchema(Schema):
    """A new lock date (null reopens every period)."""

    lock_date = fields.Date(required=True, allow_none=True, validate=DATES)


class ReportFormatSchema(Schema):
    """?format= of a report: json (default), csv or xlsx."""

    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class PeriodQuerySchema(ReportFormatSchema):
    """A period: date_from (optional: from the first entry) and date_to (default: today)."""

    date_from = fields.Date(load_default=None, validate=DATES)
    date_to = fields.Date(load_default=None, validate=DATES)


class RequiredPeriodQuerySchema(ReportFormatSchema):
    """A period with both ends (VAT returns)."""

    date_from = fields.Date(required=True, validate=DATES)
    date_to = fields.Date(required=True, validate=DATES)


class LedgerQuerySchema(PeriodQuerySchema):
    """The account of a ledger and its period."""

    account_code = fields.String(required=True, validate=CODE)


class AsOfQuerySchema(ReportFormatSchema):
    """A date (default: today)."""

    as_of = fields.Date(load_default=None, validate=DATES)


class _Header(Schema):
    country = fields.String(required=True)
    currency = fields.String(required=True)


class _PeriodHeader(_Header):
    date_from = fields.Date(allow_none=True, required=True)
    date_to = fields.Date(required=True)


class AccountMovementSchema(Schema):
    """An account's sums in a period."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)
    debit = Money(required=True)
    credit = Money(required=True)
    balance = Money(required=True, metadata={"description": "Debe − haber."})


class AccountAmountSchema(AccountMovementSchema):
    """An account's sums and its amount in a statement (sign by section)."""

    amount = Money(required=True)


class TrialBalanceSchema(_PeriodHeader):
    """Sumas y saldos."""

    accounts = fields.List(fields.Nested(AccountMovementSchema), required=True)
    total_debit = Money(required=True)
    total_credit = Money(required=True)
    is_balanced = fields.Boolean(required=True)


class LedgerLineSchema(Schema):
    """A ledger line with the running balance."""

    entry_id = fields.UUID(required=True)
    entry_date = fields.Date(required=True)
    description = fields.String(required=True)
    reference = fields.String(allow_none=True, required=True)
    line_description = fields.String(allow_none=True, required=True)
    party_id = fields.UUID(allow_none=True, required=True)
    debit = Money(required=True)
    credit = Money(required=True)
    balance = Money(required=True)


class LedgerAccountSchema(Schema):
    """The ledger's account."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)


class GeneralLedgerSchema(_PeriodHeader):
    """Libro mayor of one account."""

    account = fields.Nested(LedgerAccountSchema, required=True)
    opening_balance = Money(required=True)
    lines = fields.List(fields.Nested(LedgerLineSchema), required=True)
    closing_balance = Money(required=True)


class ProfitAndLossSchema(_PeriodHeader):
    """Cuenta de pérdidas y ganancias."""

    income = fields.List(fields.Nested(AccountAmountSchema), required=True)
    expenses = fields.List(fields.Nested(AccountAmountSchema), required=True)
    total_income = Money(required=True)
    total_expenses = Money(required=True)
    result = Money(required=True)


class BalanceSheetSchema(_Header):
    """Balance de situación."""

    as_of = fields.Date(required=True)
    assets = fields.List(fields.Nested(AccountAmountSchema), required=True)
    liabilities = fields.List(fields.Nested(AccountAmountSchema), required=True)
    equity = fields.List(fields.Nested(AccountAmountSchema), required=True)
    result_of_the_period = Money(required=True)
    total_assets = Money(required=True)
    total_liabilities = Money(required=True)
    total_equity = Money(required=True)
    total_liabilities_and_equity = Money(required=True)
    is_balanced = fields.Boolean(required=True)


class _Buckets(Schema):
    current = Money(required=True)
    days_1_30 = Money(required=True)
    days_31_60 = Money(required=True)
    days_61_90 = Money(required=True)
    days_over_90 = Money(required=True)
    total = Money(required=True)


class AgedPartySchema(_Buckets):
    """What one customer or supplier owes or is owed, by age."""

    party_id = fields.UUID(allow_none=True, required=True)
    name = fields.String(required=True)


class AgedReportSchema(_Header, _Buckets):
    """Aged receivables or payables."""

    as_of = fields.Date(required=True)
    parties = fields.List(fields.Nested(AgedPartySchema), required=True)


class TaxRowSchema(Schema):
    """Base and tax at one rate."""

    tax_type = fields.String()
    kind = fields.String()
    rate = Money(places=4, allow_none=True, required=True)
    authority_code = fields.String(allow_none=True)
    code = fields.String(metadata={"description": "Código de la retención (SRI; irpf en España)."})
    base = Money(required=True)
    amount = Money(required=True)


class VatTotalsSchema(Schema):
    """Totals of the VAT return."""

    output_tax = Money(required=True)
    surcharge = Money(required=True)
    accrued_tax = Money(required=True)
    input_tax = Money(required=True)
    non_deductible_tax = Money(required=True, metadata={"description": "IVA soportado no deducible (no se resta)."})
    result = Money(required=True)
    withheld_iva = Money(required=True)
    withheld_renta = Money(required=True)
    withheld_by_customers = Money(required=True)


class FigureSchema(Schema):
    """A figure of the return, in the form's words."""

    label = fields.String(required=True)
    amount = Money(required=True)


class VatSummarySchema(_PeriodHeader):
    """Modelo 303 (Spain) or formulario 104 (Ecuador) figures of a period."""

    form = fields.String(required=True, metadata={"enum": ["303", "104"]})
    output_tax = fields.List(fields.Nested(TaxRowSchema), required=True)
    surcharge = fields.List(fields.Nested(TaxRowSchema), required=True)
    input_tax = fields.List(fields.Nested(TaxRowSchema), required=True)
    non_deductible_input_tax = fields.List(fields.Nested(TaxRowSchema), required=True)
    withholdings = fields.List(fields.Nested(TaxRowSchema), required=True)
    withheld_by_customers = fields.List(fields.Nested(TaxRowSchema), required=True)
    totals = fields.Nested(VatTotalsSchema, required=True)
    figures = fields.List(fields.Nested(FigureSchema), required=True)


class TopCustomerSchema(Schema):
    """A customer and its net sales of the last 12 months."""

    customer_id = fields.UUID(required=True)
    name = fields.String(required=True)
    sales = Money(required=True)


class MonthSchema(Schema):
    """One month of the chart."""

    month = fields.String(required=True, metadata={"example": "2026-11"})
    sales = Money(required=True)
    purchases = Money(required=True)


class DashboardSchema(Schema):
    """The tenant dashboard."""

    currency = fields.String(required=True)
    today = fields.Date(required=True)
    sales_this_month = Money(required=True)
    sales_last_month = Money(required=True)
    sales_change_percent = Money(places=1, allow_none=True, required=True)
    receivables_outstanding = Money(required=True)
    receivables_overdue = Money(required=True)
    overdue_invoices = fields.Integer(required=True)
    top_customers = fields.List(fields.Nested(TopCustomerSchema), required=True)
    monthly = fields.List(fields.Nested(MonthSchema), required=True)
