"""Accounting, reports and dashboard endpoints: permissions, problem documents, exports equal to the JSON."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from tests.accounting.helpers import journal_snapshot
from tests.api_helpers import login_as, login_with_token
from tests.factories import make_tenant
from tests.permissions import check_access
from tests.sales.helpers import add_customer, issued_invoice, line

ENTRY = {"entry_date": "2026-02-01", "description": "Aportación de capital", "reference": "=HYPERLINK(\"http://x\")",
         "lines": [{"account_code": "572", "debit": "3000.00"}, {"account_code": "100", "credit": "3000.00"}]}


def _journal(app, tenant_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        return journal_snapshot(tenant_id)


@pytest.fixture()
def tenants(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_tenant(country="ES"), make_tenant(country="EC")


def test_manual_entry_create_get_list_and_reverse(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, other = tenants
    created = check_access(app, method="POST", url="/api/v1/accounting/entries", owner_tenant=tenant, other_tenant=other,
                           allowed_role="accountant", denied_role="sales", expected_status=201, json=ENTRY,
                           snapshot=lambda: _journal(app, tenant.id), other_tenant_status=(201, 422, 403))
    body = created.get_json()
    assert [(line["account_code"], line["debit"], line["credit"]) for line in body["lines"]] == [
        ("572", "3000.00", "0.00"), ("100", "0.00", "3000.00")]
    assert (body["entry_date"], body["is_posted"], body["source_type"]) == ("2026-02-01", True, None)
    owner = login_as(app, tenant, "owner")
    assert owner.get(f"/api/v1/accounting/entries/{body['id']}").get_json()["id"] == body["id"]
    listed = owner.get("/api/v1/accounting/entries?date_from=2026-02-01&date_to=2026-02-28").get_json()
    assert (listed["total"], [item["id"] for item in listed["items"]]) == (1, [body["id"]])
    assert login_as(app, other, "owner").get(f"/api/v1/accounting/entries/{body['id']}").status_code == 404
    reversed_ = owner.post(f"/api/v1/accounting/entries/{body['id']}/reverse", json={"entry_date": "2026-02-03"})
    assert reversed_.status_code == 201
    assert [(line["account_code"], line["debit"], line["credit"]) for line in reversed_.get_json()["lines"]] == [
        ("572", "0.00", "3000.00"), ("100", "3000.00", "0.00")]
    again = owner.post(f"/api/v1/accounting/entries/{body['id']}/reverse", json={})
    assert (again.status_code, again.get_json()["detail"]) == (409, "Este asiento ya está anulado")


def test_unbalanced_entry_and_locked_period_are_problem_documents(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, _ = tenants
    owner = login_as(app, tenant, "owner")
    unbalanced = owner.post("/api/v1/accounting/entries", json={**ENTRY, "lines": [
        {"account_code": "572", "debit": "10.00"}, {"account_code": "100", "credit": "9.99"}]})
    assert unbalanced.status_code == 422
    assert unbalanced.headers["Content-Type"] == "application/problem+json"
    assert unbalanced.get_json()["errors"] == {"lines": ["El asiento no cuadra: debe 10.00 ≠ haber 9.99."]}
    both_sides = owner.post("/api/v1/accounting/entries", json={**ENTRY, "lines": [
        {"account_code": "572", "debit": "10.00", "credit": "10.00"}, {"account_code": "100", "credit": "10.00"}]})
    assert both_sides.status_code == 422
    locked = owner.put("/api/v1/accounting/settings", json={"lock_date": "2026-03-31"})
    assert locked.get_json() == {"country": "ES", "currency": "EUR", "lock_date": "2026-03-31"}
    refused = owner.post("/api/v1/accounting/entries", json=ENTRY)
    assert refused.status_code == 409
    assert refused.get_json()["detail"] == ("El periodo está cerrado: no se puede contabilizar con fecha 01/02/2026 "
                                           "(fecha de cierre 31/03/2026).")
    assert refused.get_json()["errors"] == {"entry_date": ["Debe ser posterior a la fecha de cierre contable (2026-03-31)."]}
    assert _journal(app, tenant.id)["journal_entries"] == []


def test_chart_and_sub_accounts(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, other = tenants
    body = {"parent_code": "572", "code": "5720001", "name": "Banco Santander"}
    created = check_access(app, method="POST", url="/api/v1/accounting/accounts", owner_tenant=tenant, other_tenant=other,
                           allowed_role="accountant", denied_role="viewer", expected_status=201, json=body,
                           snapshot=lambda: _journal(app, tenant.id)["accounts"], other_tenant_status=(422, 201))
    assert {k: created.get_json()[k] for k in ("code", "name", "type", "is_postable", "is_system")} == {
        "code": "5720001", "name": "Banco Santander", "type": "asset", "is_postable": True, "is_system": False}
    owner = login_as(app, tenant, "owner")
    assert owner.post("/api/v1/accounting/accounts", json=body).status_code == 409
    outside = owner.post("/api/v1/accounting/accounts", json={**body, "code": "6000001"})
    assert (outside.status_code, outside.get_json()["errors"]) == (422, {"code": ["Debe empezar por 572 y ser más largo."]})
    codes = [account["code"] for account in owner.get("/api/v1/accounting/accounts").get_json()["items"]]
    assert codes[:3] == ["1", "10", "100"] and "5720001" in codes and "477" in codes
    ec_codes = [a["code"] for a in login_as(app, other, "owner").get("/api/v1/accounting/accounts").get_json()["items"]]
    assert "1.1.02.05" in ec_codes and "5720001" not in ec_codes


@pytest.mark.parametrize("url", [
    "/api/v1/reports/trial-balance", "/api/v1/reports/general-ledger?account_code=430", "/api/v1/reports/profit-and-loss",
    "/api/v1/reports/balance-sheet", "/api/v1/reports/aged-receivables", "/api/v1/reports/aged-payables",
    "/api/v1/reports/vat-summary?date_from=2026-01-01&date_to=2026-03-31",
])
def test_reports_need_the_reports_permission(app, tenants, url) -> None:  # type: ignore[no-untyped-def]
    tenant, other = tenants
    check_access(app, method="GET", url=url, owner_tenant=tenant, other_tenant=other, allowed_role="accountant",
                 denied_role="sales", expected_status=200, snapshot=lambda: None, other_tenant_status=(200, 404))


def test_dashboard_permission(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, other = tenants
    check_access(app, method="GET", url="/api/v1/dashboard", owner_tenant=tenant, other_tenant=other, allowed_role="viewer",
                 denied_session=lambda: login_with_token(app, tenant, ["customers:read"]), expected_status=200,
                 snapshot=lambda: None, other_tenant_status=(200,))


def _csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list[object]]:  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_trial_balance_exports_carry_the_json_figures_and_no_formulas(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, _ = tenants
    owner = login_as(app, tenant, "owner")
    assert owner.post("/api/v1/accounting/entries", json={**ENTRY, "description": "=1+2 capital"}).status_code == 201
    with app.app_context():
        customer = add_customer(tenant, legal_name="@Cliente Fórmula")
        issued_invoice(tenant, customer, [line("3", "33.33"), line("1", "10.00", "reducido")], issue_date=date(2026, 2, 10))
    url = "/api/v1/reports/trial-balance?date_from=2026-02-01&date_to=2026-02-28"
    data = owner.get(url).get_json()
    expected = [[row["code"], row["name"], D(row["debit"]), D(row["credit"]), D(row["balance"])] for row in data["accounts"]]
    expected.append(["", "Total", D(data["total_debit"]), D(data["total_credit"]), D("0.00")])
    assert data["is_balanced"] is True and data["total_debit"] == "3131.99"
    xlsx = owner.get(url + "&format=xlsx")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx_rows(xlsx)
    assert rows[0] == ["Cuenta", "Nombre", "Debe", "Haber", "Saldo"]
    assert [[row[0] or "", row[1], *(D(str(value)).quantize(D("0.01")) for value in row[2:])] for row in rows[1:]] == expected
    csv_rows = _csv_rows(owner.get(url + "&format=csv"))
    assert [[row[0], row[1], *(D(value) for value in row[2:])] for row in csv_rows[1:]] == expected
    ledger = owner.get("/api/v1/reports/general-ledger?account_code=572&format=csv")
    assert _csv_rows(ledger)[2][1] == "'=1+2 capital"  # a formula-looking description is neutralized
    aged = _xlsx_rows(owner.get("/api/v1/reports/aged-receivables?as_of=2026-02-28&format=xlsx"))
    assert aged[1][0] == "'@Cliente Fórmula"
    assert [D(str(value)).quantize(D("0.01")) for value in aged[1][1:]] == [D("131.99"), D("0"), D("0"), D("0"), D("0"), D("131.99")]


def test_issuing_an_invoice_in_a_locked_period_is_a_409_problem_and_changes_nothing(app, tenants) -> None:  # type: ignore[no-untyped-def]
    from tests.sales.helpers import create_invoice, sales_snapshot

    tenant, _ = tenants
    owner = login_as(app, tenant, "owner")
    assert owner.put("/api/v1/accounting/settings", json={"lock_date": "2026-01-31"}).status_code == 200
    with app.app_context():
        customer = add_customer(tenant)
        draft_id = create_invoice(tenant, customer, [line("1", "100.00")], issue_date=date(2026, 1, 10)).id
        before = sales_snapshot(tenant.id), journal_snapshot(tenant.id)
    refused = owner.post(f"/api/v1/invoices/{draft_id}/issue", json={})
    assert (refused.status_code, refused.headers["Content-Type"]) == (409, "application/problem+json")
    assert refused.get_json()["detail"] == ("El periodo está cerrado: no se puede contabilizar con fecha 10/01/2026 "
                                           "(fecha de cierre 31/01/2026).")
    with app.app_context():
        assert (sales_snapshot(tenant.id), journal_snapshot(tenant.id)) == before
    issued = owner.post(f"/api/v1/invoices/{draft_id}/issue", json={"issue_date": "2026-02-02"})
    assert (issued.status_code, issued.get_json()["status"]) == (200, "overdue")  # due 2026-03-04, long past


def test_manual_entry_honours_the_idempotency_key(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, _ = tenants
    owner = login_as(app, tenant, "owner")
    headers = {"Idempotency-Key": "asiento-capital-0001"}
    first = owner.post("/api/v1/accounting/entries", json=ENTRY, headers=headers)
    again = owner.post("/api/v1/accounting/entries", json=ENTRY, headers=headers)
    assert (first.status_code, again.status_code, again.get_json()["id"]) == (201, 201, first.get_json()["id"])
    other_body = owner.post("/api/v1/accounting/entries", json={**ENTRY, "description": "Otra"}, headers=headers)
    assert other_body.status_code == 422
    assert len(_journal(app, tenant.id)["journal_entries"]) == 1


def test_vat_summary_and_balance_sheet_xlsx_equal_the_json(app, tenants) -> None:  # type: ignore[no-untyped-def]
    tenant, _ = tenants
    owner = login_as(app, tenant, "owner")
    with app.app_context():
        customer = add_customer(tenant, has_recargo_equivalencia=True)
        issued_invoice(tenant, customer, [line("4", "12.50"), line("2", "7.25", "superreducido")], issue_date=date(2026, 5, 6))
    vat_url = "/api/v1/reports/vat-summary?date_from=2026-04-01&date_to=2026-06-30"
    figures = owner.get(vat_url).get_json()["figures"]
    assert figures[:2] == [{"label": "IVA devengado 21 %: base imponible", "amount": "50.00"},
                           {"label": "IVA devengado 21 %: cuota", "amount": "10.50"}]
    rows = _xlsx_rows(owner.get(vat_url + "&format=xlsx"))
    assert rows[0] == ["Concepto", "Importe"]
    assert [(label, D(str(amount)).quantize(D("0.01"))) for label, amount in rows[1:]] == [
        (figure["label"], D(figure["amount"])) for figure in figures]
    sheet = owner.get("/api/v1/reports/balance-sheet?as_of=2026-06-30").get_json()
    sheet_rows = _xlsx_rows(owner.get("/api/v1/reports/balance-sheet?as_of=2026-06-30&format=xlsx"))
    assert [(row[1], D(str(row[3])).quantize(D("0.01"))) for row in sheet_rows[1:] if row[0] == "Activo"] == [
        (row["code"], D(row["amount"])) for row in sheet["assets"]]
    assert (sheet["total_assets"], sheet["total_liabilities_and_equity"]) == ("78.25", "78.25")
    assert (sheet_rows[-1][2], D(str(sheet_rows[-1][3])).quantize(D("0.01"))) == ("Total pasivo y patrimonio neto", D("78.25"))
