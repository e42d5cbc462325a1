"""VERI*FACTU engine: the AEAT worked examples through the stored chain, XML against SuministroLR.xsd,
immutability, tamper detection by `verify`, concurrent issue without forks, and the AEAT client."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DBAPIError

from gestiq_app.db import unit_of_work
from gestiq_app.einvoicing.es_verifactu.client import (
    VerifactuClient,
    VerifactuRequestError,
    VerifactuTransientError,
    certificate_files,
)
from gestiq_app.einvoicing.es_verifactu.models import VerifactuRecord, VerifactuRecordImmutableError
from gestiq_app.einvoicing.es_verifactu.records import (
    SoftwareInfo,
    VerifactuInputError,
    add_alta_record,
    add_anulacion_record,
    check_invoice,
    verify_chains,
)
from gestiq_app.einvoicing.es_verifactu.xml import SF, SFLR, build_registration, soap_envelope
from gestiq_app.einvoicing.ec_sri.signing import load_p12
from gestiq_app.extensions import db
from gestiq_app.tenancy.context import tenant_context
from tests.conftest import IS_POSTGRES
from tests.einvoicing.conftest import P12_PASSWORD
from tests.einvoicing.samples import es_cancellation, es_invoice, es_rectifying_invoice

CET = timezone(timedelta(hours=1))
SOFTWARE = SoftwareInfo(producer_name="GestiQCloud SL", producer_nif="B12345674", installation_number="test-1")
HASH_6_1 = "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"
HASH_6_2 = "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97"
HASH_6_3 = "177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68"


def _aeat_chain(tenant_id: uuid.UUID) -> list[VerifactuRecord]:
    """Store AEAT worked examples 6.1, 6.2 (chained alta) and 6.3 (anulación) as a real chain."""
    with tenant_context(tenant_id), unit_of_work():
        first = add_alta_record(invoice=es_invoice("12345678/G33"), software=SOFTWARE, source_document_id=uuid.uuid4(),
                                generated_at=datetime(2024, 1, 1, 19, 20, 30, tzinfo=CET))
        second = add_alta_record(invoice=es_invoice("12345679/G34"), software=SOFTWARE, source_document_id=uuid.uuid4(),
                                 generated_at=datetime(2024, 1, 1, 19, 20, 35, tzinfo=CET))
        third = add_anulacion_record(cancellation=es_cancellation("12345679/G34"), software=SOFTWARE,
                                     source_document_id=second.source_document_id,
                                     generated_at=datetime(2024, 1, 1, 19, 20, 40, tzinfo=CET))
    return [first, second, third]


def test_the_aeat_worked_examples_reproduce_through_the_stored_chain(tenant) -> None:  # type: ignore[no-untyped-def]
    first, second, third = _aeat_chain(tenant.id)
    assert [(r.sequence, r.record_type, r.previous_huella, r.huella) for r in (first, second, third)] == [
        (1, "alta", "", HASH_6_1), (2, "alta", HASH_6_1, HASH_6_2), (3, "anulacion", HASH_6_2, HASH_6_3)]
    assert (second.previous_record_id, third.previous_record_id) == (first.id, second.id)
    assert first.generated_at == "2024-01-01T19:20:30+01:00"
    with tenant_context(tenant.id):
        report = verify_chains()
    assert (report.is_intact, report.records_checked, report.issuers) == (True, 3, ["89890001K"])


def test_records_xml_validates_against_suministro_lr(tenant, suministro_schema) -> None:  # type: ignore[no-untyped-def]
    with tenant_context(tenant.id), unit_of_work():
        records = [
            add_alta_record(invoice=invoice, software=SOFTWARE, source_document_id=uuid.uuid4())
            for invoice in (es_invoice("A-1"), es_invoice("T-1", invoice_type="F2"), es_rectifying_invoice())
        ]
        records.append(add_anulacion_record(cancellation=es_cancellation("A-1"), software=SOFTWARE, source_document_id=None))
    pairs = [(record, records[index - 1] if index else None) for index, record in enumerate(records)]
    root = build_registration(pairs, taxpayer_name="Empresa Ejemplo SL", taxpayer_nif="89890001K")
    assert suministro_schema.validate(root), suministro_schema.error_log
    altas = root.findall(f"{{{SFLR}}}RegistroFactura/{{{SF}}}RegistroAlta")
    assert [a.findtext(f"{{{SF}}}TipoFactura") for a in altas] == ["F1", "F2", "R1"]
    assert altas[0].find(f"{{{SF}}}Encadenamiento/{{{SF}}}PrimerRegistro").text == "S"
    link = altas[1].find(f"{{{SF}}}Encadenamiento/{{{SF}}}RegistroAnterior")
    assert (link.findtext(f"{{{SF}}}NumSerieFactura"), link.findtext(f"{{{SF}}}Huella")) == ("A-1", records[0].huella)
    assert (altas[0].findtext(f"{{{SF}}}CuotaTotal"), altas[0].findtext(f"{{{SF}}}ImporteTotal")) == ("12.35", "123.45")
    assert altas[2].findtext(f"{{{SF}}}TipoRectificativa") == "I"
    assert altas[0].findtext(f"{{{SF}}}Huella") == records[0].huella
    assert altas[0].findtext(f"{{{SF}}}SistemaInformatico/{{{SF}}}NIF") == "B12345674"
    anulacion = root.find(f"{{{SFLR}}}RegistroFactura/{{{SF}}}RegistroAnulacion")
    assert anulacion.findtext(f"{{{SF}}}IDFactura/{{{SF}}}NumSerieFacturaAnulada") == "A-1"
    envelope = soap_envelope(root)
    assert envelope.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") and b"soapenv:Body" in envelope


def test_invoice_inconsistencies_are_refused() -> None:
    with pytest.raises(VerifactuInputError) as raised:
        check_invoice(replace(es_invoice("X-1"), total_tax=D("12.00")))
    assert raised.value.problems == ["La cuota total (12.00) no coincide con el desglose (12.35)"]
    bad_type = es_invoice("X-2", invoice_type="R1")
    with pytest.raises(VerifactuInputError, match="sustitución \\(S\\) o por diferencias"):
        check_invoice(bad_type)


def test_records_cannot_be_changed_through_the_orm(tenant) -> None:  # type: ignore[no-untyped-def]
    first = _aeat_chain(tenant.id)[0]
    with tenant_context(tenant.id):
        record = db.session.get(VerifactuRecord, first.id)
        record.total_amount = D("999.99")
        with pytest.raises(VerifactuRecordImmutableError):
            db.session.flush()
        db.session.rollback()
        record = db.session.get(VerifactuRecord, first.id)
        db.session.delete(record)
        with pytest.raises(VerifactuRecordImmutableError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.postgres
def test_the_runtime_role_cannot_update_and_the_trigger_stops_the_owner(tenant, database_urls) -> None:  # type: ignore[no-untyped-def]
    record_id = _aeat_chain(tenant.id)[0].id
    with tenant_context(tenant.id):
        with pytest.raises(DBAPIError, match="permission denied"):
            db.session.execute(update(VerifactuRecord).where(VerifactuRecord.id == record_id).values(total_amount=D("1")))
        db.session.rollback()
    owner = create_engine(database_urls["owner"])
    try:
        with owner.begin() as connection:
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)})
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text("UPDATE verifactu_records SET total_amount = 1 WHERE id = :i"), {"i": record_id})
        with owner.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("TRUNCATE verifactu_records CASCADE"))
    finally:
        owner.dispose()


def tamper_amount(database_urls: dict[str, str], tenant_id: uuid.UUID, record_id: uuid.UUID) -> None:
    """Change one stored amount behind the app's back (PostgreSQL: as the owner, with the trigger disabled)."""
    if IS_POSTGRES:
        owner = create_engine(database_urls["owner"])
        with owner.begin() as connection:
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            connection.execute(text("ALTER TABLE verifactu_records DISABLE TRIGGER verifactu_records_immutable"))
            connection.execute(text("UPDATE verifactu_records SET total_amount = 123.46 WHERE id = :i"), {"i": record_id})
            connection.execute(text("ALTER TABLE verifactu_records ENABLE TRIGGER verifactu_records_immutable"))
        owner.dispose()
    else:
        db.session.execute(text("UPDATE verifactu_records SET total_amount = 123.46 WHERE id = :i"), {"i": record_id.hex})
        db.session.commit()


