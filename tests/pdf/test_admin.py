"""Back office: support staff see bulk PDF exports of every tenant, read-only."""

from __future__ import annotations

from gestiq_app.extensions import db
from gestiq_app.pdf.models import PdfExport
from gestiq_app.tenancy.context import tenant_context
from tests.admin.conftest import ADMIN_PASSWORD, admin_login
from tests.factories import make_tenant


def test_support_lists_and_shows_pdf_exports_but_cannot_delete(app, client, back_office_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        tenant = make_tenant(country="EC")
        with tenant_context(tenant.id):
            export = PdfExport(state="failed", document_ids=[], total=4, done=1, requested_by="user:soporte-prueba",
                               error="OSError: disco lleno")
            db.session.add(export)
            db.session.commit()
            export_id, tenant_id = export.id, tenant.id
    admin_login(client, back_office_user("Support"), ADMIN_PASSWORD)
    listing = client.get("/admin/pdfexportview/list/?psize_PdfExportView=100")
    assert listing.status_code == 200 and str(tenant_id) in listing.get_data(as_text=True)
    shown = client.get(f"/admin/pdfexportview/show/{export_id}").get_data(as_text=True)
    assert "OSError: disco lleno" in shown and "user:soporte-prueba" in shown
    assert client.get(f"/admin/pdfexportview/delete/{export_id}").status_code in (302, 403, 404, 405)
    with app.app_context(), tenant_context(tenant_id):
        assert db.session.get(PdfExport, export_id) is not None
