"""Spanish default messages for marshmallow fields and validators (one place for every schema)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

_FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "Campo obligatorio.",
        "null": "Este campo no puede estar vacío.",
        "validator_failed": "Valor no válido.",
    },
    fields.String: {"invalid": "Debe ser un texto.", "invalid_utf8": "Texto con caracteres no válidos."},
    fields.Email: {"invalid": "Correo electrónico no válido."},
    fields.Integer: {"invalid": "Debe ser un número entero.", "too_large": "Número demasiado grande."},
    fields.Decimal: {"invalid": "Debe ser un número.", "special": "Número no válido.", "too_large": "Número demasiado grande."},
    fields.Boolean: {"invalid": "Debe ser verdadero o falso."},
    fields.Date: {"invalid": "Fecha no válida (use AAAA-MM-DD).", "format": "Fecha no válida."},
    fields.DateTime: {"invalid": "Fecha y hora no válidas.", "format": "Fecha y hora no válidas."},
    fields.UUID: {"invalid_uuid": "Identificador no válido."},
    fields.List: {"invalid": "Debe ser una lista."},
    fields.Dict: {"invalid": "Debe ser un objeto."},
    fields.Nested: {"type": "Debe ser un objeto."},
}


def install_spanish_messages() -> None:
    """Replace marshmallow's English default messages with Spanish ones."""
    for field_class, messages in _FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    validate.Length.message_min = "Mínimo {min} caracteres."
    validate.Length.message_max = "Máximo {max} caracteres."
    validate.Length.message_all = "Entre {min} y {max} caracteres."
    validate.Length.message_equal = "Exactamente {equal} caracteres."
    validate.Range.message_min = "Debe ser {min_op} {{min}}."
    validate.Range.message_max = "Debe ser {max_op} {{max}}."
    validate.Range.message_all = "Debe ser {min_op} {{min}} y {max_op} {{max}}."
    validate.Range.message_gte = "mayor o igual que"
    validate.Range.message_gt = "mayor que"
    validate.Range.message_lte = "menor o igual que"
    validate.Range.message_lt = "menor que"
    validate.OneOf.default_message = "Valor no admitido. Use uno de: {choices}."
    validate.Regexp.default_message = "Formato no válido."
    validate.Email.default_message = "Correo electrónico no válido."
    Schema._default_error_messages = {"type": "Tipo de dato no válido.", "unknown": "Campo desconocido."}


class Trimmed(fields.String):
    """A text field trimmed on load (so "  " fails a minimum length) that refuses what databases cannot store.

    PostgreSQL rejects NUL characters and lone UTF-16 surrogates (valid in JSON escapes) cannot be encoded:
    both would otherwise surface as a 500 on insert or even on a filtered SELECT.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise self.make_error("invalid_utf8") from error
        if "\x00" in text:
            raise self.make_error("invalid_utf8")
        return text.strip()


install_spanish_messages()
