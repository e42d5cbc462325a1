"""/api/v1/einvoicing: the signing certificate, the submissions log and the VERI*FACTU chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask.views import MethodView
from flask_smorest import Blueprint

from api.common import page_schema, paginate
from api.errors import ApiProblem
from api.security import current_principal, require
from gestiq_app.einvoicing import certificates, services, settings
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.schemas import (
    CertificateSchema,
    CertificateUploadSchema,
    EinvoicingSettingsSchema,
    RecordQuerySchema,
    RecordSchema,
    SubmissionQuerySchema,
    SubmissionSchema,
)

blp = Blueprint("einvoicing", __name__, url_prefix="/api/v1/einvoicing", description="Facturación electrónica (SRI y VERI*FACTU)")
F = TypeVar("F", bound=Callable[..., Any])


def accepts(*content_types: str) -> Callable[[F], F]:
    """Let a handler receive bodies other than JSON (the API's body guard reads this mark)."""

    def decorator(handler: F) -> F:
        handler._gestiq_content_types = content_types  # type: ignore[attr-defined]
        return handler

    return decorator


@blp.route("/certificate")
class Certificate(MethodView):
    """The company's electronic-signature certificate (.p12)."""

    @require("einvoicing:write")
    @blp.response(200, CertificateSchema)
    @blp.alt_response(404, description="La empresa no ha subido su certificado")
    def get(self) -> Any:
        """Return the certificate's metadata (subject, issuer, validity): never the file nor its password."""
        return certificates.get_certificate(tenant_id=current_principal().tenant_id)  # type: ignore[arg-type]

    @accepts("multipart/form-data")
    @require("einvoicing:admin")
    @blp.arguments(CertificateUploadSchema, location="files")
    @blp.response(201, CertificateSchema)
    @blp.alt_response(422, description="Archivo o contraseña no válidos, o certificado caducado")
    def post(self, form: dict[str, Any]) -> Any:
        """Upload (or replace) the .p12 with its password; both are stored encrypted. Owner only."""
        upload = form["file"]
        data = upload.read(certificates.MAX_P12_BYTES + 1) if hasattr(upload, "read") else b""
        if not data:
            raise ApiProblem(422, "Adjunte el archivo .p12.", errors={"file": ["Archivo vacío."]})
        principal = current_principal()
        return certificates.upload_certificate(tenant_id=principal.tenant_id, data=data,  # type: ignore[arg-type]
                                               password=form["password"], actor=principal.actor)


@blp.route("/submissions")
class Submissions(MethodView):
    """Documents sent (or waiting to be sent) to the SRI or the AEAT."""

    @require("einvoicing:read")
    @blp.arguments(SubmissionQuerySchema, location="query")
    @blp.response(200, page_schema(SubmissionSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List the submissions with their state and the authority's last messages, newest first."""
        statement = services.submissions_query(state=args["state"], channel=args["channel"], document_id=args["document_id"])
        sortable = {"created_at": EinvoiceSubmission.created_at, "state": EinvoiceSubmission.state,
                    "next_attempt_at": EinvoiceSubmission.next_attempt_at}
        return paginate(statement, args, sortable=sortable, default_sort="-created_at")


@blp.route("/verifactu/records")
class VerifactuRecords(MethodView):
    """The company's VERI*FACTU record chain."""

    @require("einvoicing:read")
    @blp.arguments(RecordQuerySchema, location="query")
    @blp.response(200, page_schema(RecordSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List the chain in order, with every field that enters each huella and the previous huella."""
        sortable = {"sequence": VerifactuRecord.sequence, "issue_date": VerifactuRecord.issue_date}
        return paginate(services.records_query(issuer_nif=args["issuer_nif"]), args, sortable=sortable, default_sort="sequence")


@blp.route("/settings")
class EinvoicingSettings(MethodView):
    """The company's e-invoicing settings."""

    @require("einvoicing:read")
    @blp.response(200, EinvoicingSettingsSchema)
    def get(self) -> Any:
        """Return the settings (defaults filled in): SRI emitter data and the VERI*FACTU submission switch."""
        return settings.get_einvoicing_settings()

    @require("einvoicing:admin")
    @blp.arguments(EinvoicingSettingsSchema)
    @blp.response(200, EinvoicingSettingsSchema)
    @blp.alt_response(422, description="Valores no válidos")
    def patch(self, data: dict[str, Any]) -> Any:
        """Change the settings sent (owner only); a rejected SRI comprobante can then be retried with the new data."""
        principal = current_principal()
        return settings.update_einvoicing_settings(tenant_id=principal.tenant_id, changes=data, actor=principal.actor)  # type: ignore[arg-type]
