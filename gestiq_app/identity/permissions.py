"""The permission matrix: what each tenant role may do, and which module each permission needs."""

from __future__ import annotations

#: permission -> module that must be enabled for the tenant (None: always available).
PERMISSION_MODULES: dict[str, str | None] = {
    "dashboard:read": None,
    "users:read": None,
    "users:write": None,
    "settings:write": None,
    "api_tokens:write": None,
    "customers:read": "crm",
    "customers:write": "crm",
    "suppliers:read": "crm",
    "suppliers:write": "crm",
    "products:read": "sales",
    "products:write": "sales",
    "taxes:read": None,
    "quotes:read": "sales",
    "quotes:write": "sales",
    "invoices:read": "sales",
    "invoices:write": "sales",
    "invoices:issue": "sales",
    "invoices:void": "sales",
    "purchases:read": "purchases",
    "purchases:write": "purchases",
    "accounting:read": "accounting",
    "accounting:write": "accounting",
    "reports:read": "accounting",
    "imports:read": "imports",
    "imports:write": "imports",
    "payments:read": "payments",
    "payments:write": "payments",
    "einvoicing:read": "einvoicing",
    "einvoicing:write": "einvoicing",
    "webhooks:read": None,
    "webhooks:write": None,
    "einvoicing:admin": "einvoicing",
    "payments:admin": "payments",
}

ALL_PERMISSIONS = frozenset(PERMISSION_MODULES)
READ_PERMISSIONS = frozenset(p for p in ALL_PERMISSIONS if p.endswith(":read"))

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": ALL_PERMISSIONS,
    # einvoicing:admin (the signing certificate) is the owner's alone: it signs fiscal documents in the company's name.
    # Voiding an issued invoice (a registro de anulación in Spain) is the owner's alone too, and so are
    # payments:admin (provider credentials): whoever holds it decides where customers' money goes.
    "admin": ALL_PERMISSIONS - {"api_tokens:write", "settings:write", "einvoicing:admin", "invoices:void", "payments:admin"},
    "accountant": READ_PERMISSIONS
    | {"accounting:write", "purchases:write", "suppliers:write", "imports:write", "payments:write", "einvoicing:write"},
    # The e-invoicing log (authority messages, the VERI*FACTU chain) is compliance data, not a sales tool.
    "sales": READ_PERMISSIONS - {"accounting:read", "reports:read", "users:read", "einvoicing:read"}
    | {"customers:write", "products:write", "quotes:write", "invoices:write", "invoices:issue", "payments:write"},
    "viewer": READ_PERMISSIONS - {"users:read"},
}


#: Webhook subscriptions point the tenant's data at outside URLs: owners and admins only.
for _role in ("accountant", "sales", "viewer"):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] - {"webhooks:read", "webhooks:write"}


def permissions_of_role(role: str) -> frozenset[str]:
    """Return the permissions granted to a tenant role."""
    return ROLE_PERMISSIONS.get(role, frozenset())
