"""Back-office screen of the global tax catalog: admins add and edit rates, support only reads them.

Saving goes through the tax services (field rules, no overlapping periods, audit). Rates are never
deleted here: issued documents refer to them by category and date; close a period with `valid_to` instead.
"""

from __future__ import annotations

from typing import Any

from flask_appbuilder import ModelView
from wtforms import SelectField

from gestiq_app.admin.views_base import UUIDSQLAInterface, admin_actor
from gestiq_app.taxes.models import TAX_TYPES, TaxRate
from gestiq_app.taxes.services import RATE_FIELDS, check_tax_rate, create_tax_rate, update_tax_rate
from gestiq_app.tenancy.exceptions import DomainError

LABELS = {
    "country": "País",
    "tax_type": "Impuesto",
    "category": "Categoría",
    "name": "Nombre",
    "rate": "Tipo (%)",
    "authority_code": "Código de la administración",
    "valid_from": "Vigente desde",
    "valid_to": "Vigente hasta",
    "created_at": "Alta",
    "updated_at": "Modificado",
}
TAX_TYPE_NAMES = {"iva": "IVA", "recargo": "Recargo de equivalencia", "irpf": "Retención de IRPF",
                  "ret_iva": "Retención de IVA", "ret_renta": "Retención de renta"}


class TaxRateFormError(ValueError):
    """A rule broken by the form, shown to the operator as the form's message."""


def _values(item: TaxRate) -> dict[str, Any]:
    return {name: getattr(item, name) for name in RATE_FIELDS}


def _form_error(error: DomainError) -> TaxRateFormError:
    details = "; ".join(f"{LABELS.get(field, field)}: {' '.join(map(str, messages))}" for field, messages in error.errors.items())
    return TaxRateFormError(f"{error.message} {details}".strip())


class TaxRateDataModel(UUIDSQLAInterface):
    """Datamodel that saves through the tax services instead of committing the form's object."""

    def add(self, item: Any, commit: bool = True) -> None:
        """Add the rate with the service (checked again under the catalog lock)."""
        values = _values(item)
        self.session.rollback()
        try:
            item.id = create_tax_rate(data=values, actor=admin_actor()).id
        except DomainError as error:
            raise _form_error(error) from error

    def edit(self, item: Any, commit: bool = True) -> None:
        """Save the edited rate with the service, discarding the form's in-place changes first."""
        values, rate_id = _values(item), item.id
        self.session.rollback()
        update_tax_rate(tax_rate_id=rate_id, data=values, actor=admin_actor())


def _select_fields() -> dict[str, SelectField]:
    return {
        "country": SelectField(LABELS["country"], choices=[("ES", "España"), ("EC", "Ecuador")]),
        "tax_type": SelectField(LABELS["tax_type"], choices=[(code, TAX_TYPE_NAMES[code]) for code in TAX_TYPES]),
    }


class TaxRateView(ModelView):
    """Tax rates by country, tax and category, with their periods of validity."""

    datamodel = TaxRateDataModel(TaxRate)
    list_title = "Catálogo de impuestos"
    show_title = "Tipo impositivo"
    add_title = "Nuevo tipo impositivo"
    edit_title = "Editar tipo impositivo"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["country", "tax_type", "category", "name", "rate", "authority_code", "valid_from", "valid_to"]
    show_columns = [*list_columns, "created_at", "updated_at"]
    add_columns = edit_columns = list(list_columns)
    search_columns = ["country", "tax_type", "category", "name", "valid_from", "valid_to"]
    order_columns = ["country", "tax_type", "category", "valid_from"]
    base_order = ("valid_from", "desc")
    label_columns = LABELS
    add_form_extra_fields = _select_fields()
    edit_form_extra_fields = _select_fields()
    add_row_message = "Tipo impositivo añadido"
    edit_row_message = "Tipo impositivo guardado"

    def pre_add(self, item: Any) -> None:
        """Refuse invalid or overlapping rates with a readable message before saving."""
        self._check(item, None)

    def pre_update(self, item: Any) -> None:
        """Refuse invalid or overlapping changes with a readable message before saving."""
        self._check(item, item.id)

    def _check(self, item: Any, rate_id: Any) -> None:
        try:
            check_tax_rate(data=_values(item), tax_rate_id=rate_id)
        except DomainError as error:
            raise _form_error(error) from error
