"""The ORM tenant guard, checked for every mapped tenant-scoped class."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import ProgrammingError

from gestiq_app.extensions import db
from gestiq_app.tenancy.context import TenantContextError, platform_scope, tenant_context
from gestiq_app.tenancy.rls import APPEND_ONLY_TABLES
from tests.factories import ROW_FACTORIES, first_user_id, populate_row, make_bare_tenant, make_tenant, tenant_scoped_classes

CLASSES = tenant_scoped_classes()
#: A text or boolean column per class that the update test tries to change.
MUTABLE_COLUMN = {
    "TenantUser": "name", "TenantModule": "is_enabled", "AuditEvent": "action", "RefreshToken": "family_id",  # set to a fresh UUID below
    "UserToken": "purpose", "RecoveryCode": "code_hash", "ApiToken": "name", "IdempotencyKey": "state",
    "OutboundEmail": "subject", "Customer": "legal_name", "Supplier": "legal_name", "Product": "name",
    "DocumentSeries": "name", "SalesDocument": "notes", "SalesDocumentLine": "description", "SalesDocumentTax": "category",
    "EinvoiceCertificate": "subject", "EinvoiceSubmission": "last_error", "VerifactuRecord": "issuer_name",
    "VerifactuChainHead": "last_huella",
    "PriceList": "name", "PriceListItem": "unit_price",
}
MUTABLE_COLUMN.update({"WebhookSubscription": "url", "WebhookDelivery": "event", "WebhookAttempt": "error"})
MUTABLE_COLUMN.update({"PurchaseDocument": "notes", "PurchaseDocumentLine": "description", "PurchaseDocumentTax": "category",
                       "PurchaseWithholdingLine": "category", "PurchaseAttachment": "filename", "WithholdingSeries": "is_active",
                       "PurchaseWithholding": "supplier_name"})
MUTABLE_COLUMN.update({"Account": "name", "JournalEntry": "description", "JournalLine": "description"})
MUTABLE_COLUMN.update({"PaymentProviderAccount": "updated_by", "Payment": "notes", "Refund": "reason", "PaymentRequest": "last_error",
                       "ProviderEvent": "last_error"})
MUTABLE_COLUMN.update({"ImportBatch": "source_name", "ImportItem": "natural_key", "ImportLineage": "entity_type"})
MUTABLE_COLUMN.update({"PdfExport": "error"})


def _ids(cls: type, tenant_id) -> set:  # type: ignore[no-untyped-def]
    with platform_scope(actor="test", reason="oracle"):
        ids = set(db.session.scalars(select(cls.id).where(cls.tenant_id == tenant_id)))
    db.session.rollback()
    return ids


def test_every_tenant_scoped_class_has_a_factory() -> None:
    missing = sorted(cls.__name__ for cls in CLASSES if cls.__name__ not in ROW_FACTORIES)
    assert missing == []


def _tenants_with_rows(cls: type):  # type: ignore[no-untyped-def]
    """Two bare tenants, each with one factory row of `cls`."""
    tenant_a_id, tenant_b_id = make_bare_tenant().id, make_bare_tenant().id
    populate_row(cls, tenant_a_id, 1)
    populate_row(cls, tenant_b_id, 2)
    return tenant_a_id, tenant_b_id


def test_the_known_tenant_tables_are_all_covered() -> None:
    assert {cls.__tablename__ for cls in CLASSES} >= {"tenant_users", "tenant_modules", "audit_events"}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_tenant_sees_only_its_own_rows(app_context, cls) -> None:  # type: ignore[no-untyped-def]
    tenant_a_id, tenant_b_id = _tenants_with_rows(cls)
    a_ids, b_ids = _ids(cls, tenant_a_id), _ids(cls, tenant_b_id)
    assert a_ids and b_ids
    with tenant_context(tenant_a_id):
        listed = set(db.session.scalars(select(cls.id)))
        counted = db.session.scalar(select(func.count()).select_from(cls))
        fetched = [db.session.get(cls, row_id) for row_id in b_ids]
    assert listed == a_ids
    assert counted == len(a_ids)
    assert fetched == [None] * len(b_ids)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_tenant_cannot_update_or_delete_other_rows(app_context, cls) -> None:  # type: ignore[no-untyped-def]
    column = MUTABLE_COLUMN[cls.__name__]
    tenant_a_id, tenant_b_id = _tenants_with_rows(cls)
    b_ids = _ids(cls, tenant_b_id)
    with platform_scope(actor="test", reason="oracle"):
        before = {row.id: getattr(row, column) for row in db.session.scalars(select(cls).where(cls.tenant_id == tenant_b_id))}
    db.session.rollback()
    db.session.expunge_all()
    value = {"is_enabled": False, "is_active": False, "family_id": uuid.uuid4(), "unit_price": Decimal("999")}.get(column, "tampered")
    append_only_on_postgres = cls.__tablename__ in APPEND_ONLY_TABLES and db.engine.dialect.name == "postgresql"
    with tenant_context(tenant_a_id):
        if append_only_on_postgres:
            # The runtime role has no UPDATE/DELETE grant on append-only tables (audit, VERI*FACTU records) at all.
            with pytest.raises(ProgrammingError, match="permission denied"):
                db.session.execute(update(cls).where(cls.id.in_(b_ids)).values({column: value}))
            db.session.rollback()
            with pytest.raises(ProgrammingError, match="permission denied"):
                db.session.execute(delete(cls).where(cls.id.in_(b_ids)))
            db.session.rollback()
        else:
            updated = db.session.execute(update(cls).where(cls.id.in_(b_ids)).values({column: value}))
            deleted = db.session.execute(delete(cls).where(cls.id.in_(b_ids)))
            db.session.commit()
            assert updated.rowcount == 0
            assert deleted.rowcount == 0
    db.session.expunge_all()
    with platform_scope(actor="test", reason="oracle"):
        after = {row.id: getattr(row, column) for row in db.session.scalars(select(cls).where(cls.tenant_id == tenant_b_id))}
    assert after == before


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_no_context_gives_no_rows(app_context, cls) -> None:  # type: ignore[no-untyped-def]
    _tenants_with_rows(cls)
    assert db.session.scalars(select(cls)).all() == []
    assert db.session.scalar(select(func.count()).select_from(cls)) == 0


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_inserts_are_stamped_with_the_current_tenant(app_context, cls) -> None:  # type: ignore[no-untyped-def]
    tenant_id = make_bare_tenant().id
    row = ROW_FACTORIES[cls.__name__](1, first_user_id(tenant_id))
    assert row.tenant_id is None
    with tenant_context(tenant_id):
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    db.session.expunge_all()
    assert row_id in _ids(cls, tenant_id)
    with platform_scope(actor="test", reason="oracle"):
        assert db.session.get(cls, row_id).tenant_id == tenant_id


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_insert_without_context_is_refused(app_context, cls) -> None:  # type: ignore[no-untyped-def]
    row = ROW_FACTORIES[cls.__name__](2, uuid.uuid4())
    db.session.add(row)
    with pytest.raises(TenantContextError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_insert_for_another_tenant_is_refused(app_context, cls) -> None:  # type: ignore[no-untyped-def]
    tenant_a_id, tenant_b_id = make_bare_tenant().id, make_bare_tenant().id
    row = ROW_FACTORIES[cls.__name__](3, first_user_id(tenant_b_id))
    row.tenant_id = tenant_b_id
    with tenant_context(tenant_a_id):
        db.session.add(row)
        with pytest.raises(TenantContextError):
            db.session.flush()
        db.session.rollback()
    assert row.id not in _ids(cls, tenant_b_id)


def test_relationship_loads_are_filtered_too(app_context) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.tenancy.models import TenantModule

    tenant_a_id, tenant_b_id = make_tenant(country="ES").id, make_tenant(country="EC").id
    with tenant_context(tenant_a_id):
        modules = db.session.scalars(select(TenantModule).join(TenantModule.tenant)).all()
    assert {module.tenant_id for module in modules} == {tenant_a_id}
    assert len(modules) == 7
    assert tenant_b_id not in {module.tenant_id for module in modules}
