"""GestiQCloud: the Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue

from gestiq_app.config import Config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config -> extensions -> tenancy -> admin -> api -> edge middleware."""
    settings = Config(overrides).as_flask_config()
    app = Flask(__name__, instance_path=settings["GESTIQ_INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(settings)
    _init_instance_folder(app)

    from gestiq_app.observability import configure_logging, init_request_ids

    configure_logging(app.config["GESTIQ_LOG_LEVEL"])
    _init_request_context(app)
    init_request_ids(app)
    _init_extensions(app)

    from gestiq_app.tenancy.guard import install_tenant_guard

    install_tenant_guard()
    _init_admin(app)

    from api import init_api

    init_api(app)

    from gestiq_app.health import blueprint as health_blueprint

    app.register_blueprint(health_blueprint)

    from gestiq_app.pwa import blueprint as pwa_blueprint

    app.register_blueprint(pwa_blueprint)

    from gestiq_app.cli import register_cli

    register_cli(app)

    from gestiq_app.metrics_endpoint import init_metrics
    from gestiq_app.tracing import init_tracing

    init_metrics(app)
    init_tracing(app)
    _init_root(app)

    from gestiq_app.security_headers import init_security_headers

    init_security_headers(app)
    _init_edge(app)

    from gestiq_app.imports.runner import init_runner

    init_runner(app)
    return app


def _init_instance_folder(app: Flask) -> None:
    from pathlib import Path

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def _init_request_context(app: Flask) -> None:
    from gestiq_app.tenancy.context import reset_context

    # Registered first so the context is clean before any other hook runs.
    app.before_request(reset_context)

    @app.teardown_request
    def _clear_context(error: BaseException | None) -> None:
        reset_context()


def _init_extensions(app: Flask) -> None:
    from gestiq_app import models  # noqa: F401 - register every model on the metadata
    from gestiq_app.einvoicing import wiring  # noqa: F401 - subscribe e-invoicing to the sales domain events
    from gestiq_app.accounting import posting  # noqa: F401 - subscribe the journal to the in-transaction domain events
    from gestiq_app.einvoicing import pdf as _einvoice_pdf  # noqa: F401 - SRI block on invoice PDFs
    from gestiq_app.payments import pdf as _payment_pdf  # noqa: F401 - payment link on invoice PDFs
    from gestiq_app.db import enforce_sqlite_foreign_keys
    from gestiq_app.extensions import csrf, db, migrate
    from gestiq_app.jobs import configure_huey

    enforce_sqlite_foreign_keys()
    db.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(_project_root() / "migrations"), compare_type=True)
    configure_huey(app)


def _init_admin(app: Flask) -> None:
    from sqlalchemy import inspect

    from gestiq_app.admin.views import AdminIndexView, init_views
    from gestiq_app.extensions import appbuilder, db

    with app.app_context():
        try:
            tables_ready = inspect(db.engine).has_table("ab_permission_view")
        except Exception:  # noqa: BLE001 - an unreachable database must not stop the app from starting
            tables_ready = False
        # FAB is a process-wide singleton: forget the views of a previous app (tests build several).
        appbuilder.baseviews = []
        appbuilder.menu = None
        appbuilder.update_perms = True
        app.config["FAB_UPDATE_PERMS"] = bool(app.config["FAB_UPDATE_PERMS"] and tables_ready)
        appbuilder.indexview = AdminIndexView
        appbuilder.init_app(app, db.session)
        init_views(app)
        db.session.remove()


def _init_root(app: Flask) -> None:
    from flask import redirect

    @app.get("/")
    def root() -> ResponseReturnValue:
        """Send visitors to the tenant app."""
        return redirect("/app/")


def _init_edge(app: Flask) -> None:
    if app.config["GESTIQ_EDGE_MIDDLEWARE"] in {"1", "true", "True"}:
        try:
            from edge.middleware import EdgeMiddleware
        except ImportError:
            return
        env = "development" if app.config["GESTIQ_ENV"] in {"development", "test"} else app.config["GESTIQ_ENV"]
        app.wsgi_app = EdgeMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, environment=env, trusted_proxies=int(app.config["GESTIQ_TRUSTED_PROXIES"])
        )


def _project_root():  # type: ignore[no-untyped-def]
    from gestiq_app.config import PROJECT_ROOT

    return PROJECT_ROOT
