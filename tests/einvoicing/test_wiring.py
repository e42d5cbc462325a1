"""Wiring: the Huey consumer sees the e-invoicing tasks, production refuses the plain-HTTP AEAT mode, and the
owner alone holds einvoicing:admin."""

from __future__ import annotations

import pytest

from gestiq_app.config import Config, ConfigError
from gestiq_app.identity.permissions import permissions_of_role


def test_the_consumer_module_registers_the_einvoicing_tasks() -> None:
    from gestiq_app.jobs import huey

    registered = set(huey._registry._registry)
    assert {"gestiq_app.einvoicing.tasks.submit_document", "gestiq_app.einvoicing.tasks.dispatch_submissions"} <= registered
    assert "dispatch_submissions" in [task.name for task in huey._registry.periodic_tasks]


def test_production_refuses_to_skip_the_aeat_client_certificate() -> None:
    settings = {"GESTIQ_ENV": "production", "GESTIQ_SECRET_KEY": "x" * 40, "GESTIQ_ENCRYPTION_KEYS": "k",
                "GESTIQ_VERIFACTU_CLIENT_CERT": "0"}
    with pytest.raises(ConfigError, match="GESTIQ_VERIFACTU_CLIENT_CERT"):
        Config(settings).as_flask_config()


def test_only_the_owner_may_replace_the_signing_certificate() -> None:
    holders = [role for role in ("owner", "admin", "accountant", "sales", "viewer") if "einvoicing:admin" in permissions_of_role(role)]
    assert holders == ["owner"]
    assert "einvoicing:read" not in permissions_of_role("sales")


def test_the_embedded_default_sends_nothing_to_the_authorities(app) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app.config import SETTINGS
    from gestiq_app.einvoicing.settings import is_submission_enabled

    assert SETTINGS["GESTIQ_EINVOICE_SUBMIT"][0] == "0"
    with app.app_context():
        assert app.config["GESTIQ_EINVOICE_SUBMIT"] == "0" and is_submission_enabled() is False
