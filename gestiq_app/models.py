"""Import every domain's models so the metadata (Alembic, RLS, tests) knows every table."""

from gestiq_app.audit.models import AuditEvent  # noqa: F401
from gestiq_app.identity.models import TenantUser  # noqa: F401
from gestiq_app.tenancy.models import Plan, SectorTemplate, Tenant, TenantModule  # noqa: F401
