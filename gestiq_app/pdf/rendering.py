"""HTML -> PDF with xhtml2pdf: fonts registered once per process, templates compiled once.

Fonts: reportlab's Bitstream Vera TTFs are registered with pdfmetrics (so they are embedded, subset, in
every PDF) and made known to xhtml2pdf under the family name "vera"; the templates never load a font or a
stylesheet file themselves. The process-wide reportlab base font becomes Vera as well (see register_fonts). The Jinja environment is built once per process and caches compiled templates.
"""

from __future__ import annotations

import io
import time
import threading
from pathlib import Path
from typing import Any

import reportlab
from reportlab import rl_config
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from xhtml2pdf import default as xhtml2pdf_default
from xhtml2pdf import pisa

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
FONT_FAMILY = "Vera"
FONT_FILES = {(0, 0): ("Vera", "Vera.ttf"), (1, 0): ("Vera-Bold", "VeraBd.ttf"),
              (0, 1): ("Vera-Italic", "VeraIt.ttf"), (1, 1): ("Vera-BoldItalic", "VeraBI.ttf")}
TEMPLATE_BY_KIND = {"invoice": "pdf/invoice.html", "credit_note": "pdf/credit_note.html", "quote": "pdf/quote.html"}

_lock = threading.Lock()
_environment: Environment | None = None
_fonts_ready = False


class PdfRenderError(RuntimeError):
    """xhtml2pdf could not lay out the document."""


def register_fonts() -> None:
    """Register the embedded font family once per process (idempotent, thread-safe)."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _lock:
        if _fonts_ready:
            return
        for (bold, italic), (name, filename) in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            addMapping(FONT_FAMILY, bold, italic, name)
        xhtml2pdf_default.DEFAULT_FONT[FONT_FAMILY.lower()] = FONT_FAMILY
        # A reportlab canvas declares its initial font even when no text uses it: make that one Vera too, so the
        # PDF references no font that is not embedded (Helvetica would be left to the viewer's substitute).
        rl_config.canvas_basefontname = FONT_FAMILY
        _fonts_ready = True


def environment() -> Environment:
    """Return the process-wide Jinja environment (templates compiled on first use, then cached)."""
    global _environment
    if _environment is None:
        with _lock:
            if _environment is None:
                _environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                                           undefined=StrictUndefined, auto_reload=False, cache_size=50)
    return _environment


def render_html(kind: str, context: dict[str, Any]) -> str:
    """Render the HTML of a document kind."""
    return environment().get_template(TEMPLATE_BY_KIND[kind]).render(**context)


def html_to_pdf(html: str) -> bytes:
    """Lay out `html` with xhtml2pdf and return the PDF bytes."""
    register_fonts()
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise PdfRenderError("No se pudo generar el PDF")
    return output.getvalue()


def render_pdf(kind: str, context: dict[str, Any]) -> bytes:
    """Render a document kind's template with `context` into PDF bytes (its time goes to /metrics)."""
    from gestiq_app.metrics import observe_pdf_render

    started = time.perf_counter()
    content = html_to_pdf(render_html(kind, context))
    observe_pdf_render(document=kind, seconds=time.perf_counter() - started)
    return content
