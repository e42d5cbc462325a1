"""Marshmallow fields shared by the domain schemas: exact decimals that travel as JSON strings, UTC timestamps."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, validate

import gestiq_app.validation  # noqa: F401 - Spanish messages


class Money(fields.Decimal):
    """A money amount: Decimal inside, a string such as "1234.50" in JSON (and documented as a string)."""

    def __init__(self, *, places: int = 2, **kwargs: Any) -> None:
        metadata = {"type": "string", "format": "decimal", "example": "1234.50", "pattern": r"^-?\d{1,13}(\.\d{1,6})?$",
                    **kwargs.pop("metadata", {})}
        self.decimal_places = places
        super().__init__(places=places, as_string=True, allow_nan=False, rounding=ROUND_HALF_UP, metadata=metadata, **kwargs)

    def _validated(self, value: Any) -> Decimal:
        if isinstance(value, float):
            raise self.make_error("invalid")
        try:
            raw = Decimal(str(value).strip()) if isinstance(value, (str, int)) else None
        except InvalidOperation:
            raw = None
        if raw is not None and raw.is_finite() and -raw.as_tuple().exponent > self.decimal_places:  # type: ignore[operator]
            raise ValidationError(f"Como máximo {self.decimal_places} decimales.")
        result = super()._validated(value)
        if result is not None and abs(result) >= Decimal("1e13"):
            raise ValidationError("Importe demasiado grande.")
        return result



class DecimalRange(validate.Validator):
    """Bounds of a decimal field that travels as a string (Money).

    validate.Range would be documented by apispec as numeric `minimum`/`maximum` on a `type: string`
    property, which OpenAPI forbids (schemathesis rejects the spec); this checks the same bounds, with
    the same Spanish messages, and leaves them to the field's description.
    """

    def __init__(self, min: Decimal | None = None, max: Decimal | None = None, *,  # noqa: A002 - Range's names
                 min_inclusive: bool = True, max_inclusive: bool = True) -> None:
        self._range = validate.Range(min=min, max=max, min_inclusive=min_inclusive, max_inclusive=max_inclusive)

    def __call__(self, value: Decimal) -> Decimal:
        """Raise a ValidationError when the value is out of bounds."""
        return self._range(value)


class UtcDateTime(fields.DateTime):
    """A timestamp serialized with its zone: naive values (SQLite drops the zone) are UTC."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)
