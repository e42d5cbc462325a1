"""Back-office security manager: FAB database auth for platform staff only."""

from __future__ import annotations

from flask_appbuilder.security.manager import BaseSecurityManager
from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import inspect

from gestiq_app.admin.two_factor_views import TwoFactorAuthDBView


class GestiqSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager; the schema is Alembic's, tenant users never authenticate here."""

    authdbview = TwoFactorAuthDBView

    def _create_db(self) -> None:
        """Create FAB's built-in roles once Alembic has created the tables (never `create_all`)."""
        engine = self.session.get_bind(mapper=None, clause=None)
        if inspect(engine).has_table("ab_role"):
            BaseSecurityManager.create_db(self)
