"""Import kind `opening_balances`: a realistic CSV becomes ONE «Asiento de apertura» — row checks, balance, promote, undo."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import func, select

from gestiq_app.accounting.models import JournalEntry
from gestiq_app.audit.models import AuditEvent
from gestiq_app.extensions import db
from gestiq_app.imports import balances
from gestiq_app.imports.models import ImportBatch
from gestiq_app.tenancy.context import tenant_context
from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.imports.helpers import lineage_rows, new_batch, upload

# A Spanish accountant's export: `;`, Windows-1252 (accents), decimal comma with thousands dots, empty cells.
CSV = (
    "Cuenta;Descripción;Debe;Haber\r\n"
    "100;Capital social;;10.000,00\r\n"            # 2
    "129;Resultado del ejercicio;;1.234,56\r\n"    # 3
    "400;Proveedores;;2.500,00\r\n"                # 4
    "430;Clientes;4.300,50;\r\n"                   # 5
    "570;Caja, euros;765,44;\r\n"                  # 6
    "572;Bancos c/c;8.568,62;\r\n"                 # 7
    "5720;Banco inexistente;100,00;\r\n"           # 8 unknown account
    "472;Hacienda Pública, IVA soportado;300,00;300,00\r\n"  # 9 both sides
    "477;Hacienda Pública, IVA repercutido;-300,00;\r\n"     # 10 negative debit
    "43;Clientes (grupo);10,00;\r\n"               # 11 group account
).encode("cp1252")


@pytest.fixture()
def tenants(app):  # type: ignore[no-untyped-def]
    """A Spanish tenant with its owner's session, and another tenant's owner."""
    with app.app_context():
        tenant, other = make_tenant(country="ES"), make_tenant(country="ES")
    return tenant, login_as(app, tenant, "owner"), login_as(app, other, "owner")


def _batch(session: Any, batch_id: str) -> dict:
    return session.get(f"/api/v1/imports/batches/{batch_id}").get_json()


def _items(session: Any, batch_id: str, status: str | None = None) -> list[dict]:
    query = f"&status={status}" if status else ""
    return session.get(f"/api/v1/imports/batches/{batch_id}/items?page_size=100{query}").get_json()["items"]


def _item_id(session: Any, batch_id: str, row_number: int) -> str:
    return next(item["id"] for item in _items(session, batch_id) if item["row_number"] == row_number)


def _fix(session: Any, batch_id: str, row_number: int, data: dict) -> dict:
    response = session.patch(f"/api/v1/imports/batches/{batch_id}/items/{_item_id(session, batch_id, row_number)}", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _entries(app: Any, tenant_id: uuid.UUID) -> list[tuple]:
    """(description, date, source_type, reversal_of_id is set, [(code, debit, credit, description)]) of every entry."""
    with app.app_context(), tenant_context(tenant_id):
        db.session.expunge_all()
        entries = db.session.scalars(select(JournalEntry).order_by(JournalEntry.created_at, JournalEntry.description)).all()
        result = [(entry.description, entry.entry_date, entry.source_type, entry.reversal_of_id is not None,
                   [(line.account.code, line.debit, line.credit, line.description) for line in entry.lines]) for entry in entries]
        db.session.rollback()
        return result


def _trial_balance(session: Any, year: int = 2026) -> dict:
    response = session.get(f"/api/v1/reports/trial-balance?date_from={year}-01-01&date_to={year}-12-31")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _validated(session: Any, content: bytes = CSV, **options: Any) -> str:
    batch_id = new_batch(session, kind="opening_balances", **{"entry_date": "2026-01-01", **options})
    assert upload(session, batch_id, content, "apertura.csv").status_code == 200
    assert session.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    return batch_id


EXPECTED_LINES = [
    ("100", D("0.00"), D("10000.00"), "Capital social"), ("129", D("0.00"), D("1234.56"), "Resultado del ejercicio"),
    ("400", D("0.00"), D("2500.00"), "Proveedores"), ("430", D("4300.50"), D("0.00"), "Clientes"),
    ("570", D("765.44"), D("0.00"), "Caja, euros"), ("572", D("8568.62"), D("0.00"), "Bancos c/c"),
    ("473", D("100.00"), D("0.00"), "Banco inexistente"), ("472", D("300.00"), D("0.00"), "Hacienda Pública, IVA soportado"),
    ("477", D("0.00"), D("300.00"), "Hacienda Pública, IVA repercutido"),
]


def test_csv_row_errors_balance_fix_promote_once_and_rollback(app, tenants):  # type: ignore[no-untyped-def]
    tenant, session, other = tenants
    batch_id = _validated(session)
    batch = _batch(session, batch_id)
    assert batch["mapping"] == {"Cuenta": "account_code", "Descripción": "account_name", "Debe": "debit", "Haber": "credit"}
    assert batch["options"]["entry_date"] == "2026-01-01" and batch["options"]["encoding"] == "cp1252"
    assert batch["state"] == "validated"
    assert batch["counts"] == {"pending": 0, "valid": 6, "invalid": 4, "skipped": 0, "promoted": 0}
    assert batch["error"] == "El asiento no cuadra: debe 13.634,56 €, haber 13.734,56 €."
    assert [(item["row_number"], item["errors"]) for item in _items(session, batch_id, "invalid")] == [
        (8, {"account_code": [{"code": "unknown_account", "message": "La cuenta 5720 no existe en el plan contable de la empresa."}]}),
        (9, {"credit": [{"code": "both_sides", "message": "Una línea va al debe o al haber, no a los dos."}]}),
        (10, {"debit": [{"code": "negative_amount",
                         "message": "El debe no puede ser negativo: ponga el importe en positivo en la columna Haber."}]}),
        (11, {"account_code": [{"code": "not_postable", "message": "La cuenta 43 es de grupo: use una subcuenta."}]}),
    ]
    assert [item["data"] for item in _items(session, batch_id, "valid")][:2] == [
        {"account_code": "100", "account_name": "Capital social", "debit": "0.00", "credit": "10000.00"},
        {"account_code": "129", "account_name": "Resultado del ejercicio", "debit": "0.00", "credit": "1234.56"}]

    report = session.get(f"/api/v1/imports/batches/{batch_id}/errors.csv")
    assert report.status_code == 200
    assert report.get_data(as_text=True).lstrip("\ufeff").splitlines() == [
        "fila;Cuenta;Descripción;Debe;Haber;errores",
        "8;5720;Banco inexistente;100,00;;account_code: La cuenta 5720 no existe en el plan contable de la empresa.",
        "9;472;Hacienda Pública, IVA soportado;300,00;300,00;credit: Una línea va al debe o al haber, no a los dos.",
        "10;477;Hacienda Pública, IVA repercutido;-300,00;;debit: El debe no puede ser negativo: ponga el importe en positivo en la columna Haber.",
        "11;43;Clientes (grupo);10,00;;account_code: La cuenta 43 es de grupo: use una subcuenta."]

    # Unbalanced: the promotion is refused with both totals, nothing is posted.
    refused = session.post(f"/api/v1/imports/batches/{batch_id}/promote")
    assert refused.status_code == 409
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["detail"] == "El asiento no cuadra: debe 13.634,56 €, haber 13.734,56 €."
    assert refused.get_json()["errors"] == {"total_debit": ["13634.56"], "total_credit": ["13734.56"]}
    assert _batch(session, batch_id)["state"] == "validated"
    assert _entries(app, tenant.id) == []

    # Fixing rows re-evaluates the balance each time.
    fixed = _fix(session, batch_id, 8, {"account_code": "473"})
    assert (fixed["status"], fixed["errors"]) == ("valid", {})
    assert _batch(session, batch_id)["error"] is None  # 13.734,56 on both sides now
    _fix(session, batch_id, 9, {"credit": None})
    assert _batch(session, batch_id)["error"] == "El asiento no cuadra: debe 14.034,56 €, haber 13.734,56 €."
    fixed = _fix(session, batch_id, 10, {"debit": None, "credit": "300,00"})
    assert fixed["data"] == {"account_code": "477", "account_name": "Hacienda Pública, IVA repercutido", "debit": "0.00", "credit": "300.00"}
    batch = _batch(session, batch_id)
    assert batch["error"] is None
    assert batch["counts"] == {"pending": 0, "valid": 9, "invalid": 1, "skipped": 0, "promoted": 0}

    # Another tenant sees none of it.
    item_id = _item_id(session, batch_id, 11)
    for method, url, body in (("get", f"/api/v1/imports/batches/{batch_id}", None), ("get", f"/api/v1/imports/batches/{batch_id}/items", None),
                              ("patch", f"/api/v1/imports/batches/{batch_id}/items/{item_id}", {"data": {"account_code": "430"}}),
                              ("post", f"/api/v1/imports/batches/{batch_id}/promote", None),
                              ("post", f"/api/v1/imports/batches/{batch_id}/rollback", None)):
        assert getattr(other, method)(url, json=body).status_code == 404, (method, url)

    promoted = session.post(f"/api/v1/imports/batches/{batch_id}/promote")
    assert promoted.status_code == 202, promoted.get_json()
    batch = _batch(session, batch_id)
    assert (batch["state"], batch["promoted_items"], batch["error"]) == ("promoted", 9, None)
    assert batch["counts"] == {"pending": 0, "valid": 0, "invalid": 1, "skipped": 0, "promoted": 9}
    entries = _entries(app, tenant.id)
    assert entries == [("Asiento de apertura 2026", date(2026, 1, 1), "opening_balance", False, EXPECTED_LINES)]
    assert sum(line[1] for line in EXPECTED_LINES) == sum(line[2] for line in EXPECTED_LINES) == D("14034.56")
    lineage = lineage_rows(app, tenant.id, batch_id)
    assert len(lineage) == 9 and len({item_id for _, _, item_id in lineage}) == 9
    with app.app_context(), tenant_context(tenant.id):
        entry_id = db.session.scalar(select(JournalEntry.id))
    assert {(entity_id, action) for entity_id, action, _ in lineage} == {(entry_id, "created")}
    assert session.get(f"/api/v1/imports/batches/{batch_id}/lineage?page_size=100").get_json()["items"][0]["entity_type"] == "journal_entry"
    entry = session.get(f"/api/v1/accounting/entries/{entry_id}").get_json()
    assert (entry["source_type"], entry["source_id"], entry["is_posted"]) == ("opening_balance", batch_id, True)

    trial = _trial_balance(session)
    assert [(row["code"], row["debit"], row["credit"], row["balance"]) for row in trial["accounts"]] == [
        ("100", "0.00", "10000.00", "-10000.00"), ("129", "0.00", "1234.56", "-1234.56"), ("400", "0.00", "2500.00", "-2500.00"),
        ("430", "4300.50", "0.00", "4300.50"), ("472", "300.00", "0.00", "300.00"), ("473", "100.00", "0.00", "100.00"),
        ("477", "0.00", "300.00", "-300.00"), ("570", "765.44", "0.00", "765.44"), ("572", "8568.62", "0.00", "8568.62")]
    assert (trial["total_debit"], trial["total_credit"], trial["is_balanced"]) == ("14034.56", "14034.56", True)

    # Promote again (API and a repeated task): nothing twice.
    again = session.post(f"/api/v1/imports/batches/{batch_id}/promote")
    assert again.status_code == 202 and again.get_json()["state"] == "promoted"
    with app.app_context():
        assert balances.run_promotion(tenant_id=tenant.id, batch_id=uuid.UUID(batch_id)) == "promoted"
    assert len(_entries(app, tenant.id)) == 1
    assert len(lineage_rows(app, tenant.id, batch_id)) == 9

    # Rollback: posted entries are immutable, so the reversing entry cancels every line; the batch is rolled back.
    rolled = session.post(f"/api/v1/imports/batches/{batch_id}/rollback")
    assert rolled.status_code == 200, rolled.get_json()
    assert (rolled.get_json()["state"], rolled.get_json()["promoted_items"]) == ("rolled_back", 0)
    entries = _entries(app, tenant.id)
    assert len(entries) == 2
    assert entries[1][:4] == ("Anulación: Asiento de apertura 2026", date(2026, 1, 1), None, True)
    assert entries[1][4] == [(code, credit, debit, text) for code, debit, credit, text in EXPECTED_LINES]
    trial = _trial_balance(session)
    assert {row["balance"] for row in trial["accounts"]} == {"0.00"}
    assert (trial["total_debit"], trial["total_credit"]) == ("28069.12", "28069.12")
    assert lineage_rows(app, tenant.id, batch_id) == []
    assert session.post(f"/api/v1/imports/batches/{batch_id}/rollback").status_code == 409
    with app.app_context(), tenant_context(tenant.id):
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(entry_id)).order_by(AuditEvent.created_at)).all()
    assert list(actions) == ["journal_entry.created", "journal_entry.reversed"]


def test_signed_balance_json_rows_duplicates_and_party_sub_ledger(app, tenants):  # type: ignore[no-untyped-def]
    tenant, session, _ = tenants
    customer = session.post("/api/v1/customers", json={"legal_name": "Cliente Uno SL", "tax_id": "B12345674"})
    assert customer.status_code == 201, customer.get_json()
    batch_id = new_batch(session, kind="opening_balances", entry_date="2026-01-01", duplicate_policy="skip")
    rows = [{"Subcuenta": "430", "Saldo": "1.500,00", "NIF": "b12345674"}, {"Subcuenta": "100", "Saldo": "-1.500,00"},
            {"Subcuenta": "100", "Saldo": "-9,99"}, {"Subcuenta": "572", "Saldo": "0"}, {"Subcuenta": "430", "Saldo": "1", "NIF": "B00000000"},
            {"Subcuenta": "570", "Saldo": "12,345"}, {"Subcuenta": "570", "Saldo": "doce"}]
    assert session.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": rows}).status_code == 200
    assert _batch(session, batch_id)["mapping"] == {"Subcuenta": "account_code", "Saldo": "balance", "NIF": "party_tax_id"}
    assert session.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    batch = _batch(session, batch_id)
    assert batch["counts"] == {"pending": 0, "valid": 2, "invalid": 4, "skipped": 1, "promoted": 0}
    assert batch["error"] is None
    items = {item["row_number"]: item for item in _items(session, batch_id)}
    assert items[1]["data"] == {"account_code": "430", "debit": "1500.00", "credit": "0.00", "party_tax_id": "B12345674",
                                "party_id": customer.get_json()["id"]}
    assert items[3]["status"] == "skipped"
    assert items[4]["errors"] == {"debit": [{"code": "no_amount", "message": "Indique un importe distinto de cero en el debe o en el haber."}]}
    assert items[5]["errors"] == {"party_tax_id": [{"code": "unknown_party",
                                                    "message": "No hay ningún cliente ni proveedor con el identificador B00000000: créelo antes."}]}
    assert items[6]["errors"] == {"debit": [{"code": "invalid_decimal", "message": "Como máximo 2 decimales."}]}
    assert items[7]["errors"] == {"balance": [{"code": "invalid_decimal", "message": "«doce» no es un número (use 1234,56 o 1234.56)."}]}
    assert session.post(f"/api/v1/imports/batches/{batch_id}/promote").status_code == 202
    entry = _entries(app, tenant.id)[0]
    assert entry[4] == [("430", D("1500.00"), D("0.00"), None), ("100", D("0.00"), D("1500.00"), None)]
    assert len(_entries(app, tenant.id)) == 1
    receivables = session.get("/api/v1/reports/general-ledger?account_code=430&date_from=2026-01-01&date_to=2026-12-31").get_json()
    assert [(line["debit"], line["party_id"]) for line in receivables["lines"]] == [("1500.00", customer.get_json()["id"])]

    # The error policy refuses the repeated account instead.
    error_batch = new_batch(session, kind="opening_balances", entry_date="2027-01-01")
    session.post(f"/api/v1/imports/batches/{error_batch}/ingest", json={"rows": [{"account_code": "100", "credit": "5"},
                                                                                   {"account_code": "100", "credit": "5"}]})
    session.post(f"/api/v1/imports/batches/{error_batch}/validate")
    assert _items(session, error_batch, "invalid")[0]["errors"] == {
        "account_code": [{"code": "duplicate_in_file", "message": "Cuenta repetida en el archivo (ya aparece en la fila 1)."}]}


def test_batch_options_policy_and_entry_date(app, tenants):  # type: ignore[no-untyped-def]
    tenant, session, _ = tenants
    refused = session.post("/api/v1/imports/batches", json={"kind": "opening_balances", "options": {"duplicate_policy": "update"}})
    assert refused.status_code == 400  # like the invoice kinds: the policy does not apply to the kind
    assert refused.get_json()["errors"] == {"duplicate_policy": ["No admitido en saldos de apertura (use error o skip)."]}
    wrong_kind = session.post("/api/v1/imports/batches", json={"kind": "products", "options": {"entry_date": "2026-01-01"}})
    assert wrong_kind.status_code == 422
    assert wrong_kind.get_json()["errors"] == {"options.entry_date": ["Solo para el tipo opening_balances."]}
    bad_date = session.post("/api/v1/imports/batches", json={"kind": "opening_balances", "options": {"entry_date": "2026-02-30"}})
    assert bad_date.status_code == 422
    assert bad_date.get_json()["errors"] == {"options.entry_date": ["Fecha no válida (use AAAA-MM-DD)."]}
    with app.app_context():
        today = balances.tenant_today(tenant.id)
    batch_id = new_batch(session, kind="opening_balances")
    assert _batch(session, batch_id)["options"] == {"entry_date": today.isoformat()}
    patched = session.patch(f"/api/v1/imports/batches/{batch_id}", json={"duplicate_policy": "update"})
    assert patched.status_code == 400
    assert patched.get_json()["errors"] == {"duplicate_policy": ["No admitido en saldos de apertura (use error o skip)."]}
    assert _batch(session, batch_id)["duplicate_policy"] == "error"
    patched = session.patch(f"/api/v1/imports/batches/{batch_id}", json={"options": {"entry_date": "2025-01-01"}})
    assert patched.status_code == 200 and patched.get_json()["options"] == {"entry_date": "2025-01-01"}
    with app.app_context(), tenant_context(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1


ROWS = [{"account_code": "572", "debit": "1000"}, {"account_code": "100", "credit": "1000"}]


def _rows_batch(session: Any, entry_date: str, rows: list[dict] = ROWS) -> str:
    batch_id = new_batch(session, kind="opening_balances", entry_date=entry_date)
    assert session.post(f"/api/v1/imports/batches/{batch_id}/ingest", json={"rows": rows}).status_code == 200
    assert session.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    return batch_id


def test_one_opening_entry_per_year_and_closed_periods(app, tenants):  # type: ignore[no-untyped-def]
    tenant, session, _ = tenants
    first = _rows_batch(session, "2026-01-01")
    assert session.post(f"/api/v1/imports/batches/{first}/promote").status_code == 202
    second = _rows_batch(session, "2026-03-01")
    message = ("Ya hay un asiento de apertura del ejercicio 2026 (fecha 01/01/2026): "
               "deshaga la importación que lo creó antes de importar otro.")
    assert _batch(session, second)["error"] == message
    refused = session.post(f"/api/v1/imports/batches/{second}/promote")
    assert (refused.status_code, refused.get_json()["detail"]) == (409, message)
    assert len(_entries(app, tenant.id)) == 1

    # A closed period refuses the rollback (nothing changes) and a new opening entry on a closed date.
    assert session.put("/api/v1/accounting/settings", json={"lock_date": "2026-01-31"}).status_code == 200
    locked = session.post(f"/api/v1/imports/batches/{first}/rollback")
    assert locked.status_code == 409
    assert locked.get_json()["detail"] == ("El periodo está cerrado: no se puede contabilizar con fecha 01/01/2026 "
                                           "(fecha de cierre 31/01/2026).")
    assert _batch(session, first)["state"] == "promoted"
    assert len(_entries(app, tenant.id)) == 1
    assert len(lineage_rows(app, tenant.id, first)) == 2
    closed = _rows_batch(session, "2025-01-01")
    refused = session.post(f"/api/v1/imports/batches/{closed}/promote")
    assert refused.status_code == 409
    assert refused.get_json()["detail"] == ("El periodo está cerrado: no se puede contabilizar con fecha 01/01/2025 "
                                            "(fecha de cierre 31/01/2026).")

    # Reopened: the rollback reverses the entry, and the year can be opened again by the waiting batch.
    assert session.put("/api/v1/accounting/settings", json={"lock_date": None}).status_code == 200
    assert session.post(f"/api/v1/imports/batches/{first}/rollback").status_code == 200
    assert session.post(f"/api/v1/imports/batches/{second}/promote").status_code == 202
    assert _batch(session, second)["state"] == "promoted"
    descriptions = [(text, day, reversal) for text, day, _, reversal, _ in _entries(app, tenant.id)]
    assert descriptions == [("Asiento de apertura 2026", date(2026, 1, 1), False),
                            ("Anulación: Asiento de apertura 2026", date(2026, 1, 1), True),
                            ("Asiento de apertura 2026", date(2026, 3, 1), False)]


def test_promotion_fails_cleanly_when_the_books_changed_after_the_claim(app, tenants):  # type: ignore[no-untyped-def]
    tenant, session, _ = tenants
    batch_id = _rows_batch(session, "2026-01-01")
    with app.app_context():
        from gestiq_app.imports import services

        services.request_promotion(tenant_id=tenant.id, batch_id=uuid.UUID(batch_id), enqueue=False)
    assert session.put("/api/v1/accounting/settings", json={"lock_date": "2026-06-30"}).status_code == 200
    with app.app_context():
        assert balances.run_promotion(tenant_id=tenant.id, batch_id=uuid.UUID(batch_id)) == "failed"
    batch = _batch(session, batch_id)
    assert batch["state"] == "failed"
    assert batch["error"] == "El periodo está cerrado: no se puede contabilizar con fecha 01/01/2026 (fecha de cierre 30/06/2026)."
    assert _entries(app, tenant.id) == [] and lineage_rows(app, tenant.id, batch_id) == []


def test_cli_run_opening_balances(app, tenants, tmp_path):  # type: ignore[no-untyped-def]
    tenant, _, _ = tenants
    source = tmp_path / "apertura.csv"
    source.write_bytes(CSV)
    runner = app.test_cli_runner()
    args = ["gestiq", "imports", "run", str(source), "--tenant", tenant.slug, "--kind", "opening_balances", "--entry-date", "01/01/2026"]
    result = runner.invoke(args=[*args, "--promote"])
    assert result.exit_code == 1, result.output
    assert ("El asiento no cuadra: debe 13.634,56 €, haber 13.734,56 €. — total_debit: 13634.56; total_credit: 13734.56"
            in result.output)
    assert _entries(app, tenant.id) == []
    balanced = tmp_path / "cuadrado.csv"
    balanced.write_bytes("Cuenta;Saldo\r\n572;2.000,00\r\n100;-2.000,00\r\n".encode("cp1252"))
    result = runner.invoke(args=["gestiq", "imports", "run", str(balanced), "--tenant", tenant.slug, "--kind", "opening_balances",
                                 "--entry-date", "2026-01-01", "--promote"])
    assert result.exit_code == 0, result.output
    assert "válidas: 0  importadas: 2  omitidas: 0  con errores: 0" in result.output
    assert _entries(app, tenant.id) == [("Asiento de apertura 2026", date(2026, 1, 1), "opening_balance", False,
                                         [("572", D("2000.00"), D("0.00"), None), ("100", D("0.00"), D("2000.00"), None)])]


def test_hostile_fixes_are_row_errors_never_a_crash(app, tenants):  # type: ignore[no-untyped-def]
    _, session, _ = tenants
    batch_id = _rows_batch(session, "2026-01-01")
    for data, expected in (
            ({"debit": "NaN"}, {"debit": [{"code": "invalid_decimal", "message": "«NaN» no es un importe (use 1234,56 o 1234.56)."}]}),
            ({"debit": "Infinity"}, {"debit": [{"code": "invalid_decimal", "message": "«Infinity» no es un importe (use 1234,56 o 1234.56)."}]}),
            ({"debit": "1e999999"}, {"debit": [{"code": "out_of_range", "message": "Importe demasiado grande."}]}),
            ({"debit": 1e300}, {"debit": [{"code": "out_of_range", "message": "Importe demasiado grande."}]}),
            ({"debit": [1, 2]}, {"debit": [{"code": "invalid_decimal", "message": "«[1, 2]» no es un importe (use 1234,56 o 1234.56)."}]}),
            ({"debit": "12,345"}, {"debit": [{"code": "invalid_decimal", "message": "Como máximo 2 decimales."}]}),
            ({"account_code": {"a": 1}, "debit": "5"}, {"account_code": [{"code": "unknown_account",
                                                                          "message": "La cuenta {'a': 1} no existe en el plan contable de la empresa."}]}),
            ({"account_code": "572", "debit": None, "balance": "-5", "credit": "5"},
             {"balance": [{"code": "ambiguous", "message": "Indique el saldo o el debe y el haber, no ambos."}]}),
            ({"account_code": "572", "balance": "1.000,00"}, {}),
    ):
        item = _fix(session, batch_id, 1, data)
        assert item["errors"] == expected, data
    assert _fix(session, batch_id, 1, {"balance": None, "debit": 1000})["data"] == {"account_code": "572", "debit": "1000.00", "credit": "0.00"}
    assert _batch(session, batch_id)["error"] is None


@pytest.mark.postgres
def test_concurrent_promotions_post_one_opening_entry_per_year(app, tenants):  # type: ignore[no-untyped-def]
    import threading

    from gestiq_app.db import unit_of_work
    from gestiq_app.imports import services

    tenant, session, _ = tenants
    batch_ids = [uuid.UUID(_rows_batch(session, "2026-01-01")), uuid.UUID(_rows_batch(session, "2026-02-01"))]
    with app.app_context(), tenant_context(tenant.id), unit_of_work():
        for batch_id in batch_ids:
            assert services.move_state(batch_id, ("validated",), "promoting")
    results: list[tuple[uuid.UUID, str]] = []
    errors: list[BaseException] = []

    def worker(batch_id: uuid.UUID) -> None:
        try:
            with app.app_context():
                results.append((batch_id, balances.run_promotion(tenant_id=tenant.id, batch_id=batch_id)))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(batch_id,)) for batch_id in batch_ids * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    states = {str(batch_id): _batch(session, str(batch_id)) for batch_id in batch_ids}
    assert sorted(batch["state"] for batch in states.values()) == ["failed", "promoted"]
    winner = next(batch for batch in states.values() if batch["state"] == "promoted")
    loser = next(batch for batch in states.values() if batch["state"] == "failed")
    assert loser["error"].startswith("Ya hay un asiento de apertura del ejercicio 2026 (fecha ")
    entries = _entries(app, tenant.id)
    assert len(entries) == 1 and entries[0][4] == [("572", D("1000.00"), D("0.00"), None), ("100", D("0.00"), D("1000.00"), None)]
    assert len(lineage_rows(app, tenant.id, winner["id"])) == 2 and lineage_rows(app, tenant.id, loser["id"]) == []
    assert sorted(state for _, state in results).count("promoted") >= 1
