"""Shared bits of back-office views: audited CRUD and read-only views."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface

from gestiq_app.audit.services import record_event
from gestiq_app.db import unit_of_work


def admin_actor() -> str:
    """Return the audit actor string of the logged-in back-office user."""
    user = getattr(g, "user", None)
    email = getattr(user, "email", None) or getattr(user, "username", None) or "anonymous"
    return f"admin:{email}"


class AuditedModelView(ModelView):
    """A FAB ModelView whose adds, edits and deletes are written to the audit log."""

    def _audit(self, action: str, item: Any) -> None:
        with unit_of_work():
            record_event(
                actor=admin_actor(),
                action=f"{self.datamodel.obj.__tablename__}.{action}",
                entity=self.datamodel.obj.__tablename__,
                entity_id=getattr(item, "id", None),
                tenant_id=getattr(item, "tenant_id", None),
            )

    def post_add(self, item: Any) -> None:
        """Audit an addition."""
        self._audit("created", item)

    def post_update(self, item: Any) -> None:
        """Audit an edit."""
        self._audit("updated", item)

    def post_delete(self, item: Any) -> None:
        """Audit a deletion."""
        self._audit("deleted", item)


class ReadOnlyModelView(ModelView):
    """A list/show-only view (support views across tenants)."""

    base_permissions = ["can_list", "can_show"]


class UUIDSQLAInterface(SQLAInterface):
    """FAB datamodel for models keyed by UUID: FAB passes primary keys from URLs as strings."""

    def get(self, id: Any, filters: Any = None, select_columns: Any = None, outer_default_load: bool = False) -> Any:
        """Return the row whose UUID primary key is `id` (None when it is not a UUID)."""
        try:
            key = id if isinstance(id, uuid.UUID) else uuid.UUID(str(id))
        except ValueError:
            return None
        return super().get(key, filters=filters, select_columns=select_columns, outer_default_load=outer_default_load)
