"""Double entry enforced by the service and by the database; issue + entry atomic; lock date; reversals."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError

from gestiq_app.accounting import journal, services
from gestiq_app.accounting.chart import account_id_for
from gestiq_app.accounting.exceptions import EntryConflictError, EntryInvalidError, PeriodLockedError
from gestiq_app.accounting.models import JournalEntry, PostedEntryImmutableError
from gestiq_app.extensions import db
from gestiq_app.sales.models import SalesDocument
from gestiq_app.tenancy.context import tenant_context
from tests.accounting.helpers import entry_lines, journal_snapshot
from tests.sales.helpers import create_invoice, issue, line, reload, sales_snapshot

Z = D("0")


def _manual(tenant, lines, entry_date=date(2026, 2, 1)):  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return services.create_manual_entry(tenant_id=tenant.id, actor="test", data={
            "entry_date": entry_date, "description": "Aportación de capital",
            "lines": [{"account_code": code, "debit": D(debit), "credit": D(credit_)} for code, debit, credit_ in lines]})


def test_manual_entry_is_posted_balanced(es_tenant) -> None:  # type: ignore[no-untyped-def]
    entry = _manual(es_tenant, [("572", "3000.00", "0"), ("100", "0", "3000.00")])
    assert entry.is_posted is True
    assert entry_lines(es_tenant, entry_id=entry.id) == [("572", D("3000.00"), Z), ("100", Z, D("3000.00"))]


@pytest.mark.parametrize(("lines", "field", "message"), [
    ([("572", "100.00", "0"), ("100", "0", "99.99")], "lines", "El asiento no cuadra: debe 100.00 ≠ haber 99.99."),
    ([("572", "100.00", "0")], "lines", "Un asiento necesita al menos dos líneas."),
    ([("572", "100.00", "0"), ("57", "0", "100.00")], "lines.1.account", "La cuenta 57 es de grupo: use una subcuenta."),
    ([("572", "100.00", "0"), ("999", "0", "100.00")], "lines.1.account", "La cuenta no existe."),
    ([("572", "100.005", "0"), ("100", "0", "100.005")], "lines.0.amount", "Como máximo 2 decimales."),
])
def test_service_refuses_invalid_entries_and_writes_nothing(es_tenant, lines, field, message) -> None:  # type: ignore[no-untyped-def]
    before = journal_snapshot(es_tenant.id)
    with pytest.raises(EntryInvalidError) as raised:
        _manual(es_tenant, lines)
    assert message in raised.value.errors[field]
    assert journal_snapshot(es_tenant.id) == before


def _raw_unbalanced_entry(connection, tenant_id: uuid.UUID) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """Insert an unposted entry with lines 100.00 debit / 90.00 credit (posting flips is_posted afterwards)."""
    entry_id = uuid.uuid4()
    sqlite = connection.dialect.name == "sqlite"
    ident = (lambda value: value.hex) if sqlite else str
    connection.execute(text("INSERT INTO journal_entries (tenant_id, id, entry_date, description, is_posted, created_by, created_at, updated_at) "
                            "VALUES (:t, :i, '2026-02-01', 'raw', :p, 'test', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                       {"t": ident(tenant_id), "i": ident(entry_id), "p": False})
    for code, debit, credit in (("572", "100.00", "0"), ("100", "0", "90.00")):
        connection.execute(text("INSERT INTO journal_lines (tenant_id, id, entry_id, position, account_id, debit, credit) "
                                "VALUES (:t, :i, :e, 1, :a, :d, :c)"),
                           {"t": ident(tenant_id), "i": ident(uuid.uuid4()), "e": ident(entry_id),
                            "a": ident(account_id_for(tenant_id, code)), "d": debit, "c": credit})
    return entry_id


def test_database_refuses_an_unbalanced_entry_written_with_raw_sql(es_tenant) -> None:  # type: ignore[no-untyped-def]
    """SQLite: the trigger on the is_posted update. PostgreSQL: the constraint trigger at commit (runtime role, via the app)."""
    with tenant_context(es_tenant.id):
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            entry_id = _raw_unbalanced_entry(connection, es_tenant.id)
            with pytest.raises(IntegrityError, match="journal entry is unbalanced"):
                connection.execute(text("UPDATE journal_entries SET is_posted = 1 WHERE id = :i"), {"i": entry_id.hex})
            db.session.rollback()
        else:
            entry_id = _raw_unbalanced_entry(connection, es_tenant.id)
            connection.execute(text("UPDATE journal_entries SET is_posted = true WHERE id = :i"), {"i": entry_id})
            with pytest.raises(IntegrityError, match="is unbalanced: debit 100.00, credit 90.00"):
                db.session.commit()
            db.session.rollback()
    assert journal_snapshot(es_tenant.id)["journal_entries"] == []


@pytest.mark.postgres
def test_postgres_constraint_trigger_rejects_unbalanced_insert_as_the_runtime_role(es_tenant, database_urls) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(database_urls["runtime"])
    try:
        with engine.connect() as connection:  # autobegin: one transaction until commit/rollback
            assert connection.execute(text("SELECT current_user")).scalar_one() != "postgres"
            tenant = {"t": str(es_tenant.id)}
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), tenant)
            entry_id = _raw_unbalanced_entry(connection, es_tenant.id)  # accepted until commit: the check is deferred
            connection.execute(text("UPDATE journal_entries SET is_posted = true WHERE id = :i"), {"i": entry_id})
            with pytest.raises(IntegrityError, match="unbalanced"):
                connection.commit()
            connection.rollback()
            # A balanced entry is accepted.
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), tenant)
            entry_id = _raw_unbalanced_entry(connection, es_tenant.id)
            connection.execute(text("INSERT INTO journal_lines (tenant_id, id, entry_id, position, account_id, debit, credit) "
                                    "VALUES (:t, :i, :e, 3, :a, 0, 10)"),
                               {**tenant, "i": str(uuid.uuid4()), "e": str(entry_id), "a": str(account_id_for(es_tenant.id, "100"))})
            connection.execute(text("UPDATE journal_entries SET is_posted = true WHERE id = :i"), {"i": entry_id})
            connection.commit()
            # Posted: the runtime role can neither change, extend nor delete it.
            for statement in ("UPDATE journal_lines SET debit = 1 WHERE entry_id = :e", "DELETE FROM journal_lines WHERE entry_id = :e",
                              "INSERT INTO journal_lines (tenant_id, id, entry_id, position, account_id, debit, credit) "
                              "SELECT tenant_id, gen_random_uuid(), entry_id, 9, account_id, 5, 0 FROM journal_lines WHERE entry_id = :e LIMIT 1",
                              "UPDATE journal_entries SET description = 'x' WHERE id = :e", "DELETE FROM journal_entries WHERE id = :e"):
                connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), tenant)
                with pytest.raises(ProgrammingError, match="append-only"):
                    connection.execute(text(statement), {"e": str(entry_id)})
                connection.rollback()
    finally:
        engine.dispose()
    assert len(journal_snapshot(es_tenant.id)["journal_lines"]) == 3


def test_posted_entries_are_append_only_in_the_orm(es_tenant) -> None:  # type: ignore[no-untyped-def]
    entry = _manual(es_tenant, [("572", "10.00", "0"), ("100", "0", "10.00")])
    with tenant_context(es_tenant.id):
        loaded = db.session.get(JournalEntry, entry.id)
        loaded.description = "cambiado"
        with pytest.raises(PostedEntryImmutableError):
            db.session.flush()
        db.session.rollback()
        loaded = db.session.get(JournalEntry, entry.id)
        loaded.lines[0].debit = D("11.00")
        with pytest.raises(PostedEntryImmutableError):
            db.session.flush()
        db.session.rollback()


def test_issuing_and_posting_commit_together_or_not_at_all(es_tenant, es_customer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    draft = create_invoice(es_tenant, es_customer, [line("1", "100.00")], issue_date=date(2026, 3, 1))
    before_sales, before_journal = sales_snapshot(es_tenant.id), journal_snapshot(es_tenant.id)
    added = []

    def fail_after_adding(entry):  # type: ignore[no-untyped-def]
        added.append(entry.id)
        raise RuntimeError("fallo inyectado después de añadir el asiento")

    monkeypatch.setattr(journal, "mark_posted", fail_after_adding)
    with pytest.raises(RuntimeError, match="fallo inyectado"):
        issue(es_tenant, draft.id)
    assert len(added) == 1
    assert sales_snapshot(es_tenant.id) == before_sales  # still a draft, no number taken from the series
    assert journal_snapshot(es_tenant.id) == before_journal
    assert reload(es_tenant, draft.id).state == "draft"
    monkeypatch.undo()
    issued = issue(es_tenant, draft.id)
    assert (issued.state, issued.number) == ("issued", 1)
    assert entry_lines(es_tenant, source_id=draft.id) == [("430", D("121.00"), Z), ("700", Z, D("100.00")), ("477", Z, D("21.00"))]


def test_a_document_posts_once(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.accounting.posting import post_sales_document
    from gestiq_app.db import unit_of_work

    invoice = issue(es_tenant, create_invoice(es_tenant, es_customer, [line("1", "10.00")]).id)
    with tenant_context(es_tenant.id):
        document = db.session.get(SalesDocument, invoice.id)
        with pytest.raises(EntryConflictError, match="ya está contabilizado"):
            with unit_of_work():
                post_sales_document(document=document)


def test_lock_date_refuses_postings_and_issuing_in_the_closed_period(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.accounting import reports

    _manual(es_tenant, [("572", "500.00", "0"), ("100", "0", "500.00")], entry_date=date(2026, 1, 20))
    with tenant_context(es_tenant.id):
        report_before = reports.trial_balance(tenant_id=es_tenant.id, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
        settings = services.set_lock_date(tenant_id=es_tenant.id, lock_date=date(2026, 1, 31), actor="test")
    assert settings.lock_date == date(2026, 1, 31)
    before = journal_snapshot(es_tenant.id)
    with pytest.raises(PeriodLockedError) as raised:
        _manual(es_tenant, [("572", "1.00", "0"), ("100", "0", "1.00")], entry_date=date(2026, 1, 31))
    assert raised.value.message == "El periodo está cerrado: no se puede contabilizar con fecha 31/01/2026 (fecha de cierre 31/01/2026)."
    draft = create_invoice(es_tenant, es_customer, [line("1", "100.00")], issue_date=date(2026, 1, 15))
    sales_before = sales_snapshot(es_tenant.id)
    with pytest.raises(PeriodLockedError):
        issue(es_tenant, draft.id)
    assert sales_snapshot(es_tenant.id) == sales_before
    with pytest.raises(PeriodLockedError):
        with tenant_context(es_tenant.id):
            services.reverse_entry(tenant_id=es_tenant.id, entry_id=before_entry_id(es_tenant), entry_date=None, actor="test")
    assert journal_snapshot(es_tenant.id) == before
    # The next day is open; the closed month's report is unchanged.
    _manual(es_tenant, [("572", "1.00", "0"), ("100", "0", "1.00")], entry_date=date(2026, 2, 1))
    assert issue(es_tenant, draft.id, issue_date=date(2026, 2, 2)).state == "issued"
    with tenant_context(es_tenant.id):
        assert reports.trial_balance(tenant_id=es_tenant.id, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)) == report_before


def before_entry_id(tenant) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id):
        return db.session.scalar(select(JournalEntry.id).order_by(JournalEntry.entry_date).limit(1))


def test_reversal_mirrors_the_entry_once(es_tenant) -> None:  # type: ignore[no-untyped-def]
    entry = _manual(es_tenant, [("572", "70.00", "0"), ("100", "0", "70.00")])
    with tenant_context(es_tenant.id):
        reversal = services.reverse_entry(tenant_id=es_tenant.id, entry_id=entry.id, entry_date=date(2026, 2, 5), actor="test")
    assert (reversal.reversal_of_id, reversal.entry_date, reversal.description) == (entry.id, date(2026, 2, 5), "Anulación: Aportación de capital")
    assert entry_lines(es_tenant, entry_id=reversal.id) == [("572", Z, D("70.00")), ("100", D("70.00"), Z)]
    with pytest.raises(EntryConflictError, match="ya está anulado"):
        with tenant_context(es_tenant.id):
            services.reverse_entry(tenant_id=es_tenant.id, entry_id=entry.id, entry_date=None, actor="test")


def test_raw_updates_of_a_posted_entry_are_refused_by_the_database(es_tenant) -> None:  # type: ignore[no-untyped-def]
    entry = _manual(es_tenant, [("572", "10.00", "0"), ("100", "0", "10.00")])
    with tenant_context(es_tenant.id):
        entry_id = entry.id
        connection = db.session.connection()
        key = entry_id.hex if connection.dialect.name == "sqlite" else entry_id
        for statement in ("UPDATE journal_lines SET debit = 1 WHERE entry_id = :e AND debit > 0",
                          "UPDATE journal_entries SET entry_date = '2026-01-01' WHERE id = :e"):
            with pytest.raises((IntegrityError, ProgrammingError), match="append-only"):
                db.session.execute(text(statement), {"e": key})
            db.session.rollback()
    assert entry_lines(es_tenant, entry_id=entry_id) == [("572", D("10.00"), Z), ("100", Z, D("10.00"))]


def test_a_tenant_without_a_chart_gets_it_on_its_first_posting(app_context) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.accounting.models import Account
    from tests.accounting.helpers import Purchase, PurchaseTax, emit_in_unit_of_work
    from tests.factories import make_bare_tenant

    tenant = make_bare_tenant()  # provisioned before accounting existed: no chart
    with tenant_context(tenant.id):
        assert db.session.scalar(select(Account.id).limit(1)) is None
    db.session.rollback()
    purchase = Purchase(tenant_id=tenant.id, subtotal=D("10.00"), tax_total=D("2.10"), withholding_total=D("0"), total=D("12.10"),
                        taxes=[PurchaseTax("iva", D("21"), D("10.00"), D("2.10"))])
    emit_in_unit_of_work(tenant, "purchases.invoice_recorded", document=purchase)
    assert entry_lines(tenant, source_id=purchase.id) == [("600", D("10.00"), Z), ("472", D("2.10"), Z), ("400", Z, D("12.10"))]
    with tenant_context(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Account)) == 36


def test_an_entry_posted_from_a_document_is_not_reversed_by_hand(es_tenant, es_customer) -> None:  # type: ignore[no-untyped-def]
    invoice = issue(es_tenant, create_invoice(es_tenant, es_customer, [line("1", "10.00")]).id)
    with tenant_context(es_tenant.id):
        entry_id = db.session.scalar(select(JournalEntry.id).where(JournalEntry.source_id == invoice.id))
        with pytest.raises(EntryConflictError, match="corríjalo con el documento"):
            services.reverse_entry(tenant_id=es_tenant.id, entry_id=entry_id, entry_date=None, actor="test")
