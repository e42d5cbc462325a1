"""Text of a document (PDF or image): the PDF's own text layer with `pdftotext`, else Tesseract OCR.

Scanned PDFs (no text layer) are rasterized with `pdftoppm` (150 dpi, first pages only) and each page goes
through `tesseract … -l spa`. Every external program runs with a timeout and on size-limited input; a missing
program or a failure is reported as `OcrError` with a Spanish message for the item, never as a crash.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"II*\x00": "tiff", b"MM\x00*": "tiff"}
#: Extensions accepted in a documents batch.
DOCUMENT_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: A text layer shorter than this (letters and digits) means a scanned PDF.
MIN_TEXT_CHARS = 20
MAX_PAGES = 5
DPI = 150
MAX_TEXT_CHARS = 200_000


class OcrError(Exception):
    """The text of a document could not be obtained (the message is shown on the item, in Spanish)."""

    def __init__(self, message: str, code: str = "ocr_failed") -> None:
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class ExtractedText:
    """A document's text and how it was obtained: `pdf_text` (text layer) or `ocr`."""

    text: str
    method: str


def find_program(name: str) -> str | None:
    """Path of an external program, or None (a seam the tests monkeypatch to simulate a missing Tesseract)."""
    return shutil.which(name)


def sniff(data: bytes) -> str | None:
    """Return 'pdf', 'png', 'jpeg' or 'tiff' from the first bytes, or None."""
    if data.startswith(PDF_MAGIC):
        return "pdf"
    for magic, kind in IMAGE_MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _run(arguments: list[str], *, timeout: float, what: str) -> bytes:
    try:
        completed = subprocess.run(arguments, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as error:
        raise OcrError(f"{what} tardó más de {int(timeout)} s y se ha detenido.", "ocr_timeout") from error
    except OSError as error:
        raise OcrError(f"No se pudo ejecutar {what}: {error.strerror or error}.", "ocr_failed") from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise OcrError(f"{what} no pudo leer el documento ({detail[0][:200]}).", "ocr_failed")
    return completed.stdout


def _meaningful(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


def pdf_text(path: Path, *, timeout: float) -> str:
    """Text layer of a PDF (first MAX_PAGES pages, layout kept), '' when it has none."""
    program = find_program("pdftotext")
    if program is None:
        raise OcrError("No está instalado pdftotext (paquete poppler-utils): no se puede leer el PDF.", "ocr_unavailable")
    output = _run([program, "-layout", "-enc", "UTF-8", "-f", "1", "-l", str(MAX_PAGES), str(path), "-"],
                  timeout=timeout, what="pdftotext")
    return output.decode("utf-8", "replace")[:MAX_TEXT_CHARS]


def ocr_image(path: Path, *, timeout: float) -> str:
    """Tesseract (Spanish) on one image file."""
    program = find_program("tesseract")
    if program is None:
        raise OcrError("El reconocimiento de texto (OCR) no está disponible: falta Tesseract en el servidor "
                       "(paquetes tesseract-ocr y tesseract-ocr-spa).", "ocr_unavailable")
    output = _run([program, str(path), "stdout", "-l", "spa", "--psm", "6"], timeout=timeout, what="Tesseract")
    return output.decode("utf-8", "replace")[:MAX_TEXT_CHARS]


def _rasterize(path: Path, folder: Path, *, timeout: float) -> list[Path]:
    program = find_program("pdftoppm")
    if program is None:
        raise OcrError("No está instalado pdftoppm (paquete poppler-utils): no se puede leer el PDF escaneado.", "ocr_unavailable")
    _run([program, "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", str(MAX_PAGES), str(path), str(folder / "page")],
         timeout=timeout, what="pdftoppm")
    return sorted(folder.glob("page*.png"))


def extract_text(path: Path, *, timeout: float = 60.0) -> ExtractedText:
    """Return the text of a PDF or image file: text layer first, OCR for scans and images."""
    with path.open("rb") as handle:
        kind = sniff(handle.read(16))
    if kind is None:
        raise OcrError("El archivo no es un PDF ni una imagen PNG, JPEG o TIFF.", "unsupported_file")
    if kind == "pdf":
        text = pdf_text(path, timeout=timeout)
        if _meaningful(text) >= MIN_TEXT_CHARS:
            return ExtractedText(text, "pdf_text")
        if find_program("tesseract") is None:
            ocr_image(path, timeout=timeout)  # raises the clear «falta Tesseract» error
        with tempfile.TemporaryDirectory(prefix="gestiq-ocr-") as folder:
            pages = _rasterize(path, Path(folder), timeout=timeout)
            return ExtractedText("\n".join(ocr_image(page, timeout=timeout) for page in pages), "ocr")
    return ExtractedText(ocr_image(path, timeout=timeout), "ocr")
