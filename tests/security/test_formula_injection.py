"""Formula injection (CSV/XLSX injection) in every spreadsheet export the API offers.

The exports are the operations whose documented 200 answer is text/csv or XLSX in the OpenAPI document;
`test_every_export_is_covered` fails when a new one appears until it gets a URL below. One tenant is seeded
with every formula trigger (=, +, -, @, tab, CR, =HYPERLINK, DDE) as customer and supplier names, account names,
journal descriptions and references, and imported cells; each export must carry the values neutralized with a
leading apostrophe and no cell a spreadsheet would run.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.api_helpers import login_as
from tests.factories import make_tenant
from tests.purchases import helpers as purchases
from tests.sales.helpers import add_customer, issued_invoice, line
from tests.security.hostile import FORMULA_CELLS
from tests.security.live import raise_rate_limits

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A plain number (also negative) is harmless; anything else starting with a trigger is a formula.
PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*%?$")
PERIOD = "date_from=2026-02-01&date_to=2026-02-28"

#: OpenAPI path -> (query string, formats, seeded values expected in the export)
EXPORTS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "/api/v1/reports/trial-balance": (PERIOD, ("csv", "xlsx"), True),
    "/api/v1/reports/general-ledger": (f"account_code=572.9&{PERIOD}", ("csv", "xlsx"), True),
    "/api/v1/reports/profit-and-loss": (PERIOD, ("csv", "xlsx"), False),
    "/api/v1/reports/balance-sheet": ("as_of=2026-02-28", ("csv", "xlsx"), True),
    "/api/v1/reports/aged-receivables": ("as_of=2026-02-28", ("csv", "xlsx"), True),
    "/api/v1/reports/aged-payables": ("as_of=2026-04-30", ("csv", "xlsx"), True),
    "/api/v1/reports/vat-summary": (PERIOD, ("csv", "xlsx"), False),
    "/api/v1/imports/batches/{batch_id}/errors.csv": ("", ("errors.csv",), True),
}


def _export_operations(spec: dict[str, Any]) -> list[str]:
    found = []
    for path, item in spec["paths"].items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            if CSV_TYPE in content or XLSX_TYPE in content:
                found.append(path)
    return sorted(set(found))


def _is_safe(cell: str) -> bool:
    return not cell or cell[0] not in "=+-@\t\r" or bool(PLAIN_NUMBER.match(cell))


def _cells(response: Any) -> list[str]:
    if response.mimetype == XLSX_TYPE:
        workbook = load_workbook(io.BytesIO(response.get_data()))  # not data_only: a formula shows as "=..."
        cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
        return [cell for cell in cells if isinstance(cell, str)]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") else ","
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


@pytest.fixture(scope="module")
def seeded(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A Spanish tenant whose names, descriptions and imported cells are all formula triggers."""
    with app.app_context():
        tenant = make_tenant(country="ES")
        for index, value in enumerate(FORMULA_CELLS):
            issued_invoice(tenant, add_customer(tenant, legal_name=value), [line("1", f"{10 + index}.00", description=value)],
                           issue_date=date(2026, 2, 10))
            document = purchases.create_invoice(tenant, purchases.add_supplier(tenant, legal_name=value),
                                                [purchases.line("1", f"{20 + index}.00", description=value)],
                                                issue_date=date(2026, 2, 12))
            purchases.record(tenant, document.id)
    owner = login_as(app, tenant, "owner")
    account = owner.post("/api/v1/accounting/accounts", json={"parent_code": "572", "code": "572.9", "name": FORMULA_CELLS[4]})
    assert account.status_code == 201, account.get_json()
    for index, value in enumerate(FORMULA_CELLS):
        entry = owner.post("/api/v1/accounting/entries", json={
            "entry_date": "2026-02-01", "description": value, "reference": value,
            "lines": [{"account_code": "572.9", "debit": f"{100 + index}.00"}, {"account_code": "100", "credit": f"{100 + index}.00"}]})
        assert entry.status_code == 201, entry.get_json()
    batch = owner.post("/api/v1/imports/batches", json={"kind": "products", "source_name": "fórmulas", "options": {}})
    batch_id = batch.get_json()["id"]
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["sku", "name", "unit_price", "tax_category", "@nota"])
    for index, value in enumerate(FORMULA_CELLS):
        writer.writerow([f"F-{index}", value, "abc", "general", value])
    upload = owner.post(f"/api/v1/imports/batches/{batch_id}/upload", json=None, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(rows.getvalue().encode()), "formulas.csv")})
    assert upload.status_code == 200, upload.get_json()
    assert owner.post(f"/api/v1/imports/batches/{batch_id}/validate").status_code == 202
    counts = owner.get(f"/api/v1/imports/batches/{batch_id}").get_json()["counts"]
    assert counts["invalid"] == len(FORMULA_CELLS), counts
    return {"tenant": tenant, "batch_id": batch_id}


def test_every_export_is_covered(client) -> None:  # type: ignore[no-untyped-def]
    assert _export_operations(client.get("/openapi.json").get_json()) == sorted(EXPORTS)


def _cases() -> list[tuple[str, str]]:
    return [(path, file_format) for path, (_query, formats, _seeded) in EXPORTS.items() for file_format in formats]


@pytest.mark.parametrize(("path", "file_format"), _cases())
def test_exports_neutralize_every_formula_trigger(app, seeded, monkeypatch, path: str, file_format: str) -> None:  # type: ignore[no-untyped-def]
    raise_rate_limits(app, monkeypatch)
    owner = login_as(app, seeded["tenant"], "owner")
    query, _formats, carries_seeded = EXPORTS[path]
    url = path.replace("{batch_id}", seeded["batch_id"])
    if file_format != "errors.csv":
        query = f"{query}&format={file_format}"
    response = owner.get(f"{url}?{query}" if query else url)
    assert response.status_code == 200, (path, file_format, response.get_data(as_text=True)[:300])
    assert response.mimetype == (XLSX_TYPE if file_format == "xlsx" else CSV_TYPE)
    cells = _cells(response)
    assert len(cells) > 2, cells
    unsafe = [cell for cell in cells if not _is_safe(cell)]
    assert unsafe == [], (path, file_format, unsafe)
    if carries_seeded:
        # Imports strip the cells they read, so "\t=1+1" arrives (and is neutralized) as "=1+1".
        expected_forms = {value: value.strip() if path.endswith("errors.csv") else value for value in FORMULA_CELLS}
        found = {value for value, form in expected_forms.items() if any(cell.startswith("'" + form) for cell in cells)}
        assert found, (path, file_format, "no seeded formula reached the export", cells[:40])
        if path.endswith(("aged-receivables", "aged-payables", "general-ledger", "errors.csv")):
            assert found == set(FORMULA_CELLS), (path, file_format, set(FORMULA_CELLS) - found)
