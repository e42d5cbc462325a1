"""Print what the API shows a tenant's owner (users and /me) as JSON; run in a subprocess against another database.

Usage: python -m tests.ops.api_snapshot SLUG EMAIL PASSWORD  (database from the GESTIQ_* environment)
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any


def snapshot(app: Any, slug: str, email: str, password: str) -> dict[str, Any]:
    """Log in as the user through the API and return /tenant/users, /tenant/auth/me, the invoices and their PDFs.

    PDFs of issued invoices are compared by SHA-256: the first GET stores them, so after export and restore
    the API must serve the very same bytes from the restored files.
    """
    client = app.test_client()
    login = client.post("/api/v1/tenant/auth/login", json={"tenant": slug, "email": email, "password": password})
    assert login.status_code == 200, login.get_json()
    users = client.get("/api/v1/tenant/users")
    me = client.get("/api/v1/tenant/auth/me")
    assert users.status_code == 200 and me.status_code == 200, (users.get_json(), me.get_json())
    invoices = client.get("/api/v1/invoices?page_size=200")
    assert invoices.status_code == 200, invoices.get_json()
    pdfs = {}
    for item in invoices.get_json()["items"]:
        if item["status"] != "draft":
            pdf = client.get(f"/api/v1/invoices/{item['id']}/pdf")
            assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.status_code
            pdfs[item["id"]] = hashlib.sha256(pdf.data).hexdigest()
    return {"users": users.get_json(), "me": me.get_json(), "invoices": invoices.get_json(), "pdfs": pdfs}


def main() -> int:
    """Build the app from the environment and print the snapshot."""
    from gestiq_app import create_app

    slug, email, password = sys.argv[1:4]
    app = create_app({"GESTIQ_FAB_UPDATE_PERMS": "0", "GESTIQ_EDGE_MIDDLEWARE": "0"})
    print("SNAPSHOT " + json.dumps(snapshot(app, slug, email, password), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
