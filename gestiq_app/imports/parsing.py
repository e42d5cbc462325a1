"""Reading real-world files: encodings, delimiters, quoted newlines, decimal commas, Spanish dates, XLSX, JSON.

Everything streams: a CSV is decoded and split row by row from the stored file, an XLSX is read with
openpyxl's read-only mode, so memory stays flat however large the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from gestiq_app.imports.exceptions import ImportFileError

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (";", ",", "\t", "|")
#: A field may hold a long description, but not a whole file glued by a missing quote.
csv.field_size_limit(1024 * 1024)


def detect_encoding(sample: bytes) -> str:
    """Return the encoding of a file from its first bytes: utf-8-sig (BOM), utf-8, else cp1252 (or latin-1)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a multi-byte character cut at the end of the sample is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # cp1252 leaves five bytes undefined; latin-1 decodes anything


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif character == delimiter and not quoted:
            count += 1
    return count


def detect_delimiter(text_sample: str) -> str:
    """Return the delimiter (`;` `,` tab or `|`) that splits the first lines into the most, equally sized, columns."""
    lines = [line for line in text_sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        counts = [_count_outside_quotes(line, delimiter) for line in lines[:-1] or lines]
        header = counts[0]
        if header == 0:
            continue
        consistent = sum(1 for count in counts if count == header)
        score = (consistent, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text_stream(path: Path, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="strict", newline="")


def iter_csv(path: Path, *, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the row starts, cells) for every non-blank row; ImportFileError names the bad line."""
    with _text_stream(path, encoding) as stream:
        # NUL characters pass the csv module but PostgreSQL text/JSON refuse them: they are dropped from each line
        # (a C search per line). Strictly decoded text has no lone surrogates: nothing else needs cleaning.
        lines = (line.replace("\x00", "") if "\x00" in line else line for line in stream)
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
        start = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportFileError(f"Línea {start}: el archivo está mal formado ({_csv_reason(error)}).",
                                      errors={"file": [f"Línea {start}: revise las comillas de esa fila."]}) from error
            except UnicodeDecodeError as error:
                raise ImportFileError(f"Línea {reader.line_num + 1}: caracteres que no son {encoding}.",
                                      errors={"file": [f"Línea {reader.line_num + 1}: codificación no válida."]}) from error
            line = start
            start = reader.line_num + 1
            if any(map(str.strip, cells)):
                yield line, cells


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text or "EOF" in text:
        return "comillas sin cerrar"
    if "expected" in text and "delimiter" in text:
        return "texto después de unas comillas de cierre"
    return "fila ilegible"


def iter_xlsx(path: Path, *, sheet: str | int | None) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, cell values) of one sheet (the first by default) in read-only streaming mode."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError) as error:
        raise ImportFileError("El archivo no es un XLSX válido.", errors={"file": ["XLSX ilegible."]}) from error
    try:
        if sheet in (None, ""):
            worksheet = workbook.worksheets[0]
        elif isinstance(sheet, int) or str(sheet).isdigit():
            index = int(sheet)
            if not 0 <= index < len(workbook.worksheets):
                raise ImportFileError(f"El libro no tiene la hoja {index}.", errors={"sheet": ["Hoja inexistente."]})
            worksheet = workbook.worksheets[index]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ImportFileError(f"El libro no tiene una hoja «{sheet}». Hojas: {', '.join(workbook.sheetnames)}.",
                                  errors={"sheet": ["Hoja inexistente."]})
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if any(value not in (None, "") for value in values):
                yield number, list(values)
    finally:
        workbook.close()


def clean(value: Any) -> Any:
    """Drop what databases cannot store from text (NUL, lone UTF-16 surrogates), recursively in lists and dicts."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    if isinstance(value, dict):
        return {clean(str(key)): clean(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [clean(inner) for inner in value]
    return value


def cell_text(value: Any) -> str:
    """Return a cell as text: numbers without float noise, dates as ISO, None as empty (cleaned of NUL and surrogates)."""
    return clean(_cell_text(value))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_rows(path: Path, *, file_format: str, options: dict[str, Any]) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]], dict[str, Any]]:
    """Open a stored file and return (headers, rows as {header: text}, detected options).

    Options: encoding, delimiter (CSV), sheet (XLSX). Rows with more cells than headers keep the extra
    text under "_extra" (validation reports it); missing cells are empty.
    """
    detected: dict[str, Any] = {}
    if file_format == "json":
        return _read_json(path)
    if file_format == "xlsx":
        rows: Iterator[tuple[int, list[Any]]] = ((n, [cell_text(v) for v in values]) for n, values in iter_xlsx(path, sheet=options.get("sheet")))
    else:
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
        encoding = options.get("encoding") or detect_encoding(sample)
        try:
            text_sample = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except (UnicodeDecodeError, LookupError) as error:
            raise ImportFileError(f"El archivo no está en {encoding}.", errors={"encoding": ["Codificación no válida."]}) from error
        delimiter = options.get("delimiter") or detect_delimiter(text_sample.lstrip("\ufeff"))
        detected = {"encoding": encoding, "delimiter": delimiter}
        rows = iter_csv(path, encoding=encoding, delimiter=delimiter)  # without NUL characters, like XLSX/JSON cells
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise ImportFileError("El archivo está vacío.", errors={"file": ["No hay cabecera ni filas."]}) from None
    headers = _unique_headers([str(cell).strip() for cell in header_cells])
    return headers, _as_dicts(headers, rows), detected


def _unique_headers(cells: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for index, cell in enumerate(cells, start=1):
        name = cell or f"columna_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        headers.append(name)
    while headers and headers[-1].startswith("columna_"):  # trailing delimiters
        headers.pop()
    return headers


def _as_dicts(headers: list[str], rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, dict[str, str]]]:
    width = len(headers)
    strip = str.strip
    for number, cells in rows:
        if len(cells) == width:  # the usual row: every cell is text already (csv, cell_text)
            yield number, dict(zip(headers, map(strip, cells)))
            continue
        texts = [str(cell) if cell is not None else "" for cell in cells]
        raw = {header: (texts[index].strip() if index < len(texts) else "") for index, header in enumerate(headers)}
        extra = [text for text in texts[width:] if text.strip()]
        if extra:
            raw["_extra"] = " | ".join(extra)[:500]
        yield number, raw


def _read_json(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]], dict[str, Any]]:
    try:
        with path.open("rb") as handle:
            rows = json.load(handle)
    except (ValueError, RecursionError) as error:
        raise ImportFileError("El archivo no es un JSON válido.", errors={"file": [str(error)[:200]]}) from error
    if isinstance(rows, dict) and isinstance(rows.get("rows"), list):
        rows = rows["rows"]
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ImportFileError("El JSON debe ser una lista de objetos (o {\"rows\": [...]}).", errors={"file": ["Formato no admitido."]})
    headers = list(dict.fromkeys(str(key) for row in rows for key in row))
    return headers, ((index, {str(k): cell_text(v) if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False)
                              for k, v in row.items()}) for index, row in enumerate(rows, start=1)), {}