def test_changing_one_stored_amount_makes_verify_name_that_record(tenant, database_urls) -> None:  # type: ignore[no-untyped-def]
    records = _aeat_chain(tenant.id)
    tamper_amount(database_urls, tenant.id, records[1].id)
    db.session.expire_all()
    with tenant_context(tenant.id):
        report = verify_chains()
    assert not report.is_intact
    assert [(b.record_id, b.sequence, b.invoice_number) for b in report.breaks] == [(records[1].id, 2, "12345679/G34")]
    assert "alterados" in report.breaks[0].reason


@pytest.mark.postgres
def test_concurrent_issues_never_fork_the_chain(app, tenant) -> None:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def issue(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                with tenant_context(tenant.id), unit_of_work():
                    add_alta_record(invoice=es_invoice(f"C-{index}"), software=SOFTWARE, source_document_id=uuid.uuid4())
            except BaseException as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with tenant_context(tenant.id):
        chain = db.session.scalars(select(VerifactuRecord).order_by(VerifactuRecord.sequence)).all()
        assert verify_chains().is_intact
    assert [r.sequence for r in chain] == [1, 2, 3, 4, 5, 6]
    assert [r.previous_huella for r in chain] == [""] + [r.huella for r in chain[:-1]]


# ----------------------------------------------------------------------------------------- AEAT client


def _envelope(tenant_id: uuid.UUID, number: str = "A-1") -> bytes:
    with tenant_context(tenant_id), unit_of_work():
        record = add_alta_record(invoice=es_invoice(number), software=SOFTWARE, source_document_id=uuid.uuid4())
    return soap_envelope(build_registration([(record, None)], taxpayer_name="Empresa Ejemplo SL", taxpayer_nif="89890001K"))


def test_client_parses_an_accepted_record(tenant, fake_aeat) -> None:  # type: ignore[no-untyped-def]
    response = VerifactuClient(url=fake_aeat.url, material=None, timeout=5).submit(_envelope(tenant.id))
    assert (response.state, response.csv, response.wait_seconds) == ("Correcto", "A-YDSW8NLFLANWPM", 60)
    line = response.records[0]
    assert (line.invoice_number, line.operation, line.state, line.is_accepted) == ("A-1", "Alta", "Correcto", True)


def test_client_parses_a_rejected_record_and_a_duplicate(tenant, fake_aeat) -> None:  # type: ignore[no-untyped-def]
    fake_aeat.script("A-1", [("Incorrecto", "1100", "Valor o tipo incorrecto del campo: NIF"), ("Duplicado", "Correcta")])
    client = VerifactuClient(url=fake_aeat.url, material=None, timeout=5)
    envelope = _envelope(tenant.id)
    rejected = client.submit(envelope)
    assert (rejected.state, rejected.records[0].error_code, rejected.records[0].is_accepted) == ("Incorrecto", "1100", False)
    duplicate = client.submit(envelope).records[0]
    assert (duplicate.error_code, duplicate.duplicate_state, duplicate.is_accepted) == ("3000", "Correcta", True)


def test_client_tells_retryable_from_final_failures(tenant, fake_aeat) -> None:  # type: ignore[no-untyped-def]
    fake_aeat.script("A-1", [503, "fault:Server", "fault:Client"])
    client = VerifactuClient(url=fake_aeat.url, material=None, timeout=5)
    envelope = _envelope(tenant.id)
    with pytest.raises(VerifactuTransientError, match="HTTP 503"):
        client.submit(envelope)
    with pytest.raises(VerifactuTransientError, match="servidor"):
        client.submit(envelope)
    with pytest.raises(VerifactuRequestError):
        client.submit(envelope)


def test_certificate_files_are_private_and_deleted(test_certificate) -> None:  # type: ignore[no-untyped-def]
    material = load_p12(test_certificate[2], P12_PASSWORD)
    with certificate_files(material) as (cert_path, key_path):
        assert Path(cert_path).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        assert Path(key_path).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
        assert oct(Path(key_path).stat().st_mode & 0o777) == "0o600"
        assert oct(Path(key_path).parent.stat().st_mode & 0o777) == "0o700"
    assert not Path(cert_path).exists() and not Path(key_path).parent.exists()
