"""/api/v1/accounting: chart of accounts, journal entries (manual entries, reversals) and the lock date."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from api.common import PageQuerySchema, page_schema, paginate
from api.idempotency import idempotent
from api.security import current_principal, require
from gestiq_app.accounting import services
from gestiq_app.accounting.models import JournalEntry, JournalLine
from gestiq_app.accounting.schemas import (
    AccountCreateSchema,
    AccountingSettingsSchema,
    AccountListSchema,
    AccountSchema,
    EntryCreateSchema,
    EntryQuerySchema,
    EntrySchema,
    LockDateSchema,
    ReverseSchema,
)

blp = Blueprint("accounting", __name__, url_prefix="/api/v1/accounting", description="Contabilidad: plan de cuentas, asientos y cierre")
EntryPageSchema = page_schema(EntrySchema)
SORTABLE = {"entry_date": JournalEntry.entry_date, "created_at": JournalEntry.created_at}


class EntryListQuerySchema(PageQuerySchema, EntryQuerySchema):
    """?page=&page_size=&sort= plus the entry filters."""


def _tenant_id() -> uuid.UUID:
    return current_principal().tenant_id  # type: ignore[return-value]


@blp.route("/accounts")
class Accounts(MethodView):
    """The chart of accounts."""

    @require("accounting:read")
    @blp.response(200, AccountListSchema)
    def get(self) -> Any:
        """List every account of the chart, ordered by code."""
        return {"items": services.list_accounts(tenant_id=_tenant_id())}

    @require("accounting:write")
    @idempotent
    @blp.arguments(AccountCreateSchema)
    @blp.response(201, AccountSchema)
    @blp.alt_response(409, description="Ya existe una cuenta con ese código")
    @blp.alt_response(422, description="Cuenta padre desconocida o código fuera de su rama")
    def post(self, data: dict[str, Any]) -> Any:
        """Add a sub-account under an account of the chart."""
        principal = current_principal()
        account = services.create_account(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return account, 201, {"Location": f"/api/v1/accounting/accounts/{account.id}"}


@blp.route("/accounts/<uuid:account_id>")
class AccountItem(MethodView):
    """One account."""

    @require("accounting:read")
    @blp.response(200, AccountSchema)
    @blp.alt_response(404, description="No existe")
    def get(self, account_id: uuid.UUID) -> Any:
        """Return one account."""
        return services.get_account(tenant_id=_tenant_id(), account_id=account_id)


@blp.route("/entries")
class Entries(MethodView):
    """Journal entries."""

    @require("accounting:read")
    @blp.arguments(EntryListQuerySchema, location="query")
    @blp.response(200, EntryPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List entries (newest first), filtered by dates, source type or account."""
        statement = services.list_entries_query(filters=args).options(
            selectinload(JournalEntry.lines).selectinload(JournalLine.account))
        return paginate(statement, args, sortable=SORTABLE, default_sort="-entry_date")

    @require("accounting:write")
    @idempotent
    @blp.arguments(EntryCreateSchema)
    @blp.response(201, EntrySchema)
    @blp.alt_response(409, description="Periodo cerrado (fecha de cierre)")
    @blp.alt_response(422, description="El asiento no cuadra o una cuenta no es válida")
    def post(self, data: dict[str, Any]) -> Any:
        """Post a manual entry: debits must equal credits, on postable accounts, after the lock date."""
        principal = current_principal()
        entry = services.create_manual_entry(tenant_id=principal.tenant_id, data=data, actor=principal.actor)  # type: ignore[arg-type]
        return entry, 201, {"Location": f"/api/v1/accounting/entries/{entry.id}"}


@blp.route("/entries/<uuid:entry_id>")
class EntryItem(MethodView):
    """One entry."""

    @require("accounting:read")
    @blp.response(200, EntrySchema)
    @blp.alt_response(404, description="No existe")
    def get(self, entry_id: uuid.UUID) -> Any:
        """Return an entry with its lines."""
        return services.get_entry(tenant_id=_tenant_id(), entry_id=entry_id)


@blp.route("/entries/<uuid:entry_id>/reverse")
class EntryReverse(MethodView):
    """Reverse an entry."""

    @require("accounting:write")
    @idempotent
    @blp.arguments(ReverseSchema, required=False)
    @blp.response(201, EntrySchema)
    @blp.alt_response(404, description="No existe")
    @blp.alt_response(409, description="Ya anulado, o la fecha cae en un periodo cerrado")
    def post(self, data: dict[str, Any], entry_id: uuid.UUID) -> Any:
        """Post the mirror entry (debits and credits swapped); posted entries are never edited."""
        principal = current_principal()
        reversal = services.reverse_entry(tenant_id=principal.tenant_id, entry_id=entry_id,  # type: ignore[arg-type]
                                          entry_date=(data or {}).get("entry_date"), actor=principal.actor)
        return reversal, 201, {"Location": f"/api/v1/accounting/entries/{reversal.id}"}


@blp.route("/settings")
class Settings(MethodView):
    """Accounting settings: the lock date."""

    @require("accounting:read")
    @blp.response(200, AccountingSettingsSchema)
    def get(self) -> Any:
        """Return the country, currency and lock date."""
        return services.get_settings(tenant_id=_tenant_id())

    @require("accounting:write")
    @blp.arguments(LockDateSchema)
    @blp.response(200, AccountingSettingsSchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Set the lock date: nothing is posted on or before it (null reopens)."""
        principal = current_principal()
        return services.set_lock_date(tenant_id=principal.tenant_id, lock_date=data["lock_date"], actor=principal.actor)  # type: ignore[arg-type]
