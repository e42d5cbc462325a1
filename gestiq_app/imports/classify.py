"""Classify a document's text (invoice, receipt, credit note, other) and extract its fiscal fields with confidences.

Rules and keywords in Spanish, tolerant of OCR noise (accents dropped, case folded, `Nº`/`N°`/`No.` alike).
Every extracted field carries a confidence 0..1: a value found next to its label and consistent with the rest
(a tax id whose check digits are right, base + tax = total) is high; a guess or an inconsistency is low; a
missing field is 0. Pure functions: no database, no files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from gestiq_app.fiscal.taxids import TaxIdError, detect_tax_id_type, normalize_tax_id, validate_tax_id
from gestiq_app.imports.parsing import parse_date, parse_decimal

DOCUMENT_TYPES = ("invoice", "receipt", "credit_note", "other")
#: The fields the extractor fills (besides document_type).
FIELDS = ("supplier_tax_id", "number", "issue_date", "base", "tax", "total")

_CREDIT = ("factura rectificativa", "nota de credito", "nota credito", "rectificativa", "abono n")
_INVOICE = ("factura", "n factura", "numero de factura", "base imponible", "nif", "cif", "ruc", "iva", "total", "fecha")
_RECEIPT = ("ticket", "factura simplificada", "recibo", "efectivo", "cambio", "gracias por su", "tpv", "tarjeta", "caja")

_AMOUNT = r"-?\d{1,3}(?:[.\s]\d{3})*,\d{2}|-?\d+,\d{2}|-?\d{1,3}(?:,\d{3})*\.\d{2}|-?\d+\.\d{2}"
_AMOUNT_RE = re.compile(rf"(?<![\d.,])({_AMOUNT})(?![\d%])")
_PERCENT_RE = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_DATE_RE = re.compile(r"(?<!\d)(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})(?!\d)")
_TAX_LABEL = re.compile(r"\b(n\s*i\s*f|c\s*i\s*f|nie|ruc|vat|cif\s*/?\s*nif|nif\s*/?\s*cif)\b")
_TAX_CANDIDATE = re.compile(r"\b([A-Za-z]?[\d][\d .-]{6,14}[\dA-Za-z]|[A-Za-z]\d{7}[A-Za-z\d])\b")
_NUMBER_LABEL = re.compile(r"(?:n[º°o.]*\s*(?:de\s*)?(?:factura|ticket|documento)|(?:factura|ticket|documento)\s*(?:n[º°o.]*|numero|num\.?)"
                           r"|numero\s*(?:de\s*)?(?:factura|ticket)|factura\s+rectificativa\s*(?:n[º°o.]*)?)\s*[:#]?\s*([A-Z0-9][A-Z0-9/_.-]{0,39})",
                           re.IGNORECASE)


def fold(text: str) -> str:
    """Lower-case, drop accents and turn `º`/`°` into `o`, keeping positions comparable line by line."""
    text = text.replace("º", "o").replace("°", "o").replace("ª", "a")
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).lower()


@dataclass
class Extraction:
    """What the extractor found: values (JSON-ready strings) and a confidence per field."""

    document_type: str
    values: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """The item's normalized data: values plus `document_type` and `confidence`."""
        return {"document_type": self.document_type, **self.values,
                "confidence": {"document_type": self.confidence.get("document_type", 0.0),
                               **{name: self.confidence.get(name, 0.0) for name in FIELDS}}}


