"""Flask-AppBuilder mounted under /admin: every FAB blueprint is registered below that prefix.

FAB registers its views at the site root (`/login/`, `/users/`, `/api/v1/security/…`). Prefixing them
here keeps the back office at `/admin/` and makes it impossible for FAB to shadow our `/api/v1`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask_appbuilder import AppBuilder

ADMIN_PREFIX = "/admin"


class GestiqAppBuilder(AppBuilder):
    """AppBuilder whose views and static files live under ADMIN_PREFIX."""

    def register_blueprint(self, baseview: Any, endpoint: str | None = None, static_folder: str | None = None) -> None:
        """Register a FAB view's blueprint below the admin prefix."""
        blueprint = baseview.create_blueprint(self, endpoint=endpoint, static_folder=static_folder)
        current_app.register_blueprint(blueprint, url_prefix=ADMIN_PREFIX + (blueprint.url_prefix or "/"))

    def _add_global_static(self) -> None:
        blueprint = Blueprint(
            "appbuilder",
            "flask_appbuilder.base",
            url_prefix=ADMIN_PREFIX + "/static",
            template_folder="templates",
            static_folder=self.static_folder,
            static_url_path=self.static_url_path,
        )
        current_app.register_blueprint(blueprint)
