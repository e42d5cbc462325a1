"""Customer and supplier use cases: tax ids per country, flags, uniqueness, versions, deletes, search, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from gestiq_app.audit.models import AuditEvent
from gestiq_app.crm import services
from gestiq_app.crm.exceptions import CustomerConflictError, CustomerInvalidError, SupplierInvalidError
from gestiq_app.crm.models import Customer
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context


def _customer(tenant, **data):  # type: ignore[no-untyped-def]
    return services.create_customer(tenant_id=tenant.id, data={"legal_name": "Cliente de prueba", **data}, actor="test")


def _events(tenant_id, entity_id) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_id):
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(entity_id)).order_by(AuditEvent.created_at))
        return [(event.action, event.changes) for event in rows]


def _customer_count(tenant_id) -> int:  # type: ignore[no-untyped-def]
    with tenant_context(tenant_id):
        return len(db.session.scalars(select(Customer.id)).all())


@pytest.mark.parametrize(("raw", "expected"), [
    ("12345678z", ("nif", "12345678Z")),
    ("X-1234567-L", ("nie", "X1234567L")),
    ("b 6541 0011", ("cif", "B65410011")),
    ("ESB65410011", ("vat_eu", "ESB65410011")),
    ("FR40303265045", ("vat_eu", "FR40303265045")),
])
def test_spanish_tax_id_type_is_detected_and_the_number_normalized(tenant, raw, expected) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(tenant, tax_id=raw)
    assert (customer.tax_id_type, customer.tax_id, customer.country) == (*expected, "ES")


@pytest.mark.parametrize(("raw", "expected"), [
    ("1710034065", ("cedula", "1710034065")),
    ("1790011674001", ("ruc", "1790011674001")),
    ("9999999999999", ("consumidor_final", "9999999999999")),
])
def test_ecuadorian_tax_id_type_is_detected(other_tenant, raw, expected) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(other_tenant, tax_id=raw)
    assert (customer.tax_id_type, customer.tax_id, customer.country) == (*expected, "EC")


@pytest.mark.parametrize(("country", "raw", "message"), [
    ("ES", "12345678A", "La letra de control del NIF no es correcta"),
    ("ES", "B65410012", "El carácter de control del CIF no es correcto"),
    ("ES", "X1234567A", "La letra de control del NIE no es correcta"),
    ("ES", "B6541001", "El CIF debe tener una letra, 7 dígitos y un carácter de control"),
    ("EC", "1710034064", "El dígito verificador de la cédula no es correcto"),
    ("EC", "1790011674000", "Los últimos 3 dígitos del RUC (establecimiento) deben ser 001 o mayores"),
    ("EC", "17100340", "La cédula debe tener exactamente 10 dígitos"),
    ("ES", "AB-12345", "No se reconoce el tipo de identificador; indíquelo en tax_id_type (p. ej. passport)."),
])
def test_invalid_tax_ids_are_refused_with_the_spanish_message_and_nothing_is_written(tenant, country, raw, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CustomerInvalidError) as caught:
        _customer(tenant, tax_id=raw, country=country)
    assert caught.value.errors == {"tax_id": [message]}
    assert caught.value.status == 422
    assert _customer_count(tenant.id) == 0


def test_a_passport_is_accepted_only_when_declared(tenant) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(tenant, tax_id="ab-123456", tax_id_type="passport")
    assert (customer.tax_id_type, customer.tax_id) == ("passport", "AB123456")


def test_an_id_type_of_the_other_country_is_refused(tenant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CustomerInvalidError) as caught:
        _customer(tenant, tax_id="1790011674001", tax_id_type="ruc")
    assert caught.value.errors == {"tax_id_type": ["El tipo «ruc» no existe en España. Use uno de: nif, nie, cif, vat_eu, passport."]}


def test_a_spanish_party_of_an_ecuadorian_tenant_is_validated_as_spanish(other_tenant) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(other_tenant, tax_id="B65410011", country="ES", has_recargo_equivalencia=True)
    assert (customer.country, customer.tax_id_type, customer.has_recargo_equivalencia) == ("ES", "cif", True)


def test_flags_of_the_other_country_are_refused(tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CustomerInvalidError) as spanish:
        _customer(tenant, tax_id="12345678Z", is_rimpe=True, is_contribuyente_especial=True, is_irpf_professional=True)
    assert spanish.value.errors == {
        "is_contribuyente_especial": ["Solo se aplica a clientes de Ecuador; este cliente es de España."],
        "is_rimpe": ["Solo se aplica a clientes de Ecuador; este cliente es de España."],
    }
    with pytest.raises(SupplierInvalidError) as ecuadorian:
        services.create_supplier(tenant_id=other_tenant.id, actor="test",
                                 data={"legal_name": "Proveedor", "tax_id": "1790011674001", "has_recargo_equivalencia": True})
    assert ecuadorian.value.errors == {"has_recargo_equivalencia": ["Solo se aplica a proveedores de España; este proveedor es de Ecuador."]}


def test_a_supplier_cannot_be_the_final_consumer(other_tenant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SupplierInvalidError) as caught:
        services.create_supplier(tenant_id=other_tenant.id, data={"legal_name": "Nadie", "tax_id": "9999999999999"}, actor="test")
    assert caught.value.errors == {"tax_id_type": ["Un proveedor no puede ser consumidor final."]}


def test_the_final_consumer_is_one_customer_per_tenant(other_tenant) -> None:  # type: ignore[no-untyped-def]
    _customer(other_tenant, legal_name="Consumidor final", tax_id="9999999999999")
    with pytest.raises(CustomerConflictError) as caught:
        _customer(other_tenant, legal_name="Otro consumidor", tax_id="9999999999999")
    assert caught.value.errors == {"tax_id": ["Ya existe un cliente con este identificador fiscal."]}
    assert _customer_count(other_tenant.id) == 1


def test_the_same_tax_id_may_exist_in_another_tenant_and_as_a_supplier(tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    _customer(tenant, tax_id="B65410011")
    _customer(other_tenant, tax_id="B65410011", country="ES")
    supplier = services.create_supplier(tenant_id=tenant.id, data={"legal_name": "Proveedor", "tax_id": "B65410011"}, actor="test")
    assert supplier.tax_id == "B65410011"


def test_update_checks_the_version_and_audits_the_changes(tenant) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(tenant, tax_id="12345678Z", tags=["vip", "vip", "mayorista"])
    assert customer.tags == ["vip", "mayorista"]
    updated = services.update_customer(tenant_id=tenant.id, customer_id=customer.id, actor="user:1",
                                       data={"version": 1, "payment_terms_days": 30, "tax_id": "B65410011"})
    assert (updated.version, updated.payment_terms_days, updated.tax_id_type, updated.tax_id) == (2, 30, "cif", "B65410011")
    with pytest.raises(CustomerConflictError) as stale:
        services.update_customer(tenant_id=tenant.id, customer_id=customer.id, data={"version": 1, "notes": "tarde"}, actor="user:2")
    assert stale.value.errors == {"version": ["Vuelva a cargar el cliente y repita el cambio."]}
    assert _events(tenant.id, customer.id) == [
        ("customer.created", {"legal_name": "Cliente de prueba", "tax_id": "12345678Z", "country": "ES"}),
        ("customer.updated", {"tax_id_type": ["nif", "cif"], "tax_id": ["12345678Z", "B65410011"], "payment_terms_days": [0, 30]}),
    ]


def test_moving_a_party_to_another_country_revalidates_its_tax_id_and_changes_nothing_when_invalid(tenant) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(tenant, tax_id="12345678Z")
    with pytest.raises(CustomerInvalidError) as caught:
        services.update_customer(tenant_id=tenant.id, customer_id=customer.id, data={"version": 1, "country": "EC"}, actor="test")
    assert caught.value.errors == {"tax_id": ["No se reconoce el tipo de identificador; indíquelo en tax_id_type (p. ej. passport)."]}
    with tenant_context(tenant.id):
        stored = db.session.get(Customer, customer.id)
        assert (stored.country, stored.version) == ("ES", 1)


def test_delete_removes_the_row_and_audits_it(tenant) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(tenant, tax_id="12345678Z")
    assert services.delete_customer(tenant_id=tenant.id, customer_id=customer.id, actor="test") is None
    assert _customer_count(tenant.id) == 0
    assert [action for action, _ in _events(tenant.id, customer.id)] == ["customer.created", "customer.deleted"]


def test_delete_of_a_referenced_customer_deactivates_it(tenant) -> None:  # type: ignore[no-untyped-def]
    customer = _customer(tenant, tax_id="12345678Z")

    def referenced(mapper, connection, target):  # type: ignore[no-untyped-def]
        raise IntegrityError("DELETE FROM customers", {}, Exception("FOREIGN KEY constraint failed"))

    event.listen(Customer, "before_delete", referenced)
    try:
        kept = services.delete_customer(tenant_id=tenant.id, customer_id=customer.id, actor="test")
    finally:
        event.remove(Customer, "before_delete", referenced)
    assert (kept.id, kept.is_active, kept.version) == (customer.id, False, 2)
    assert [action for action, _ in _events(tenant.id, customer.id)] == ["customer.created", "customer.deactivated"]


def _search(tenant, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    statement = services.search_customers(tenant_id=tenant.id, filters=filters).order_by(Customer.legal_name)
    with tenant_context(tenant.id):
        return [customer.legal_name for customer in db.session.scalars(statement)]


def test_search_by_text_tag_and_state(tenant) -> None:  # type: ignore[no-untyped-def]
    _customer(tenant, legal_name="Ferretería Norte S.L.", tax_id="B65410011", tags=["mayorista"], email="compras@norte.es")
    _customer(tenant, legal_name="Lucía Pérez", trade_name="Floristería 100%", tax_id="12345678Z", tags=["vip"])
    _customer(tenant, legal_name="Antigua S.A.", tax_id="A58818501", is_active=False, tags=["vip", "mayorista"])
    assert _search(tenant, q="norte") == ["Ferretería Norte S.L."]
    assert _search(tenant, q="B-6541") == ["Ferretería Norte S.L."]
    assert _search(tenant, q="100%") == ["Lucía Pérez"]
    assert _search(tenant, q="%") == ["Lucía Pérez"]
    assert _search(tenant, q="-") == []
    assert _search(tenant, q="floris") == ["Lucía Pérez"]
    assert _search(tenant, tag="vip") == ["Antigua S.A.", "Lucía Pérez"]
    assert _search(tenant, tag="mayorista", is_active=True) == ["Ferretería Norte S.L."]
    assert _search(tenant, is_active=False) == ["Antigua S.A."]
    assert _search(tenant, tag="vi") == []
