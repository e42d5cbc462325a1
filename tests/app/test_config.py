"""Configuration: defaults, environment overrides, refusals."""

from __future__ import annotations

import pytest

from gestiq_app.config import DEFAULT_SECRET_KEY, SETTINGS, Config, ConfigError


def test_embedded_defaults_use_sqlite_in_the_instance_folder(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GESTIQ_INSTANCE_PATH", str(tmp_path))
    cfg = Config().as_flask_config()
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/gestiq.db"
    assert cfg["GESTIQ_MIGRATION_DATABASE_URL"] == cfg["GESTIQ_DATABASE_URL"]
    assert cfg["GESTIQ_HUEY_BACKEND"] == "sqlite"
    assert cfg["GESTIQ_ENV"] == "development"
    assert cfg["SESSION_COOKIE_DOMAIN"] is None


def test_environment_variables_override_defaults(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GESTIQ_DATABASE_URL", "postgresql+psycopg://app@db/gestiq")
    monkeypatch.setenv("GESTIQ_MIGRATION_DATABASE_URL", "postgresql+psycopg://owner@db/gestiq")
    monkeypatch.setenv("GESTIQ_COOKIE_DOMAIN", ".gestiqcloud.com")
    cfg = Config().as_flask_config()
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/gestiq"
    assert cfg["GESTIQ_MIGRATION_DATABASE_URL"] == "postgresql+psycopg://owner@db/gestiq"
    assert cfg["SESSION_COOKIE_DOMAIN"] == ".gestiqcloud.com"


def test_overrides_win_over_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GESTIQ_HUEY_BACKEND", "sqlite")
    assert Config({"GESTIQ_HUEY_BACKEND": "immediate"}).as_flask_config()["GESTIQ_HUEY_BACKEND"] == "immediate"


def test_production_refuses_the_default_secret_key(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GESTIQ_ENV", "production")
    monkeypatch.setenv("GESTIQ_SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(ConfigError, match="GESTIQ_SECRET_KEY"):
        Config().as_flask_config()


def test_production_with_a_real_secret_sets_secure_cookies(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GESTIQ_ENCRYPTION_KEYS", "uM0j5xY6r3mXb1v0ZK4dRk5W8b2gq9YQ3m3cJ1pZ2oE=")
    monkeypatch.setenv("GESTIQ_ENV", "production")
    monkeypatch.setenv("GESTIQ_SECRET_KEY", "a-real-secret-value-0123456789")
    assert Config().as_flask_config()["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(("backend", "redis_url", "message"), [("kafka", "", "sqlite, redis or immediate"), ("redis", "", "GESTIQ_REDIS_URL")])
def test_bad_job_backend_settings_are_refused(backend: str, redis_url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config({"GESTIQ_HUEY_BACKEND": backend, "GESTIQ_REDIS_URL": redis_url}).as_flask_config()


def test_create_app_refuses_production_with_default_secret(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gestiq_app import create_app

    with pytest.raises(ConfigError):
        create_app({"GESTIQ_ENV": "production", "GESTIQ_SECRET_KEY": DEFAULT_SECRET_KEY})
