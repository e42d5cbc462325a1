"""Factories: valid tax ids, tenants and one row per tenant-scoped model."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from gestiq_app.db import TenantScoped

NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
OWNER_PASSWORD = "owner-password-1"


def random_nif() -> str:
    """Return a valid Spanish DNI-based NIF."""
    number = random.randint(10_000_000, 99_999_999)
    return f"{number}{NIF_LETTERS[number % 23]}"


def random_cedula() -> str:
    """Return a valid Ecuadorian cédula (módulo 10)."""
    province = random.randint(1, 24)
    digits = [province // 10, province % 10, random.randint(0, 5)] + [random.randint(0, 9) for _ in range(6)]
    total = 0
    for index, digit in enumerate(digits):
        product = digit * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    check = (10 - total % 10) % 10
    return "".join(map(str, digits)) + str(check)


def random_ruc() -> str:
    """Return a valid RUC of a natural person (cédula + 001)."""
    return random_cedula() + "001"


def make_tenant(*, country: str = "ES", sector: str = "general", **overrides: Any):  # type: ignore[no-untyped-def]
    """Provision a tenant through the service and return it (owner e-mail owner@<slug>.test)."""
    from gestiq_app.tenancy.services import create_tenant

    slug = overrides.pop("slug", f"t-{uuid.uuid4().hex[:12]}")
    data = {
        "slug": slug,
        "legal_name": f"Empresa {slug}",
        "country": country,
        "tax_id": random_nif() if country == "ES" else random_ruc(),
        "owner_email": f"owner@{slug}.test",
        "owner_password": OWNER_PASSWORD,
        "sector": sector,
        **overrides,
    }
    return create_tenant(data=data, actor="test")


def _tenant_user(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.identity.models import TenantUser

    return TenantUser(email=f"user{index}-{uuid.uuid4().hex[:6]}@x.test", name="Usuario", password_hash="x", role="viewer")


def _tenant_module(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.tenancy.models import TenantModule

    # Provisioning creates every module, so the isolation tests insert factory rows on bare tenants.
    return TenantModule(module="crm", is_enabled=True, settings={"factory": index})


def _audit_event(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.audit.models import AuditEvent

    return AuditEvent(actor="test", action=f"test.{index}", entity="test", changes={})


def _refresh_token(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.db import utcnow
    from gestiq_app.identity.models import RefreshToken

    now = utcnow()
    return RefreshToken(user_id=user_id, family_id=uuid.uuid4(), issued_at=now, expires_at=now, family_expires_at=now)


def _user_token(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.db import utcnow
    from gestiq_app.identity.models import UserToken

    return UserToken(user_id=user_id, purpose="password_reset", token_hash=uuid.uuid4().hex, expires_at=utcnow())


def _recovery_code(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.identity.models import RecoveryCode

    return RecoveryCode(user_id=user_id, code_hash=uuid.uuid4().hex)


def _api_token(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.identity.models import ApiToken

    return ApiToken(name=f"token {index}", prefix="gqt_x", token_hash=uuid.uuid4().hex, permissions=["customers:read"], created_by_id=user_id)


def _idempotency_key(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.db import utcnow
    from gestiq_app.idempotency.models import IdempotencyKey

    return IdempotencyKey(principal=f"user:{user_id}", key=uuid.uuid4().hex, request_hash="x" * 64, expires_at=utcnow(), response_headers={})


def _outbound_email(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.mail.models import OutboundEmail

    return OutboundEmail(to_address=f"to{index}@x.test", subject="Asunto", body_text="Cuerpo")


def _customer(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.crm.models import Customer

    return Customer(legal_name=f"Cliente {index}", country="ES", tax_id_type="nif", tax_id=random_nif())


def _supplier(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.crm.models import Supplier

    return Supplier(legal_name=f"Proveedor {index}", country="ES", tax_id_type="nif", tax_id=random_nif())


def _product(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.catalog.models import Product

    return Product(sku=f"SKU-{index}-{uuid.uuid4().hex[:6]}", name=f"Producto {index}", unit_price=Decimal("10.00"), tax_category="general")


def _document_series(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.sales.models import DocumentSeries

    return DocumentSeries(kind="invoice", prefix=f"T{index}-{uuid.uuid4().hex[:6]}", name=f"Serie {index}")


def _sales_document(index: int, user_id: uuid.UUID) -> Any:
    """A draft invoice with its own customer and series (built as one graph: nothing is flushed here)."""
    from datetime import date

    from gestiq_app.sales.models import SalesDocument

    customer = _customer(index, user_id)
    return SalesDocument(kind="invoice", state="draft", customer=customer, series=_document_series(index, user_id),
                         customer_name=customer.legal_name, customer_tax_id=customer.tax_id, issue_date=date(2026, 1, 15),
                         currency="EUR", notes=f"Factura {index}")


def _sales_document_line(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.sales.models import SalesDocumentLine

    return SalesDocumentLine(document=_sales_document(index, user_id), position=1, description=f"Línea {index}",
                             quantity=Decimal("1"), unit_price=Decimal("10"), tax_category="general",
                             tax_rate=Decimal("21"), base_amount=Decimal("10.00"))


def _sales_document_tax(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.sales.models import SalesDocumentTax

    return SalesDocumentTax(document=_sales_document(index, user_id), tax_type="iva", category="general",
                            rate=Decimal("21"), base=Decimal("10.00"), amount=Decimal("2.10"))


def _webhook_subscription(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.crypto import encrypt
    from gestiq_app.webhooks.models import WebhookSubscription

    return WebhookSubscription(url=f"https://hooks.example.test/{index}", events=["ping"], secret_encrypted=encrypt("whsec_factory"))


def _webhook_delivery(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.db import utcnow
    from gestiq_app.webhooks.models import WebhookDelivery

    return WebhookDelivery(subscription=_webhook_subscription(index, user_id), event_id=uuid.uuid4(), event="ping",
                           payload={"index": index}, state="succeeded", attempts=1, finished_at=utcnow())


def _webhook_attempt(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.webhooks.models import WebhookAttempt

    return WebhookAttempt(delivery=_webhook_delivery(index, user_id), number=1, status_code=200, response_body="ok", duration_ms=5)
def _einvoice_certificate(index: int, user_id: uuid.UUID) -> Any:
    from datetime import timedelta

    from gestiq_app.db import utcnow
    from gestiq_app.einvoicing.models import EinvoiceCertificate

    now = utcnow()
    return EinvoiceCertificate(encrypted_p12="x", encrypted_password="x", subject=f"CN=Factory {index}", issuer="CN=CA",
                               serial_number=str(index), fingerprint_sha256="0" * 64, not_before=now,
                               not_after=now + timedelta(days=365), uploaded_by="test")


def _einvoice_submission(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.einvoicing.models import EinvoiceSubmission

    return EinvoiceSubmission(channel="sri", document_id=uuid.uuid4(), document_kind="factura", reference="9" * 49,
                              environment=1, state="pending", attempts=0, messages=[], document_fingerprint="d",
                              config_fingerprint="c", last_error=f"factory {index}")


def _verifactu_record(index: int, user_id: uuid.UUID) -> Any:
    from datetime import date
    from decimal import Decimal

    from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord

    return VerifactuRecord(issuer_nif=random_nif(), issuer_name="Emisor", sequence=1, record_type="alta",
                           invoice_number=f"F-{index}", issue_date=date(2025, 1, 1), invoice_type="F1",
                           total_tax=Decimal("21.00"), total_amount=Decimal("121.00"), previous_huella="",
                           huella="A" * 64, generated_at="2025-01-01T10:00:00+01:00", details={})


def _verifactu_chain_head(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.einvoicing.es_verifactu.models import VerifactuChainHead

    return VerifactuChainHead(issuer_nif=random_nif(), last_sequence=0, last_huella="")


def _price_list(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.catalog.models import PriceList

    return PriceList(code=f"T{index}-{uuid.uuid4().hex[:6]}", name=f"Tarifa {index}")


def _price_list_item(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.catalog.models import PriceListItem

    # The parents are saved with the item (and stamped with its tenant).
    return PriceListItem(price_list=_price_list(index, user_id), product=_product(index, user_id), unit_price=Decimal("9.50"))


def _purchase_document(index: int, user_id: uuid.UUID) -> Any:
    """A draft supplier invoice with its own supplier (built as one graph: nothing is flushed here)."""
    from datetime import date

    from gestiq_app.purchases.models import PurchaseDocument

    supplier = _supplier(index, user_id)
    return PurchaseDocument(kind="supplier_invoice", state="draft", supplier=supplier, supplier_number=f"FP-{index}-{uuid.uuid4().hex[:6]}",
                            supplier_name=supplier.legal_name, supplier_tax_id=supplier.tax_id, issue_date=date(2026, 1, 15),
                            currency="EUR", description=f"Compra {index}")


def _purchase_document_line(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.purchases.models import PurchaseDocumentLine

    return PurchaseDocumentLine(document=_purchase_document(index, user_id), position=1, description=f"Línea {index}",
                                quantity=Decimal("1"), unit_price=Decimal("10"), tax_category="general", tax_rate=Decimal("21"),
                                base_amount=Decimal("10.00"))


def _purchase_document_tax(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.purchases.models import PurchaseDocumentTax

    return PurchaseDocumentTax(document=_purchase_document(index, user_id), tax_type="iva", category="general",
                               rate=Decimal("21"), is_deductible=True, base=Decimal("10.00"), amount=Decimal("2.10"))


def _purchase_withholding_line(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.purchases.models import PurchaseWithholdingLine

    return PurchaseWithholdingLine(document=_purchase_document(index, user_id), kind="renta", category="otras", code="3440",
                                   rate=Decimal("2.75"), base=Decimal("100.00"), amount=Decimal("2.75"))


def _purchase_attachment(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.purchases.models import PurchaseAttachment

    return PurchaseAttachment(document=_purchase_document(index, user_id), filename=f"factura-{index}.pdf",
                              content_type="application/pdf", size_bytes=100, sha256="0" * 64,
                              storage_key=f"purchases/factory/{uuid.uuid4()}", uploaded_by="test")


def _withholding_series(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.purchases.models import WithholdingSeries

    return WithholdingSeries(establishment=f"{index % 1000:03d}", emission_point=f"{random.randint(0, 999):03d}", next_sequential=1)


def _purchase_withholding(index: int, user_id: uuid.UUID) -> Any:
    """A comprobante de retención of a fresh invoice, in a fresh series (one graph, nothing flushed here)."""
    from datetime import date
    from decimal import Decimal

    from gestiq_app.purchases.models import PurchaseWithholding

    document = _purchase_document(index, user_id)
    series = _withholding_series(index, user_id)
    return PurchaseWithholding(document=document, series=series, establishment=series.establishment,
                               emission_point=series.emission_point, sequential=1, issue_date=date(2026, 1, 16), fiscal_period="01/2026",
                               supplier_name=document.supplier_name, supplier_tax_id=document.supplier_tax_id, supplier_tax_id_type="nif",
                               total=Decimal("2.75"))
def _account(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.accounting.models import Account

    return Account(code=f"9{index}{uuid.uuid4().hex[:6]}", name=f"Cuenta {index}", type="asset", is_postable=True)


def _journal_entry(index: int, user_id: uuid.UUID) -> Any:
    """A balanced manual entry with its two lines and accounts (the database refuses an unbalanced one)."""
    from datetime import date
    from decimal import Decimal

    from gestiq_app.accounting.models import JournalEntry, JournalLine

    debit_account, credit_account = _account(index, user_id), _account(index, user_id)
    entry = JournalEntry(entry_date=date(2026, 1, 15), description=f"Asiento {index}", is_posted=False, created_by="test")
    entry.lines = [
        JournalLine(position=1, account=debit_account, debit=Decimal("10.00"), credit=Decimal("0")),
        JournalLine(position=2, account=credit_account, debit=Decimal("0"), credit=Decimal("10.00")),
    ]
    return entry


def _journal_line(index: int, user_id: uuid.UUID) -> Any:
    return _journal_entry(index, user_id).lines[0]


def _payment_provider_account(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.crypto import encrypt
    from gestiq_app.payments.models import PaymentProviderAccount

    return PaymentProviderAccount(provider="payphone", is_active=False, credentials_encrypted=encrypt('{"token": "factory"}'),
                                  secret_names=["token"], settings={"store_id": f"store-{index}"}, updated_by="test")


def _payment(index: int, user_id: uuid.UUID) -> Any:
    """A payment held as customer credit (no invoice), saved with its own customer."""
    from datetime import date
    from decimal import Decimal

    from gestiq_app.payments.models import Payment

    return Payment(customer=_customer(index, user_id), method="cash", amount=Decimal("10.00"), applied_amount=Decimal("0.00"),
                   credit_amount=Decimal("10.00"), amount_refunded=Decimal("0.00"), currency="EUR", paid_on=date(2026, 1, 15),
                   recorded_by="test")


def _refund(index: int, user_id: uuid.UUID) -> Any:
    from datetime import date
    from decimal import Decimal

    from gestiq_app.payments.models import Refund

    payment = _payment(index, user_id)
    payment.credit_amount, payment.amount_refunded = Decimal("7.00"), Decimal("3.00")
    return Refund(payment=payment, amount=Decimal("3.00"), currency="EUR", refunded_on=date(2026, 1, 16), recorded_by="test")


def _payment_request(index: int, user_id: uuid.UUID) -> Any:
    from decimal import Decimal

    from gestiq_app.payments.models import PaymentRequest

    return PaymentRequest(document=_sales_document(index, user_id), provider="stripe", operation_id=uuid.uuid4().hex,
                          amount=Decimal("12.10"), currency="EUR", state="open")


def _provider_event(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.db import utcnow
    from gestiq_app.payments.models import ProviderEvent

    return ProviderEvent(provider="stripe", event_id=f"evt_factory_{uuid.uuid4().hex[:10]}", event_type="customer.created",
                         payload={"index": index}, state="ignored", attempts=1, received_at=utcnow())
def _import_batch(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.imports.models import ImportBatch

    return ImportBatch(kind="products", source_name=f"lote {index}", state="validated", duplicate_policy="error", options={},
                       headers=["sku"], mapping={"sku": "sku"}, timings={}, created_by="test")


def _import_item(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.imports.models import ImportItem

    return ImportItem(batch=_import_batch(index, user_id), row_number=index + 2, raw={"sku": f"S{index}"}, data={"sku": f"S{index}"},
                      status="valid", errors={})


def _import_lineage(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.db import utcnow
    from gestiq_app.imports.models import ImportLineage

    item = _import_item(index, user_id)
    return ImportLineage(batch=item.batch, item=item, entity_type="product", entity_id=uuid.uuid4(), action="created", created_at=utcnow())


#: One builder per tenant-scoped model, given an index and a user of the current tenant;
#: a new model without one makes the isolation tests fail.
def _pdf_export(index: int, user_id: uuid.UUID) -> Any:
    from gestiq_app.pdf.models import PdfExport

    return PdfExport(state="done", document_ids=[], total=0, done=0, requested_by=f"user:{user_id}")


ROW_FACTORIES: dict[str, Callable[[int, uuid.UUID], Any]] = {
    "TenantUser": _tenant_user,
    "TenantModule": _tenant_module,
    "AuditEvent": _audit_event,
    "RefreshToken": _refresh_token,
    "UserToken": _user_token,
    "RecoveryCode": _recovery_code,
    "ApiToken": _api_token,
    "IdempotencyKey": _idempotency_key,
    "OutboundEmail": _outbound_email,
    "Customer": _customer,
    "Supplier": _supplier,
    "Product": _product,
    "WebhookSubscription": _webhook_subscription,
    "WebhookDelivery": _webhook_delivery,
    "WebhookAttempt": _webhook_attempt,
    "DocumentSeries": _document_series,
    "SalesDocument": _sales_document,
    "SalesDocumentLine": _sales_document_line,
    "SalesDocumentTax": _sales_document_tax,
    "EinvoiceCertificate": _einvoice_certificate,
    "EinvoiceSubmission": _einvoice_submission,
    "VerifactuRecord": _verifactu_record,
    "VerifactuChainHead": _verifactu_chain_head,
    "PriceList": _price_list,
    "PriceListItem": _price_list_item,
    "PurchaseDocument": _purchase_document,
    "PurchaseDocumentLine": _purchase_document_line,
    "PurchaseDocumentTax": _purchase_document_tax,
    "PurchaseWithholdingLine": _purchase_withholding_line,
    "PurchaseAttachment": _purchase_attachment,
    "WithholdingSeries": _withholding_series,
    "PurchaseWithholding": _purchase_withholding,
    "Account": _account,
    "JournalEntry": _journal_entry,
    "JournalLine": _journal_line,
    "PaymentProviderAccount": _payment_provider_account,
    "Payment": _payment,
    "Refund": _refund,
    "PaymentRequest": _payment_request,
    "ProviderEvent": _provider_event,
    "PdfExport": _pdf_export,
    "ImportBatch": _import_batch,
    "ImportItem": _import_item,
    "ImportLineage": _import_lineage,
}


def make_bare_tenant():  # type: ignore[no-untyped-def]
    """Insert a tenant row and one user, without provisioning (no modules), and return the tenant."""
    from gestiq_app.db import unit_of_work
    from gestiq_app.identity.models import TenantUser
    from gestiq_app.tenancy.context import tenant_context
    from gestiq_app.tenancy.models import Tenant

    slug = f"bare-{uuid.uuid4().hex[:10]}"
    with unit_of_work() as current:
        tenant = Tenant(
            id=uuid.uuid4(), slug=slug, legal_name=slug, tax_id=random_nif(), country="ES",
            currency="EUR", locale="es-ES", timezone="Europe/Madrid", status="active",
        )
        current.add(tenant)
    with tenant_context(tenant.id), unit_of_work() as current:
        current.add(TenantUser(email=f"bare@{slug}.test", name="Bare", password_hash="x", role="owner"))
    return tenant


def first_user_id(tenant_id: uuid.UUID) -> uuid.UUID:
    """Return the id of one user of the tenant (platform scope read, for factories)."""
    from sqlalchemy import select

    from gestiq_app.extensions import db
    from gestiq_app.identity.models import TenantUser
    from gestiq_app.tenancy.context import platform_scope

    with platform_scope(actor="test", reason="factory"):
        user_id = db.session.scalar(select(TenantUser.id).where(TenantUser.tenant_id == tenant_id).limit(1))
    db.session.rollback()
    return user_id


def tenant_scoped_classes() -> list[type]:
    """Return every mapped TenantScoped class, sorted by name."""
    from gestiq_app import models  # noqa: F401
    from gestiq_app.db import Base

    return sorted(
        {mapper.class_ for mapper in Base.registry.mappers if issubclass(mapper.class_, TenantScoped)},
        key=lambda cls: cls.__name__,
    )


def populate_row(cls: type, tenant_id: uuid.UUID, index: int) -> uuid.UUID:
    """Insert one factory row of `cls` for the tenant and return its id."""
    from gestiq_app.extensions import db
    from gestiq_app.tenancy.context import tenant_context

    user_id = first_user_id(tenant_id)
    with tenant_context(tenant_id):
        row = ROW_FACTORIES[cls.__name__](index, user_id)
        db.session.add(row)
        db.session.commit()
        return row.id


def tenant_with_every_kind_of_row() -> uuid.UUID:
    """Return a bare tenant holding at least one row of every tenant-scoped model."""
    tenant_id = make_bare_tenant().id
    for index, cls in enumerate(tenant_scoped_classes()):
        if cls.__name__ != "TenantUser":
            populate_row(cls, tenant_id, index)
    return tenant_id
