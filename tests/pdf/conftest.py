"""PDF fixtures: Spanish and Ecuadorian tenants with a customer, and PDF-to-text/PNG helpers (poppler-utils)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from tests.api_helpers import fast_password_hashing  # noqa: F401 - autouse fixture
from tests.factories import make_tenant
from tests.sales.helpers import add_customer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pdf_text(content: bytes, tmp_path: Path, *, mode: str = "-layout") -> str:
    """Return the text of a PDF as pdftotext extracts it (-layout: rows as printed; -raw: content order)."""
    source = tmp_path / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(content)
    return subprocess.run(["pdftotext", mode, str(source), "-"], check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    """Return pdffonts' table of the PDF."""
    source = tmp_path / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(content)
    return subprocess.run(["pdffonts", str(source)], check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_images(content: bytes, tmp_path: Path) -> list[str]:
    """Return the image rows of `pdfimages -list` (one per embedded image)."""
    source = tmp_path / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(content)
    listing = subprocess.run(["pdfimages", "-list", str(source)], check=True, capture_output=True, text=True, timeout=60).stdout
    return [row for row in listing.splitlines()[2:] if row.strip()]


def first_page_png(content: bytes, name: str) -> Path:
    """Render page 1 at 80 dpi into test-artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", "1", str(source), str(ARTIFACTS / name)],
                   check=True, timeout=60)
    return ARTIFACTS / f"{name}.png"


@pytest.fixture()
def es_tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Spanish tenant."""
    return make_tenant(country="ES")


@pytest.fixture()
def ec_tenant(app_context):  # type: ignore[no-untyped-def]
    """A fresh Ecuadorian tenant."""
    return make_tenant(country="EC")


@pytest.fixture()
def es_customer(es_tenant):  # type: ignore[no-untyped-def]
    """A Spanish customer in the recargo de equivalencia regime, with an address."""
    return add_customer(es_tenant, legal_name="Ferretería Levante S.L.", has_recargo_equivalencia=True,
                        address={"line1": "Calle Mayor 12", "postal_code": "46001", "city": "Valencia", "province": "Valencia"},
                        email="compras@levante.example")


@pytest.fixture()
def ec_customer(ec_tenant):  # type: ignore[no-untyped-def]
    """An Ecuadorian customer with an address."""
    return add_customer(ec_tenant, legal_name="Comercial Andina Cía. Ltda.",
                        address={"line1": "Av. Amazonas N34-120", "city": "Quito", "province": "Pichincha"})
