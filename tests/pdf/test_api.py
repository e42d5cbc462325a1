"""/api/v1 PDF endpoints: access checks, on-demand and after-issue rendering, exports, sending, branding."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from gestiq_app import storage
from gestiq_app.audit.models import AuditEvent
from gestiq_app.extensions import db
from gestiq_app.mail.models import OutboundEmail
from gestiq_app.mail.services import add_attachments
from gestiq_app.pdf.models import PdfExport
from gestiq_app.sales import services as sales_services
from gestiq_app.tenancy.context import platform_scope, tenant_context
from gestiq_app.tenancy.models import TenantModule
from tests.api_helpers import login_as, login_with_token
from tests.factories import make_tenant
from tests.permissions import check_access
from tests.sales.helpers import ACTOR, add_customer, create_invoice, issued_invoice, line, sales_snapshot


@dataclass
class World:
    """A Spanish tenant with an issued invoice, a draft and a quote; and an Ecuadorian stranger."""

    owner: Any
    stranger: Any
    issued_id: str
    issued_number: str
    draft_id: str
    quote_id: str
    quote_number: str


@pytest.fixture()
def world(app) -> World:  # type: ignore[no-untyped-def]
    """Fresh tenants and documents."""
    with app.app_context():
        owner, stranger = make_tenant(country="ES"), make_tenant(country="EC")
        customer = add_customer(owner, email="cliente@example.test")
        issued = issued_invoice(owner, customer, [line("3", "10")])
        draft = create_invoice(owner, customer, [line("1", "10")])
        with tenant_context(owner.id):
            quote = sales_services.create_document(tenant_id=owner.id, kind="quote", actor=ACTOR,
                                                   data={"customer_id": customer.id, "lines": [line("1", "5")]})
        return World(owner, stranger, str(issued.id), issued.full_number, str(draft.id), str(quote.id), quote.full_number)


def _rows(app, tenant_id, *models):  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.expunge_all()
        with platform_scope(actor="test", reason="snapshot"):
            rows = {model.__tablename__: sorted(tuple(str(value) for value in row) for row in db.session.execute(
                select(*model.__table__.columns).where(model.tenant_id == tenant_id))) for model in models}
        db.session.rollback()
        rows["sales"] = sales_snapshot(tenant_id)
        rows["files"] = [key for key, _ in storage.iter_files(tenant_id)]
        return rows


def _files(app, tenant_id) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [key for key, _ in storage.iter_files(tenant_id)]


def _read(app, tenant_id, key: str) -> bytes:  # type: ignore[no-untyped-def]
    with app.app_context():
        return storage.read_bytes(tenant_id, key)


def _snapshot(app, world):  # type: ignore[no-untyped-def]
    return lambda: _rows(app, world.owner.id, OutboundEmail, PdfExport, AuditEvent, TenantModule)


def _without_read(app, world, permission="customers:read"):  # type: ignore[no-untyped-def]
    return lambda: login_with_token(app, world.owner, [permission])


def test_invoice_pdf_access_and_download(app, world) -> None:  # type: ignore[no-untyped-def]
    response = check_access(app, method="GET", url=f"/api/v1/invoices/{world.issued_id}/pdf", owner_tenant=world.owner,
                            other_tenant=world.stranger, allowed_role="viewer", denied_session=_without_read(app, world),
                            expected_status=200, snapshot=_snapshot(app, world))
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{world.issued_number}.pdf"'
    assert response.data.startswith(b"%PDF-")
    # on demand: the first GET rendered and stored it
    assert _files(app, world.owner.id) == [f"pdf/invoice/{world.issued_id}.pdf"]
    assert _read(app, world.owner.id, f"pdf/invoice/{world.issued_id}.pdf") == response.data


def test_quote_pdf_access(app, world) -> None:  # type: ignore[no-untyped-def]
    response = check_access(app, method="GET", url=f"/api/v1/quotes/{world.quote_id}/pdf", owner_tenant=world.owner,
                            other_tenant=world.stranger, allowed_role="viewer", denied_session=_without_read(app, world),
                            expected_status=200, snapshot=_snapshot(app, world))
    assert response.headers["Content-Disposition"] == f'attachment; filename="{world.quote_number}.pdf"'
    assert _files(app, world.owner.id) == []  # quotes are never stored


def test_draft_pdf_is_rendered_but_not_stored(app, world) -> None:  # type: ignore[no-untyped-def]
    response = login_as(app, world.owner, "viewer").get(f"/api/v1/invoices/{world.draft_id}/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="borrador-{world.draft_id[:8]}.pdf"'
    assert _files(app, world.owner.id) == []


def test_pdf_of_a_quote_id_through_invoices_is_404(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    assert session.get(f"/api/v1/invoices/{world.quote_id}/pdf").status_code == 404
    assert session.get(f"/api/v1/quotes/{world.issued_id}/pdf").status_code == 404


def test_issuing_enqueues_the_pdf_task_after_commit(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_PDF_RENDER_ON_ISSUE", "1")
    session = login_as(app, world.owner, "sales")
    response = session.post(f"/api/v1/invoices/{world.draft_id}/issue", json={})
    assert response.status_code == 200, response.get_json()
    # Huey is immediate in tests: the task ran once the issue committed
    assert _files(app, world.owner.id) == [f"pdf/invoice/{world.draft_id}.pdf"]
    stored = _read(app, world.owner.id, f"pdf/invoice/{world.draft_id}.pdf")
    assert session.get(f"/api/v1/invoices/{world.draft_id}/pdf").data == stored


def test_a_rolled_back_issue_renders_nothing(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "GESTIQ_PDF_RENDER_ON_ISSUE", "1")
    response = login_as(app, world.owner, "sales").post(f"/api/v1/invoices/{world.issued_id}/issue", json={})
    assert response.status_code == 409
    assert _files(app, world.owner.id) == []


def test_send_access_queues_mail_with_the_pdf_attached_and_audits(app, world) -> None:  # type: ignore[no-untyped-def]
    body = {"to": "cliente@example.test", "cc": ["conta@example.test"], "message": "Adjuntamos la factura de marzo."}
    response = check_access(app, method="POST", url=f"/api/v1/invoices/{world.issued_id}/send", json=body, owner_tenant=world.owner,
                            other_tenant=world.stranger, allowed_role="sales", denied_role="viewer", expected_status=202,
                            snapshot=_snapshot(app, world))
    email_id = uuid.UUID(response.get_json()["email_id"])
    assert response.get_json()["state"] == "queued"
    with app.app_context(), tenant_context(world.owner.id):
        email = db.session.scalar(select(OutboundEmail).where(OutboundEmail.id == email_id))
        tenant_name = world.owner.legal_name
        assert (email.to_address, email.cc_addresses, email.subject) == (
            "cliente@example.test", ["conta@example.test"], f"Factura {world.issued_number} de {tenant_name}")
        assert email.body_text == f"Estimado cliente:\n\nAdjuntamos la factura de marzo.\n\nUn saludo,\n{tenant_name}"
        assert email.attachments == [{"key": f"pdf/invoice/{world.issued_id}.pdf", "filename": f"{world.issued_number}.pdf",
                                      "content_type": "application/pdf"}]
        message = EmailMessage()
        message.set_content(email.body_text)
        add_attachments(message, email)
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == f"{world.issued_number}.pdf"
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content().startswith(b"%PDF-")
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invoice.sent"))
        assert audit.entity_id == world.issued_id and audit.changes["to"] == [None, "cliente@example.test"]


def test_send_a_draft_is_409_and_bad_address_422(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "owner")
    snapshot = _snapshot(app, world)
    before = snapshot()
    draft = session.post(f"/api/v1/invoices/{world.draft_id}/send", json={"to": "a@example.test"})
    assert draft.status_code == 409 and draft.get_json()["errors"] == {"state": ["Emita la factura antes de enviarla."]}
    invalid = session.post(f"/api/v1/invoices/{world.issued_id}/send", json={"to": "no-es-correo"})
    assert invalid.status_code == 422 and invalid.get_json()["errors"] == {"to": ["Correo electrónico no válido."]}
    assert snapshot() == before


def test_export_access_progress_and_zip(app, world) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        customer = add_customer(world.owner)
        second = issued_invoice(world.owner, customer, [line("1", "20")])
    response = check_access(app, method="POST", url="/api/v1/invoices/pdf-exports", json={"ids": [world.issued_id, str(second.id)]},
                            owner_tenant=world.owner, other_tenant=world.stranger, other_tenant_status=(422,),
                            allowed_role="viewer", denied_session=_without_read(app, world), expected_status=202,
                            snapshot=_snapshot(app, world))
    export = response.get_json()
    assert response.headers["Location"] == f"/api/v1/invoices/pdf-exports/{export['id']}"
    session = login_as(app, world.owner, "viewer")
    progress = check_access(app, method="GET", url=f"/api/v1/invoices/pdf-exports/{export['id']}", owner_tenant=world.owner,
                            other_tenant=world.stranger, allowed_role="viewer", denied_session=_without_read(app, world),
                            expected_status=200, snapshot=_snapshot(app, world)).get_json()
    # Huey is immediate in tests: the export finished once its request committed
    assert (progress["state"], progress["done"], progress["total"], progress["percent"], progress["error"]) == ("done", 2, 2, 100, None)
    download = check_access(app, method="GET", url=f"/api/v1/invoices/pdf-exports/{export['id']}/download", owner_tenant=world.owner,
                            other_tenant=world.stranger, allowed_role="viewer", denied_session=_without_read(app, world),
                            expected_status=200, snapshot=_snapshot(app, world))
    assert download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(archive.namelist()) == sorted([f"{world.issued_number}.pdf", f"{second.full_number}.pdf"])
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())
    assert progress["size_bytes"] == len(download.data)
    assert session.get(f"/api/v1/invoices/pdf-exports/{export['id']}").get_json()["state"] == "done"


def test_export_by_filters_skips_drafts_and_rejects_unknown_ids(app, world) -> None:  # type: ignore[no-untyped-def]
    session = login_as(app, world.owner, "viewer")
    export = session.post("/api/v1/invoices/pdf-exports", json={"status": "issued,overdue", "kind": "invoice"}).get_json()
    assert (export["state"], export["total"]) == ("done", 1)
    snapshot = _snapshot(app, world)
    before = snapshot()
    bad = session.post("/api/v1/invoices/pdf-exports", json={"ids": [world.draft_id]})
    assert bad.status_code == 422 and bad.get_json()["errors"] == {"ids": [f"No exportables: {world.draft_id}"]}
    assert snapshot() == before


def test_export_not_finished_download_is_409(app, world) -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), tenant_context(world.owner.id):
        export = PdfExport(state="running", document_ids=[world.issued_id], total=1, done=0, requested_by="test")
        db.session.add(export)
        db.session.commit()
        export_id = export.id
    session = login_as(app, world.owner, "viewer")
    assert session.get(f"/api/v1/invoices/pdf-exports/{export_id}").get_json()["percent"] == 0
    assert session.get(f"/api/v1/invoices/pdf-exports/{export_id}/download").status_code == 409


def _png(size: tuple[int, int] = (120, 40)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (31, 78, 121)).save(output, format="PNG")
    return output.getvalue()


def test_branding_access_update_and_logo(app, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    check_access(app, method="GET", url="/api/v1/settings/branding", owner_tenant=world.owner, other_tenant=world.stranger,
                 other_tenant_status=(200,), allowed_role="owner", denied_role="admin", expected_status=200,
                 snapshot=_snapshot(app, world))
    updated = check_access(app, method="PUT", url="/api/v1/settings/branding", owner_tenant=world.owner, other_tenant=world.stranger,
                           other_tenant_status=(200,), allowed_role="owner", denied_role="admin", expected_status=200,
                           snapshot=lambda: _rows(app, world.owner.id, TenantModule),
                           json={"color": "#aa3300", "footer": "Gracias", "legal_text": "Registro Mercantil"}).get_json()
    assert updated == {"color": "#AA3300", "footer": "Gracias", "legal_text": "Registro Mercantil", "has_logo": False,
                       "logo_content_type": None}
    logo = check_access(app, method="PUT", url="/api/v1/settings/branding/logo", owner_tenant=world.owner, other_tenant=world.stranger,
                        other_tenant_status=(200,), allowed_role="owner", denied_role="admin", expected_status=200,
                        snapshot=lambda: _rows(app, world.owner.id, TenantModule),
                        data=lambda: {"file": (io.BytesIO(_png()), "logo.png")}).get_json()
    assert (logo["has_logo"], logo["logo_content_type"], logo["color"]) == (True, "image/png", "#AA3300")
    assert _read(app, world.owner.id, "branding/logo.png") == _png()
    # the logo is printed: the invoice now holds two images (logo and QR)
    from tests.pdf.conftest import pdf_images
    pdf = login_as(app, world.owner, "owner").get(f"/api/v1/invoices/{world.issued_id}/pdf").data
    assert len(pdf_images(pdf, tmp_path)) == 2


@pytest.mark.parametrize(("payload", "message"), [
    (b"not an image", "El archivo no es una imagen PNG o JPEG válida."),
    (b"", "Adjunte una imagen PNG o JPEG."),
    (b"GIF89a" + b"\0" * 20, "El archivo no es una imagen PNG o JPEG válida."),
    (b"\x89PNG" + b"\0" * (512 * 1024), "Máximo 512 KB."),
    ("big", "Máximo 2000×2000 píxeles."),
])
def test_logo_type_and_size_checks(app, world, payload, message) -> None:  # type: ignore[no-untyped-def]
    if payload == "big":
        payload = _png((2001, 10))
    session = login_as(app, world.owner, "owner")
    snapshot = lambda: _rows(app, world.owner.id, TenantModule)  # noqa: E731
    before = snapshot()
    response = session.put("/api/v1/settings/branding/logo", json=None, data={"file": (io.BytesIO(payload), "logo.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"] == {"file": [message]}
    assert snapshot() == before


def test_branding_bad_colour_is_422(app, world) -> None:  # type: ignore[no-untyped-def]
    response = login_as(app, world.owner, "owner").put("/api/v1/settings/branding", json={"color": "red"})
    assert response.status_code == 422 and response.get_json()["errors"] == {"color": ["Use el formato #RRGGBB."]}
