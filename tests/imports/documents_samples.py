"""Generated documents for the OCR/classification tests: reportlab PDFs, pdftoppm PNGs, Pillow noise (no binary fixtures)."""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

SUPPLIER_TAX_ID = "B12345674"
INVOICE_FIELDS = {"document_type": "invoice", "supplier_tax_id": SUPPLIER_TAX_ID, "number": "F-2026/0042", "issue_date": "2026-03-15",
                  "base": "100.00", "tax": "21.00", "total": "121.00"}


def text_pdf(lines: list[str], *, size: int = 12) -> bytes:
    """A one-page A4 PDF with a text layer (Helvetica), one string per line."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont("Helvetica", size)
    y = A4[1] - 60
    for line in lines:
        pdf.drawString(50, y, line)
        y -= size * 1.8
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def invoice_lines(customer_tax_id: str) -> list[str]:
    """A Spanish supplier invoice: supplier NIF, number, date, base, IVA 21 %, total (and the customer's own NIF)."""
    return ["ACME SUMINISTROS S.L.", f"NIF: {SUPPLIER_TAX_ID}", "Calle Mayor 1, 28001 Madrid", "",
            "FACTURA", "Nº factura: F-2026/0042", "Fecha: 15/03/2026", f"Cliente: Mi Empresa  NIF: {customer_tax_id}", "",
            "Concepto                                   Importe", "Papel A4 (20 paquetes)                 100,00", "",
            "Base imponible                            100,00 EUR", "IVA 21 %                                    21,00 EUR",
            "TOTAL                                       121,00 EUR"]


def receipt_lines() -> list[str]:
    """A shop ticket (factura simplificada)."""
    return ["CAFETERIA LA PLAZA", f"NIF: {SUPPLIER_TAX_ID}", "FACTURA SIMPLIFICADA", "Ticket nº: T-000123", "Fecha: 02/04/2026 09:15",
            "2 x Cafe con leche        3,00", "1 x Tostada                2,50", "TOTAL (IVA incluido)        5,50",
            "Efectivo                   10,00", "Cambio                      4,50", "Gracias por su visita"]


def render_png(pdf: bytes, *, dpi: int = 150) -> bytes:
    """Rasterize the first page of a PDF with pdftoppm (the «scanned» version of a document)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(source), str(Path(folder) / "page")],
                       check=True, timeout=60)
        return (Path(folder) / "page.png").read_bytes()


def image_pdf(png: bytes) -> bytes:
    """A PDF holding only an image (a scanned PDF: no text layer)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, format="PDF", resolution=150.0)
    return buffer.getvalue()


def noise_png(width: int = 240, height: int = 160, seed: int = 7) -> bytes:
    """Random grey noise: no text to find."""
    from PIL import Image

    generator = random.Random(seed)
    image = Image.new("L", (width, height))
    image.putdata([generator.randrange(256) for _ in range(width * height)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