def _hits(folded: str, words: tuple[str, ...]) -> int:
    return sum(1 for word in words if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", folded))


def classify(text: str) -> tuple[str, float]:
    """Return (document type, confidence) from keywords."""
    folded = re.sub(r"[.:ºo]\s*(?=factura)", " ", fold(text))
    folded = re.sub(r"\bn[o.]*\s+", "n ", folded)
    if _meaningful(text) < 10:
        return "other", 0.0
    credit, invoice, receipt = _hits(folded, _CREDIT), _hits(folded, _INVOICE), _hits(folded, _RECEIPT)
    if credit:
        return "credit_note", min(0.98, 0.8 + 0.05 * credit)
    if receipt >= 2 and (receipt >= invoice - 2 or "factura simplificada" in folded or "ticket" in folded):
        return "receipt", min(0.95, 0.55 + 0.1 * receipt)
    if "factura" in folded and invoice >= 3:
        return "invoice", min(0.98, 0.5 + 0.08 * invoice)
    if receipt >= 1 or invoice >= 2:
        return ("receipt" if receipt >= invoice else "invoice"), 0.4
    return "other", 0.2


def _meaningful(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


def _amounts(line: str) -> list[Decimal]:
    values = []
    for match in _AMOUNT_RE.finditer(_PERCENT_RE.sub(" ", line)):
        try:
            values.append(parse_decimal(match.group(1).replace(" ", ".") if "," in match.group(1) else match.group(1)))
        except ValueError:
            continue
    return values


def _labelled_amount(lines: list[tuple[str, str]], pattern: str, exclude: str | None = None) -> Decimal | None:
    for original, folded in lines:
        if re.search(pattern, folded) and not (exclude and re.search(exclude, folded)):
            amounts = _amounts(original)
            if amounts:
                return amounts[-1]
    return None


def _tax_ids(lines: list[tuple[str, str]], country: str, exclude: set[str]) -> tuple[str | None, float]:
    """The supplier's tax id: labelled and valid beats unlabelled valid; the tenant's own id is never it."""
    found: list[tuple[float, int, str]] = []
    for position, (original, folded) in enumerate(lines):
        labelled = bool(_TAX_LABEL.search(folded))
        for match in _TAX_CANDIDATE.finditer(original):
            value = normalize_tax_id(match.group(1))
            if len(value) < 8 or value in exclude or not any(char.isdigit() for char in value):
                continue
            valid = _valid_tax_id(country, value)
            if valid is None and not labelled:
                continue
            score = (0.97 if labelled else 0.75) if valid else 0.3
            found.append((score, -position, valid or value))
    if not found:
        return None, 0.0
    score, _, value = max(found)
    return value, score


def _valid_tax_id(country: str, value: str) -> str | None:
    for code in dict.fromkeys((country, "ES", "EC")):
        try:
            kind = detect_tax_id_type(code, value)
            if kind in ("nif", "nie", "cif", "ruc", "cedula"):
                return validate_tax_id(code, kind, value)
        except TaxIdError:
            continue
    return None


def _number(lines: list[tuple[str, str]]) -> tuple[str | None, float]:
    for original, folded in lines:
        same_length = len(folded) == len(original)  # accents dropped one for one: the value is cut from the original
        for position in range(len(folded)):
            match = _NUMBER_LABEL.match(folded, position)
            if match and any(char.isdigit() for char in match.group(1)):
                value = original[match.start(1):match.end(1)] if same_length else match.group(1).upper()
                return value.rstrip(".-/"), 0.92
    return None, 0.0


def _date(lines: list[tuple[str, str]]) -> tuple[date | None, float]:
    fallback: date | None = None
    for original, folded in lines:
        for match in _DATE_RE.finditer(original):
            try:
                value = parse_date(match.group(1))
            except ValueError:
                continue
            if "fecha" in folded[: match.start() + 1] and "venc" not in folded:
                return value, 0.93
            fallback = fallback or value
    return (fallback, 0.6) if fallback else (None, 0.0)


def extract(text: str, *, country: str = "ES", own_tax_ids: set[str] | None = None) -> Extraction:
    """Classify the text and extract supplier tax id, number, date, base, tax and total with their confidences."""
    document_type, type_confidence = classify(text)
    lines = [(line, fold(line)) for line in text.splitlines() if line.strip()]
    result = Extraction(document_type, confidence={"document_type": round(type_confidence, 2)})
    tax_id, tax_id_confidence = _tax_ids(lines, country, {normalize_tax_id(value) for value in own_tax_ids or set()})
    number, number_confidence = _number(lines)
    issue_date, date_confidence = _date(lines)
    base = _labelled_amount(lines, r"base\s*imponible|\bbase\b|subtotal|neto")
    tax = _labelled_amount(lines, r"(cuota\s*)?\b(iva|igic|impuesto)\b", exclude=r"base|total|incluido|incl\.")
    total = _labelled_amount(lines, r"\btotal\b", exclude=r"subtotal|base")
    amount_confidence = {"base": 0.7 if base is not None else 0.0, "tax": 0.7 if tax is not None else 0.0,
                         "total": 0.7 if total is not None else 0.0}
    if base is not None and tax is not None and total is not None:
        consistent = abs(base + tax - total) <= Decimal("0.01")
        amount_confidence = dict.fromkeys(("base", "tax", "total"), 0.96 if consistent else 0.4)
    elif base is None and tax is not None and total is not None:
        base, amount_confidence["base"] = total - tax, 0.6  # derived, to be confirmed
    result.values = {"supplier_tax_id": tax_id, "number": number, "issue_date": issue_date.isoformat() if issue_date else None,
                     "base": _money(base), "tax": _money(tax), "total": _money(total)}
    result.confidence.update({"supplier_tax_id": tax_id_confidence, "number": number_confidence, "issue_date": date_confidence,
                              **amount_confidence})
    return result


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")
