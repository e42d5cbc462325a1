"""Sales → e-invoicing, inside the issuing (or voiding) transaction, through `domain_events`.

`sales.document_issued`: Ecuador (certificate uploaded) → `issue_sri_document`; Spain (always) →
`register_verifactu_invoice`, queued for the AEAT only when the tenant enabled submission. A mapping or engine
error raises EinvoicingInvalidError (422) and rolls the whole issue back: the invoice keeps its draft state and
its number is not taken.
`sales.document_voided`: Spain → `register_verifactu_cancellation`. Ecuador: the SRI offline scheme has no
cancellation service, so an invoice that went to the SRI cannot be voided here (409: issue a nota de crédito, or
annul it on the SRI portal); one without a submission (e-invoicing not active) is voided normally.
`purchases.invoice_recorded`: Ecuador (same rule as invoices: certificate uploaded) → when recording numbered a
comprobante de retención, `issue_sri_document(SriRetention, document_id=withholding.id)` in the same transaction (a
mapping or XSD problem is a 422 and the recording rolls back: still a draft, no retention number taken).
Imported legacy invoices (`origin == "import"`, see `sales.importing`) were declared by the old system: neither the
issue nor a later void of one goes to the SRI or VERI*FACTU.
Importing this module registers the handlers (done once by `create_app`).
"""

from __future__ import annotations

from sqlalchemy import select

from gestiq_app import domain_events
from gestiq_app.db import session
from gestiq_app.einvoicing.exceptions import EinvoicingConflictError
from gestiq_app.einvoicing.mapping import sri_document_of, sri_retention_of, verifactu_cancellation_of, verifactu_invoice_of
from gestiq_app.einvoicing.models import EinvoiceSubmission
from gestiq_app.einvoicing.services import issue_sri_document, register_verifactu_cancellation, register_verifactu_invoice
from gestiq_app.einvoicing.settings import current_tenant, get_einvoicing_settings, is_sri_active
from gestiq_app.purchases.models import PurchaseDocument, PurchaseWithholding
from gestiq_app.sales.models import SalesDocument


def _rectified(document: SalesDocument) -> SalesDocument | None:
    if document.rectified_document_id is None:
        return None
    return session().scalar(select(SalesDocument).where(SalesDocument.id == document.rectified_document_id))


@domain_events.subscribe("sales.document_issued")
def on_document_issued(*, document: SalesDocument) -> None:
    """Queue the SRI comprobante (Ecuador) or chain the VERI*FACTU alta (Spain) of a just-issued document."""
    if getattr(document, "origin", "app") == "import":
        return  # a legacy invoice: the old system already declared it
    tenant = current_tenant()
    if tenant.country == "EC":
        if not is_sri_active():
            return
        settings = get_einvoicing_settings()
        comprobante = sri_document_of(document, tenant=tenant, settings=settings, rectified=_rectified(document))
        issue_sri_document(document=comprobante, document_id=document.id)
    elif tenant.country == "ES":
        settings = get_einvoicing_settings()
        invoice = verifactu_invoice_of(document, tenant=tenant, rectified=_rectified(document))
        register_verifactu_invoice(invoice=invoice, document_id=document.id, submit=settings.verifactu_submission_enabled)


@domain_events.subscribe("sales.document_voided")
def on_document_voided(*, document: SalesDocument) -> None:
    """Chain the registro de anulación (Spain); refuse to void an invoice already sent to the SRI (Ecuador)."""
    if getattr(document, "origin", "app") == "import":
        return  # never registered here: its cancellation belongs to the old system's records
    tenant = current_tenant()
    if tenant.country == "ES":
        settings = get_einvoicing_settings()
        register_verifactu_cancellation(cancellation=verifactu_cancellation_of(document, tenant=tenant),
                                        document_id=document.id, submit=settings.verifactu_submission_enabled)
    elif tenant.country == "EC":
        sent = session().scalar(select(EinvoiceSubmission.id).where(
            EinvoiceSubmission.channel == "sri", EinvoiceSubmission.document_id == document.id).limit(1))
        if sent is not None:
            raise EinvoicingConflictError(
                "En Ecuador un comprobante electrónico no se anula desde aquí: emita una nota de crédito "
                "o anúlelo en el portal del SRI.")


@domain_events.subscribe("purchases.invoice_recorded")
def on_purchase_recorded(*, document: PurchaseDocument) -> None:
    """Queue the comprobante de retención numbered while recording an Ecuadorian purchase (SRI active only)."""
    tenant = current_tenant()
    if tenant.country != "EC" or not is_sri_active():
        return
    withholding = session().scalar(select(PurchaseWithholding).where(PurchaseWithholding.document_id == document.id))
    if withholding is None:
        return  # no withholdings on this purchase: nothing to issue
    retention = sri_retention_of(withholding, tenant=tenant, settings=get_einvoicing_settings())
    issue_sri_document(document=retention, document_id=withholding.id)