def file_format_of(filename: str) -> str:
    """Return csv, xlsx or json from a file name (anything else is read as CSV)."""
    suffix = Path(filename).suffix.lower()
    return {".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json"}.get(suffix, "csv")


_DECIMAL = re.compile(r"^[+-]?[0-9.,]*[0-9][0-9.,]*$")
_SIMPLE_DECIMAL = re.compile(r"([0-9]+)([.,])([0-9]+)")


def parse_decimal(text: str, *, decimal_separator: str = "auto") -> Decimal:
    """Parse 1.234,56 / 1,234.56 / 12,5 / 12.5 / 1234 (currency signs and spaces ignored); ValueError otherwise.

    With `auto`, the last of `,` and `.` is the decimal mark when both appear; a lone `,` is decimal; a lone
    `.` followed by exactly three digits repeated (1.234.567) is a thousands mark.
    """
    if text.isascii() and text.isdigit():  # the usual whole number («21», «1500»): the general rules give the same
        return Decimal(text)
    simple = _SIMPLE_DECIMAL.fullmatch(text)  # «12,50» / «12.50» with one mark: what the general rules decide too
    if simple is not None and decimal_separator in ("auto", simple.group(2)):
        return Decimal(f"{simple.group(1)}.{simple.group(3)}")
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace("$", "")
    if value.endswith("%"):
        value = value[:-1]
    if not _DECIMAL.match(value):
        raise ValueError(text)
    separator = decimal_separator
    if separator == "auto":
        comma, dot = value.rfind(","), value.rfind(".")
        if comma >= 0 and dot >= 0:
            separator = "," if comma > dot else "."
        elif comma >= 0:
            separator = "," if value.count(",") == 1 else "."
        elif value.count(".") > 1 or re.fullmatch(r"[+-]?\d{1,3}(\.\d{3}){2,}", value):
            separator = ","
        else:
            separator = "."
    thousands = "." if separator == "," else ","
    integer_part = value.lstrip("+-").split(separator)[0]
    if thousands in integer_part and not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", integer_part):
        raise ValueError(text)  # «1,2,3» is no thousands grouping
    if separator == ",":
        if value.count(",") > 1:
            raise ValueError(text)
        value = value.replace(thousands, "").replace(",", ".")
    else:
        if value.count(".") > 1:
            raise ValueError(text)
        value = value.replace(thousands, "")
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ValueError(text) from error


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")


def parse_date(text: str) -> date:
    """Parse ISO (2026-03-01), dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy and dd/mm/yy dates; ValueError otherwise."""
    value = text.strip()
    if "T" in value or " " in value:
        value = re.split(r"[T ]", value, maxsplit=1)[0]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_boolean(text: str) -> bool:
    """Parse sí/si/s/yes/y/true/1/x and no/n/false/0; ValueError otherwise."""
    value = text.strip().lower()
    if value in {"sí", "si", "s", "yes", "y", "true", "verdadero", "1", "x", "activo"}:
        return True
    if value in {"no", "n", "false", "falso", "0", "inactivo"}:
        return False
    raise ValueError(text)
