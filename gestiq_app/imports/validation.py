"""Row validation with the domain's own input schemas and fiscal rules (one source of truth with the API).

A `RowValidator` is built once per batch from plain values (kind, tenant country, tax catalog), touches no
database and can be pickled, so a process pool can validate chunks on every core.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, missing

from gestiq_app.imports.mapping import FIELDS_BY_KIND
from gestiq_app.imports.parsing import parse_boolean, parse_decimal

REQUIRED_MESSAGE = "Campo obligatorio."
Errors = dict[str, list[dict[str, str]]]


@dataclass
class RowResult:
    """The outcome of one row: normalized data (JSON-ready), per-field errors and the natural key."""

    data: dict[str, Any]
    errors: Errors = field(default_factory=dict)
    natural_key: str | None = None


def add_error(errors: Errors, field_name: str, code: str, message: str) -> None:
    """Append one coded error to a field."""
    errors.setdefault(field_name, []).append({"code": code, "message": message})


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(inner) for inner in value]
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return str(value)
    return value


def _schema_errors(messages: Any, errors: Errors, prefix: str = "") -> None:
    if isinstance(messages, dict):
        for key, inner in messages.items():
            _schema_errors(inner, errors, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                _schema_errors(message, errors, prefix)
            else:
                code = "required" if message == REQUIRED_MESSAGE else "unknown_field" if message == "Campo desconocido." else "invalid"
                add_error(errors, prefix or "_row", code, str(message))
    else:
        add_error(errors, prefix or "_row", "invalid", str(messages))


@dataclass
class RowValidator:
    """Validate rows of one kind for one tenant: map headers, coerce text, load the domain schema, check fiscal rules."""

    kind: str
    country: str
    mapping: dict[str, str | None]
    tax_categories: tuple[str, ...] = ()
    #: "21" -> "general" (percentages of the tenant's country IVA in force today)
    tax_rates: dict[str, str] = field(default_factory=dict)
    decimal_separator: str = "auto"

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the cached schemas (a process pool rebuilds them once per worker)."""
        return {key: value for key, value in self.__dict__.items() if not key.startswith("_cached")}

    def _schema_class(self) -> type[Schema]:
        if self.kind == "products":
            from gestiq_app.catalog.schemas import ProductCreateSchema

            return ProductCreateSchema
        if self.kind == "customers":
            from gestiq_app.crm.schemas import CustomerCreateSchema

            return CustomerCreateSchema
        from gestiq_app.crm.schemas import SupplierCreateSchema

        return SupplierCreateSchema

    def _schema(self, payload: dict[str, Any] | None = None) -> Schema:
        """The domain's create schema; for a payload within the mapped fields, the same schema limited (`only`) to the
        fields such a payload can hold plus the required ones and those with a load default.

        A field outside that set is absent from the payload, so the full schema would do nothing with it: the limited
        schema gives the same data and errors while skipping the per-field work of the unmapped ones (half of a
        product's fields in a typical file). A payload with any other key (a hand fix) gets the full schema.
        """
        cached = getattr(self, "_cached_schemas", None)
        if cached is None:
            schema_class = self._schema_class()
            full = schema_class()
            mapped = {str(target).split(".", 1)[0] for target in self.mapping.values() if target}
            if "tax_rate" in {FIELDS_BY_KIND[self.kind].get(target) for target in self.mapping.values() if target}:
                mapped.add("tax_category")  # map_raw turns a tax rate column into the tax category
            kept = tuple(name for name, field_ in full.load_fields.items()  # in declared order: the data's key order
                         if name in mapped or field_.required or field_.load_default is not missing)
            cached = (full, schema_class(only=kept), frozenset(kept))
            object.__setattr__(self, "_cached_schemas", cached)
        full, limited, kept = cached
        return limited if payload is not None and payload.keys() <= kept else full

    def _plan(self) -> tuple[tuple[str, str, str], ...]:
        """(header, target field, field type) of every mapped header, computed once per validator."""
        plan = getattr(self, "_cached_plan", None)
        if plan is None:
            types_by_field = FIELDS_BY_KIND[self.kind]
            plan = tuple((header, target, types_by_field[target]) for header, target in self.mapping.items() if target)
            object.__setattr__(self, "_cached_plan", plan)
        return plan

    def map_raw(self, raw: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
        """Turn a raw row {header: text} into the schema's payload (typed where text is unambiguous)."""
        payload: dict[str, Any] = {}
        errors: Errors = {}
        if raw.get("_extra"):
            add_error(errors, "_row", "extra_columns", f"La fila tiene más columnas que la cabecera: «{raw['_extra'][:80]}».")
        for header, target, kind in self._plan():
            text = raw.get(header)
            if text is None:
                continue
            text = str(text).strip()
            if not text:
                continue
            try:
                value: Any = text if kind == "text" else self._coerce(kind, text)
            except ValueError:
                add_error(errors, target, f"invalid_{kind}", _COERCE_MESSAGES[kind].format(text=text[:60]))
                value = text
            if kind == "tax_rate":
                if target in errors:
                    continue
                target, value = "tax_category", value
            if "." in target:
                parent, child = target.split(".", 1)
                payload.setdefault(parent, {})[child] = value
            else:
                payload[target] = value
        return payload, errors

    def _coerce(self, kind: str, text: str) -> Any:
        if kind == "decimal":
            return format(parse_decimal(text, decimal_separator=self.decimal_separator), "f")
        if kind == "integer":
            number = parse_decimal(text, decimal_separator=self.decimal_separator)
            if number != number.to_integral_value():
                raise ValueError(text)
            return int(number)
        if kind == "boolean":
            return parse_boolean(text)
        if kind == "upper":
            return text.upper()
        if kind == "lower":
            return text.lower()
        if kind == "list":
            return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if kind == "tax_rate":
            rate = parse_decimal(text, decimal_separator=self.decimal_separator)
            if Decimal("0") < rate < Decimal("1"):
                rate *= 100  # 0,21 written as a fraction
            category = self.tax_rates.get(format(rate.normalize(), "f"))
            if category is None:
                raise ValueError(text)
            return category
        return text

    def validate(self, payload: dict[str, Any], errors: Errors | None = None, *, encoded: bool = False) -> RowResult:
        """Load a payload with the domain schema and check the domain rules; return data, errors and natural key.

        encoded: return the data as compact JSON text (for COPY) instead of JSON-ready Python values.
        """
        as_data = encode if encoded else _jsonable
        if errors:
            errors = {key: list(value) for key, value in errors.items()}
            candidate = {key: value for key, value in payload.items() if key not in errors}
        else:  # the usual row: nothing to leave out (loading never changes its input)
            errors, candidate = {}, payload
        try:
            loaded = self._schema(candidate).load(candidate)
        except ValidationError as error:
            found: Errors = {}
            _schema_errors(error.messages, found)
            errors.update({name: entries for name, entries in found.items() if name not in errors})
            return RowResult(data=as_data(payload), errors=errors, natural_key=self._key(payload))
        if errors:
            return RowResult(data=as_data(payload), errors=errors, natural_key=self._key(payload))
        if self.kind == "products":
            self._check_product(loaded, errors)
        else:
            self._check_party(loaded, errors)
        return RowResult(data=as_data(loaded), errors=errors, natural_key=self._key(loaded))

    def validate_raw(self, raw: dict[str, Any], *, encoded: bool = False) -> RowResult:
        """Map and validate a raw source row."""
        payload, errors = self.map_raw(raw)
        return self.validate(payload, errors, encoded=encoded)

    def _check_product(self, loaded: dict[str, Any], errors: Errors) -> None:
        category = loaded.setdefault("tax_category", "general")
        if self.tax_categories and category not in self.tax_categories:
            add_error(errors, "tax_category", "unknown_tax_category",
                      f"Categoría de IVA desconocida. Use una de: {', '.join(self.tax_categories)}.")

    def _check_party(self, loaded: dict[str, Any], errors: Errors) -> None:
        from gestiq_app.crm.exceptions import PartyInvalidError
        from gestiq_app.crm.models import FLAGS_BY_COUNTRY
        from gestiq_app.crm.rules import check_party
        from gestiq_app.crm.services import CUSTOMER, SUPPLIER

        if loaded.get("price_list_id") is not None:
            add_error(errors, "price_list_id", "not_importable", "La tarifa no se puede importar; asígnela después.")
            return
        loaded["country"] = loaded.get("country") or self.country
        flags = {flag: loaded.get(flag, False) for country_flags in FLAGS_BY_COUNTRY.values() for flag in country_flags}
        party = types.SimpleNamespace(**{**flags, "country": loaded["country"], "tax_id": loaded["tax_id"],
                                         "tax_id_type": loaded.get("tax_id_type")})
        try:
            check_party(party, kind=CUSTOMER if self.kind == "customers" else SUPPLIER,  # type: ignore[arg-type]
                        detect_type=not loaded.get("tax_id_type"))
        except PartyInvalidError as error:
            for field_name, messages in error.errors.items():
                for message in messages:
                    add_error(errors, field_name, "invalid_tax_id" if field_name.startswith("tax_id") else "invalid", message)
            return
        loaded["tax_id"], loaded["tax_id_type"] = party.tax_id, party.tax_id_type

    def _key(self, data: dict[str, Any]) -> str | None:
        if self.kind == "products":
            value = data.get("sku")
            return str(value).strip()[:100] if value else None
        from gestiq_app.fiscal.taxids import normalize_tax_id

        value = data.get("tax_id")
        return normalize_tax_id(str(value))[:100] if value else None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if type(value).__name__ == "UUID":
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


#: Compact JSON text of validated values (the same text `_jsonable` + json.dumps give, in one C pass).
encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode


def validate_texts(validator: RowValidator, items: list[tuple]) -> list[RowResult]:
    """Validate items given as (…, raw JSON text, data JSON text or None, edited); data comes back as JSON text.

    The texts are decoded here rather than by the database driver in the parent, so a process pool spreads the
    decoding, the schema and the encoding over every core and the parent only moves bytes.
    """
    results = []
    for *_, raw, data, edited in items:
        if edited:
            result = validator.validate(_load(data) or {}, encoded=True)
        else:
            result = validator.validate_raw(_load(raw) or {}, encoded=True)
        results.append(result)
    return results


def _load(text: Any) -> Any:
    return json.loads(text) if isinstance(text, (str, bytes)) else text


_COERCE_MESSAGES = {
    "decimal": "«{text}» no es un número (use 1234,56 o 1234.56).",
    "integer": "«{text}» no es un número entero.",
    "boolean": "«{text}» no es sí o no.",
    "tax_rate": "No hay ningún IVA del {text} % en el catálogo de impuestos.",
    "text": "Valor no válido.",
    "upper": "Valor no válido.",
    "lower": "Valor no válido.",
    "list": "Valor no válido.",
}
