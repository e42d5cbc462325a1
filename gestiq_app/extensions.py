"""Unbound extension singletons; `create_app` binds them to an app (they never keep `app`)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from gestiq_app.admin.builder import GestiqAppBuilder
from gestiq_app.db import Base

# Services return objects after their unit of work commits; keep them readable.
db = SQLA(metadata=Base.metadata, session_options={"expire_on_commit": False})
migrate = Migrate()
appbuilder = GestiqAppBuilder(update_perms=True)
#: Back-office forms and FAB's action posts; the API uses its own double-submit CSRF and is exempt.
csrf = CSRFProtect()
