"""Import every domain's models so the metadata (Alembic, RLS, tests) knows every table."""

from gestiq_app.audit.models import AuditEvent  # noqa: F401
from gestiq_app.identity.models import (  # noqa: F401
    AdminRefreshToken,
    AdminSecondFactor,
    ApiToken,
    RecoveryCode,
    RefreshToken,
    TenantUser,
    UserToken,
)
from gestiq_app.idempotency.models import IdempotencyKey  # noqa: F401
from gestiq_app.mail.models import OutboundEmail  # noqa: F401
from gestiq_app.tenancy.models import Plan, SectorTemplate, Tenant, TenantModule  # noqa: F401
from gestiq_app.catalog.models import PriceList, PriceListItem, Product  # noqa: F401
from gestiq_app.crm.models import Customer, Supplier  # noqa: F401
from gestiq_app.taxes.models import TaxRate  # noqa: F401
from gestiq_app.ops.models import JobFailure  # noqa: F401
from gestiq_app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription  # noqa: F401
from gestiq_app.sales.models import DocumentSeries, SalesDocument, SalesDocumentLine, SalesDocumentTax  # noqa: F401
from gestiq_app.einvoicing.models import EinvoiceCertificate, EinvoiceSubmission  # noqa: F401
from gestiq_app.einvoicing.es_verifactu.models import VerifactuChainHead, VerifactuRecord  # noqa: F401
from gestiq_app.purchases.models import (  # noqa: F401
    PurchaseAttachment,
    PurchaseDocument,
    PurchaseDocumentLine,
    PurchaseDocumentTax,
    PurchaseWithholding,
    PurchaseWithholdingLine,
    WithholdingSeries,
)
from gestiq_app.accounting.models import Account, JournalEntry, JournalLine  # noqa: F401
from gestiq_app.payments.models import Payment, PaymentProviderAccount, PaymentRequest, ProviderEvent, Refund  # noqa: F401
from gestiq_app.pdf.models import PdfExport  # noqa: F401
from gestiq_app.imports.models import ImportBatch, ImportItem, ImportLineage  # noqa: F401
