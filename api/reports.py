"""/api/v1/reports: accounting reports as JSON, or ?format=csv / ?format=xlsx downloads of the same figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import current_principal, require
from gestiq_app.accounting import reports, vat
from gestiq_app.accounting.exports import CSV_MIMETYPE, XLSX_MIMETYPE, report_table, to_csv, to_xlsx
from gestiq_app.accounting.schemas import (
    AgedReportSchema,
    AsOfQuerySchema,
    BalanceSheetSchema,
    GeneralLedgerSchema,
    LedgerQuerySchema,
    PeriodQuerySchema,
    ProfitAndLossSchema,
    RequiredPeriodQuerySchema,
    TrialBalanceSchema,
    VatSummarySchema,
)
from gestiq_app.sales.settings import tenant_today

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Informes contables y fiscales (JSON, CSV, XLSX)")
TITLES = {
    "trial-balance": "Sumas y saldos", "general-ledger": "Libro mayor", "profit-and-loss": "Pérdidas y ganancias",
    "balance-sheet": "Balance", "aged-receivables": "Antigüedad de cobros", "aged-payables": "Antigüedad de pagos",
    "vat-summary": "Resumen de IVA",
}


def file_formats(schema: Any) -> dict[str, Any]:
    """Document the 200 answer in its three formats (JSON by default, CSV and XLSX with ?format=)."""
    return {"200": {"description": "JSON; con ?format=csv o ?format=xlsx, el mismo informe como descarga", "content": {
        "application/json": {"schema": schema},
        CSV_MIMETYPE: {"schema": {"type": "string"}},
        XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
    }}}


def _answer(kind: str, args: dict[str, Any], build: Callable[[uuid.UUID], dict[str, Any]], schema: Any) -> Any:
    """Build the report and answer JSON, or a CSV/XLSX download of the same figures."""
    data = build(current_principal().tenant_id)  # type: ignore[arg-type]
    if args["format"] == "json":
        return data
    header, rows = report_table(kind, data)
    if args["format"] == "csv":
        body, mimetype = to_csv(header, rows), CSV_MIMETYPE
    else:
        body, mimetype = to_xlsx(TITLES[kind], header, rows), XLSX_MIMETYPE
    extension = args["format"]
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{kind}.{extension}"'})


def _today(tenant_id: uuid.UUID) -> Any:
    return tenant_today(tenant_id=tenant_id)


@blp.route("/trial-balance")
class TrialBalance(MethodView):
    """Sumas y saldos."""

    @require("reports:read")
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200, TrialBalanceSchema)
    @blp.doc(responses=file_formats(TrialBalanceSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Debits, credits and balance of every account moved in the period."""
        return _answer("trial-balance", args, lambda tid: reports.trial_balance(
            tenant_id=tid, date_from=args["date_from"], date_to=args["date_to"] or _today(tid)), TrialBalanceSchema)


@blp.route("/general-ledger")
class GeneralLedger(MethodView):
    """Libro mayor."""

    @require("reports:read")
    @blp.arguments(LedgerQuerySchema, location="query")
    @blp.response(200, GeneralLedgerSchema)
    @blp.alt_response(404, description="La cuenta no existe")
    @blp.doc(responses=file_formats(GeneralLedgerSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Opening balance, lines with running balance and closing balance of one account."""
        return _answer("general-ledger", args, lambda tid: reports.general_ledger(
            tenant_id=tid, account_code=args["account_code"], date_from=args["date_from"],
            date_to=args["date_to"] or _today(tid)), GeneralLedgerSchema)


@blp.route("/profit-and-loss")
class ProfitAndLoss(MethodView):
    """Pérdidas y ganancias."""

    @require("reports:read")
    @blp.arguments(PeriodQuerySchema, location="query")
    @blp.response(200, ProfitAndLossSchema)
    @blp.doc(responses=file_formats(ProfitAndLossSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Income, expenses and result of the period."""
        return _answer("profit-and-loss", args, lambda tid: reports.profit_and_loss(
            tenant_id=tid, date_from=args["date_from"], date_to=args["date_to"] or _today(tid)), ProfitAndLossSchema)


@blp.route("/balance-sheet")
class BalanceSheet(MethodView):
    """Balance de situación."""

    @require("reports:read")
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, BalanceSheetSchema)
    @blp.doc(responses=file_formats(BalanceSheetSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Assets, liabilities and equity at a date."""
        return _answer("balance-sheet", args, lambda tid: reports.balance_sheet(
            tenant_id=tid, as_of=args["as_of"] or _today(tid)), BalanceSheetSchema)


@blp.route("/aged-receivables")
class AgedReceivables(MethodView):
    """Antigüedad de saldos de clientes."""

    @require("reports:read")
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, AgedReportSchema)
    @blp.doc(responses=file_formats(AgedReportSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Unpaid invoices per customer, by days past due."""
        return _answer("aged-receivables", args, lambda tid: reports.aged_receivables(
            tenant_id=tid, as_of=args["as_of"] or _today(tid)), AgedReportSchema)


@blp.route("/aged-payables")
class AgedPayables(MethodView):
    """Antigüedad de saldos de proveedores."""

    @require("reports:read")
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, AgedReportSchema)
    @blp.doc(responses=file_formats(AgedReportSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """What is owed to each supplier on recorded purchase documents (amount due), by age."""
        return _answer("aged-payables", args, lambda tid: reports.aged_payables(
            tenant_id=tid, as_of=args["as_of"] or _today(tid)), AgedReportSchema)


@blp.route("/vat-summary")
class VatSummary(MethodView):
    """Resumen de IVA: modelo 303 / formulario 104."""

    @require("reports:read")
    @blp.arguments(RequiredPeriodQuerySchema, location="query")
    @blp.response(200, VatSummarySchema)
    @blp.doc(responses=file_formats(VatSummarySchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Output tax by rate (from the issued documents), deductible input tax, withholdings and the result."""
        return _answer("vat-summary", args, lambda tid: vat.vat_summary(
            tenant_id=tid, date_from=args["date_from"], date_to=args["date_to"]), VatSummarySchema)
