"""The tenant's signing certificate: upload (encrypted at rest), metadata, and the decrypted key for one use."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timezone

from cryptography.x509 import Certificate
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gestiq_app import crypto
from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work, utcnow
from gestiq_app.einvoicing.ec_sri.signing import CertificateError, SigningMaterial, certificate_fingerprint, load_p12
from gestiq_app.einvoicing.exceptions import EinvoicingInvalidError, EinvoicingNotFoundError
from gestiq_app.einvoicing.models import EinvoiceCertificate

MAX_P12_BYTES = 64 * 1024


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _validity(certificate: Certificate) -> tuple[datetime, datetime]:
    return _utc(certificate.not_valid_before_utc), _utc(certificate.not_valid_after_utc)


def upload_certificate(*, tenant_id: uuid.UUID, data: bytes, password: str, actor: str,
                       now: datetime | None = None) -> EinvoiceCertificate:
    """Store (or replace) the tenant's .p12 and its password, both encrypted, and re-arm waiting submissions."""
    if not data or len(data) > MAX_P12_BYTES:
        raise EinvoicingInvalidError("Suba un archivo .p12 de como máximo 64 KB.", errors={"file": ["Archivo vacío o demasiado grande."]})
    try:
        material = load_p12(data, password)
    except CertificateError as error:
        raise EinvoicingInvalidError(str(error), errors={"file": [str(error)]}) from error
    not_before, not_after = _validity(material.certificate)
    if not_after <= (now or utcnow()):
        raise EinvoicingInvalidError(f"El certificado caducó el {not_after:%d/%m/%Y}.", errors={"file": ["Certificado caducado."]})
    values = {
        "encrypted_p12": crypto.encrypt(base64.b64encode(data).decode("ascii")),
        "encrypted_password": crypto.encrypt(password),
        "subject": material.certificate.subject.rfc4514_string()[:500],
        "issuer": material.certificate.issuer.rfc4514_string()[:500],
        "serial_number": str(material.certificate.serial_number)[:80],
        "fingerprint_sha256": certificate_fingerprint(material.certificate),
        "not_before": not_before, "not_after": not_after, "uploaded_by": actor[:200], "updated_at": utcnow(),
    }
    with unit_of_work() as current:
        insert = pg_insert if current.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(EinvoiceCertificate).values(tenant_id=tenant_id, id=uuid.uuid4(), created_at=utcnow(), **values)
        current.execute(statement.on_conflict_do_update(index_elements=["tenant_id"], set_=values))
        certificate = current.scalars(select(EinvoiceCertificate).execution_options(populate_existing=True)).one()
        record_event(actor=actor, action="einvoicing.certificate_uploaded", entity="einvoice_certificate",
                     entity_id=certificate.id, changes={"subject": values["subject"],
                                                        "fingerprint_sha256": values["fingerprint_sha256"],
                                                        "not_after": not_after.isoformat()})
        from gestiq_app.einvoicing.submissions import rearm_after_change

        rearm_after_change()
    return certificate


def get_certificate(*, tenant_id: uuid.UUID) -> EinvoiceCertificate:
    """Return the tenant's certificate metadata (404 when none was uploaded)."""
    certificate = session().scalars(select(EinvoiceCertificate).where(EinvoiceCertificate.tenant_id == tenant_id)).first()
    if certificate is None:
        raise EinvoicingNotFoundError("Esta empresa no ha subido su certificado de firma electrónica.")
    return certificate


def current_certificate_fingerprint() -> str:
    """Return the current tenant's certificate fingerprint, or "" without one (part of the config fingerprint)."""
    return session().scalars(select(EinvoiceCertificate.fingerprint_sha256)).first() or ""


def load_signing_material() -> SigningMaterial | None:
    """Decrypt the current tenant's certificate for one signature or one TLS session (None without one)."""
    certificate = session().scalars(select(EinvoiceCertificate)).first()
    if certificate is None:
        return None
    data = base64.b64decode(crypto.decrypt(certificate.encrypted_p12))
    return load_p12(data, crypto.decrypt(certificate.encrypted_password))
