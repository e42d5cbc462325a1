"""The comprobante de retención of a recorded Ecuadorian purchase, mapped onto the SRI engine and its XSD."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from lxml import etree
from sqlalchemy import select

from gestiq_app.einvoicing.ec_sri.documents import SriIssuer
from gestiq_app.einvoicing.ec_sri.xml import build_document_xml, schema_path, validate_xml
from gestiq_app.extensions import db
from gestiq_app.purchases.models import PurchaseWithholding
from gestiq_app.purchases.withholdings import build_sri_retention, get_withholding
from gestiq_app.tenancy.context import tenant_context
from tests.einvoicing.conftest import reference_dir, sri_schema_dir  # noqa: F401 - fixtures
from tests.purchases.helpers import create_invoice, line, record, reload
from tests.purchases.test_services import EC_LINES

ISSUER = SriIssuer(ruc="1792146739001", legal_name="COMERCIALIZADORA ANDINA DEL PACIFICO S.A.",
                   head_office_address="Av. Amazonas N34-451, Quito", is_accounting_required=True)


def _recorded(ec_tenant, ec_supplier):  # type: ignore[no-untyped-def]
    lines = [*EC_LINES, line("1", "40", "cero", is_iva_deductible=False)]
    document = create_invoice(ec_tenant, ec_supplier, lines, supplier_number="001-002-000004567",
                              authorization_number="1203202601099001751400110010020000045671234567816")
    recorded = record(ec_tenant, document.id, withholding_date=date(2026, 3, 12))
    with tenant_context(ec_tenant.id):
        withholding_id = db.session.scalar(select(PurchaseWithholding.id).where(PurchaseWithholding.document_id == recorded.id))
    stored = reload(ec_tenant, recorded.id)
    with tenant_context(ec_tenant.id):
        withholding = get_withholding(tenant_id=ec_tenant.id, withholding_id=withholding_id)
        return build_sri_retention(withholding, stored, issuer=ISSUER, environment=1, numeric_code="12345678")


def test_the_retention_carries_the_supporting_invoice_and_every_withholding(ec_tenant, ec_supplier) -> None:  # type: ignore[no-untyped-def]
    retention = _recorded(ec_tenant, ec_supplier)
    assert (retention.doc_type, retention.document_number, retention.issue_date, retention.fiscal_period) == (
        "07", "001-001-000000001", date(2026, 3, 12), "03/2026")
    assert (retention.subject.id_type, retention.subject.id_number, retention.subject.legal_name) == (
        "04", ec_supplier.tax_id, ec_supplier.legal_name)
    support = retention.supporting_documents[0]
    assert (support.doc_type, support.number, support.total_without_taxes, support.total) == (
        "01", "001002000004567", D("1540.00"), D("1765.00"))
    assert [(t.rate_code, t.base, t.amount) for t in support.taxes] == [("4", D("1500.00"), D("225.00")), ("0", D("40.00"), D("0.00"))]
    assert [(r.code, r.retention_code, r.base, r.percentage, r.amount) for r in support.retentions] == [
        ("1", "312", D("1000.00"), D("1.7500"), D("17.50")), ("1", "3440", D("500.00"), D("2.7500"), D("13.75")),
        ("2", "1", D("150.00"), D("30.0000"), D("45.00")), ("2", "2", D("75.00"), D("70.0000"), D("52.50")),
    ]
    assert len(retention.access_key) == 49 and retention.access_key[8:10] == "07"


def test_the_retention_xml_validates_against_the_sri_schema(ec_tenant, ec_supplier, sri_schema_dir) -> None:  # type: ignore[no-untyped-def]
    xml = build_document_xml(_recorded(ec_tenant, ec_supplier))
    validate_xml(xml, schema_path(sri_schema_dir, "07"))
    root = etree.fromstring(xml)
    assert (root.tag, root.get("version"), root.findtext("infoCompRetencion/periodoFiscal")) == ("comprobanteRetencion", "2.0.0", "03/2026")
    assert [r.findtext("valorRetenido") for r in root.findall("docsSustento/docSustento/retenciones/retencion")] == [
        "17.50", "13.75", "45.00", "52.50"]
