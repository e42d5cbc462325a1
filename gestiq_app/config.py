"""Application settings: embedded defaults, overridden by GESTIQ_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from datetime import timedelta
from typing import Any

DEFAULT_SECRET_KEY = "dev-insecure-change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Every GESTIQ_* setting: name -> (default, description). The README table is generated from this.
SETTINGS: dict[str, tuple[str, str]] = {
    "GESTIQ_ENV": ("development", "development, test or production"),
    "GESTIQ_SECRET_KEY": (DEFAULT_SECRET_KEY, "Signing key for sessions and tokens; must be set in production"),
    "GESTIQ_INSTANCE_PATH": (str(PROJECT_ROOT / "instance"), "Folder for the SQLite database, Huey file and stored files"),
    "GESTIQ_DATABASE_URL": ("", "Runtime database URL (default: SQLite file in the instance folder)"),
    "GESTIQ_MIGRATION_DATABASE_URL": ("", "Owner-role database URL used by migrations (default: GESTIQ_DATABASE_URL)"),
    "GESTIQ_REDIS_URL": ("", "Redis URL (Huey on redis, rate limits); empty = not used"),
    "GESTIQ_HUEY_BACKEND": ("sqlite", "Job storage: sqlite, redis or immediate (inline, for tests)"),
    "GESTIQ_COOKIE_DOMAIN": ("", "Cookie Domain attribute (e.g. .gestiqcloud.com); empty = host-only"),
    "GESTIQ_LOG_LEVEL": ("INFO", "Log level of the JSON logs"),
    "GESTIQ_EDGE_MIDDLEWARE": ("1", "1 = apply edge/policy.json in-process (embedded default); 0 behind the Worker"),
    "GESTIQ_TRUSTED_PROXIES": ("0", "Number of proxies whose X-Forwarded-* headers are trusted"),
    "GESTIQ_FAB_UPDATE_PERMS": ("1", "Sync FAB permissions at start (set 0 in multi-worker web processes)"),
    "GESTIQ_ENCRYPTION_KEYS": ("", "Comma-separated Fernet keys for secrets at rest, newest first; required in production"),
    "GESTIQ_ACCESS_TOKEN_MINUTES": ("15", "Lifetime of access tokens (minutes)"),
    "GESTIQ_REFRESH_TOKEN_DAYS": ("30", "Idle lifetime of refresh tokens (days); each refresh slides it"),
    "GESTIQ_REFRESH_FAMILY_DAYS": ("90", "Absolute lifetime of a refresh-token family (days): then log in again"),
    "GESTIQ_RATELIMIT_LOGIN_IP": ("10/minute", "Login, refresh and password-reset attempts per IP"),
    "GESTIQ_RATELIMIT_LOGIN_ACCOUNT": ("5/minute", "Login and password-reset attempts per account"),
    "GESTIQ_RATELIMIT_TELEMETRY": ("30/minute", "Client telemetry reports per IP"),
    "GESTIQ_SMTP_URL": ("", "smtp://user:pass@host:587 (STARTTLS) or smtps://…; empty = mail stays in the outbox"),
    "GESTIQ_MAIL_FROM": ("GestiQCloud <no-reply@gestiqcloud.local>", "From address of outgoing mail"),
    "GESTIQ_PUBLIC_URL": ("http://127.0.0.1:5000", "Base URL used in links sent by e-mail"),
    "GESTIQ_METRICS_ALLOWED_NETWORKS": ("127.0.0.0/8,::1/128", "Comma-separated networks that may read /metrics without a token"),
    "GESTIQ_METRICS_TOKEN": ("", "Bearer token that also opens /metrics (empty = networks only)"),
    "GESTIQ_WEBHOOKS_ALLOW_PRIVATE": ("0", "1 = webhooks may target private, loopback or reserved addresses (tests, on-premise)"),
    "GESTIQ_WEBHOOKS_TIMEOUT_SECONDS": ("10", "Timeout of one webhook delivery attempt (connect and read), in seconds"),
    "GESTIQ_WEBHOOKS_MAX_ATTEMPTS": ("10", "Attempts per webhook delivery before it is marked failed"),
    "GESTIQ_WEBHOOKS_RETRY_BASE_SECONDS": ("30", "First retry delay of a webhook; doubles per attempt (0 = retry at once)"),
    "GESTIQ_SRI_RECEPTION_URL": (
        "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/RecepcionComprobantesOffline?wsdl",
        "SRI reception web service, ambiente 1 (pruebas); the client posts to it without ?wsdl",
    ),
    "GESTIQ_SRI_AUTHORIZATION_URL": (
        "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/AutorizacionComprobantesOffline?wsdl",
        "SRI authorization web service, ambiente 1 (pruebas)",
    ),
    "GESTIQ_SRI_PRODUCTION_RECEPTION_URL": (
        "https://cel.sri.gob.ec/comprobantes-electronicos-ws/RecepcionComprobantesOffline?wsdl",
        "SRI reception web service, ambiente 2 (producción)",
    ),
    "GESTIQ_SRI_PRODUCTION_AUTHORIZATION_URL": (
        "https://cel.sri.gob.ec/comprobantes-electronicos-ws/AutorizacionComprobantesOffline?wsdl",
        "SRI authorization web service, ambiente 2 (producción)",
    ),
    "GESTIQ_SRI_SCHEMA_DIR": ("", "Folder with the SRI XSDs (factura_V2.1.0.xsd…); empty = XML not validated before sending (logged)"),
    "GESTIQ_VERIFACTU_URL": (
        "https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
        "AEAT VERI*FACTU submission endpoint (default: the AEAT test host)",
    ),
    "GESTIQ_VERIFACTU_CLIENT_CERT": ("1", "1 = present the tenant's certificate (mutual TLS) to the AEAT; 0 only for a local plain-HTTP fake"),
    "GESTIQ_VERIFACTU_PRODUCER_NIF": ("", "NIF of the software producer in SistemaInformatico; required in production"),
    "GESTIQ_VERIFACTU_PRODUCER_NAME": ("GestiQCloud", "Name of the software producer in SistemaInformatico"),
    "GESTIQ_EINVOICE_SUBMIT": ("0", "1 = send queued e-invoices to the SRI / AEAT; 0 (embedded default) keeps them pending, nothing leaves"),
    "GESTIQ_EINVOICE_TIMEOUT_SECONDS": ("30", "Read timeout of SRI and AEAT calls (connect timeout: 10 s at most)"),
    "GESTIQ_EINVOICE_MAX_ATTEMPTS": ("5", "Attempts per e-invoice submission before it is marked failed"),
    "GESTIQ_PURCHASE_ATTACHMENT_MAX_BYTES": ("10485760", "Largest original (PDF, JPEG, PNG or WebP) attached to a purchase document, in bytes"),
    "GESTIQ_EINVOICE_RETRY_BASE_SECONDS": ("120", "First retry delay of a submission; doubled on each attempt (capped at 6 h)"),
    "GESTIQ_STRIPE_API_BASE": ("https://api.stripe.com", "Stripe API base URL (tests point it at a local fake)"),
    "GESTIQ_PAYPHONE_API_BASE": ("https://pay.payphonetodoesposible.com", "Payphone API base URL"),
    "GESTIQ_KUSHKI_API_BASE": ("https://api.kushkipagos.com", "Kushki API base URL (sandbox: https://api-uat.kushkipagos.com)"),
    "GESTIQ_PAYMENTS_TIMEOUT_SECONDS": ("15", "Read timeout of payment provider calls (connect timeout: 5 s at most)"),
    "GESTIQ_PDF_RENDER_ON_ISSUE": ("1", "1 = a Huey task renders and stores each invoice's PDF after it is issued; 0 = only on demand"),
    "GESTIQ_VERIFACTU_QR_URL": (
        "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR",
        "Base URL of the VERI*FACTU cotejo QR printed on Spanish invoices (production: https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR)",
    ),
    "GESTIQ_IMPORTS_ENABLED": ("0", "1 = start an in-process job runner with the app (embedded default without a separate consumer), once the import tables exist"),
    "GESTIQ_IMPORTS_MAX_UPLOAD_MB": ("50", "Largest import file accepted (CSV, XLSX, JSON), in MB; larger uploads get 413"),
    "GESTIQ_IMPORTS_CHUNK_SIZE": ("1000", "Items per transaction when validating and promoting an import batch"),
    "GESTIQ_IMPORTS_OCR_MIN_CONFIDENCE": ("0.8", "Documents imports: a field read with less confidence (0..1) sends the document to review (needs_review)"),
    "GESTIQ_IMPORTS_OCR_TIMEOUT_SECONDS": ("60", "Documents imports: seconds each pdftotext, pdftoppm or tesseract run may take before it is stopped"),
}


def env_setting(name: str) -> str:
    """Return a GESTIQ_* setting from the environment or its embedded default."""
    return os.environ.get(name, SETTINGS[name][0])


def sqlite_url(instance_path: str) -> str:
    """Return the embedded SQLite URL inside the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'gestiq.db'}"


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent."""


class Config:
    """One configuration object: embedded defaults, env vars, then explicit overrides."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        values: dict[str, Any] = {name: env_setting(name) for name in SETTINGS}
        values.update({k: v for k, v in (overrides or {}).items() if k.startswith("GESTIQ_")})
        self.gestiq = values
        self.extra = {k: v for k, v in (overrides or {}).items() if not k.startswith("GESTIQ_")}

    def as_flask_config(self) -> dict[str, Any]:
        """Return the Flask config mapping built from the GESTIQ_* settings."""
        v = self.gestiq
        env = v["GESTIQ_ENV"]
        if env == "production" and v["GESTIQ_SECRET_KEY"] == DEFAULT_SECRET_KEY:
            raise ConfigError("GESTIQ_SECRET_KEY must be set to a secret value when GESTIQ_ENV=production")
        if env == "production" and not v["GESTIQ_ENCRYPTION_KEYS"]:
            raise ConfigError("GESTIQ_ENCRYPTION_KEYS must be set when GESTIQ_ENV=production")
        if env == "production" and v["GESTIQ_VERIFACTU_CLIENT_CERT"] in {"0", "false", "False"}:
            raise ConfigError("GESTIQ_VERIFACTU_CLIENT_CERT=0 is only for a local fake: the AEAT requires the certificate")
        if v["GESTIQ_HUEY_BACKEND"] not in {"sqlite", "redis", "immediate"}:
            raise ConfigError("GESTIQ_HUEY_BACKEND must be sqlite, redis or immediate")
        if v["GESTIQ_HUEY_BACKEND"] == "redis" and not v["GESTIQ_REDIS_URL"]:
            raise ConfigError("GESTIQ_HUEY_BACKEND=redis needs GESTIQ_REDIS_URL")
        instance = str(Path(v["GESTIQ_INSTANCE_PATH"]).resolve())
        database_url = v["GESTIQ_DATABASE_URL"] or sqlite_url(instance)
        migration_url = v["GESTIQ_MIGRATION_DATABASE_URL"] or database_url
        is_production = env == "production"
        cfg: dict[str, Any] = {
            **{k: v[k] for k in SETTINGS},
            "GESTIQ_INSTANCE_PATH": instance,
            "GESTIQ_DATABASE_URL": database_url,
            "GESTIQ_MIGRATION_DATABASE_URL": migration_url,
            "SECRET_KEY": v["GESTIQ_SECRET_KEY"],
            "TESTING": env == "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
            "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,
            # Flask-AppBuilder (back office at /admin/)
            "APP_NAME": "GestiQCloud · Back office",
            "AUTH_TYPE": 1,  # AUTH_DB
            "AUTH_ROLE_ADMIN": "Admin",
            "AUTH_ROLE_PUBLIC": "Public",
            "AUTH_USER_REGISTRATION": False,
            "BABEL_DEFAULT_LOCALE": "es",
            "LANGUAGES": {"es": {"flag": "es", "name": "Español"}, "en": {"flag": "gb", "name": "English"}},
            "FAB_ADD_MENU_API": False,
            "FAB_ADD_SECURITY_API": False,
            "FAB_ADD_OPENAPI_VIEWS": False,
            "FAB_API_SWAGGER_UI": False,
            "FAB_UPDATE_PERMS": v["GESTIQ_FAB_UPDATE_PERMS"] not in {"0", "false", "False"},
            "FAB_SECURITY_MANAGER_CLASS": "gestiq_app.admin.security.GestiqSecurityManager",
            "FAB_ROLES": BACK_OFFICE_ROLES,
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": is_production,
            "SESSION_COOKIE_DOMAIN": v["GESTIQ_COOKIE_DOMAIN"] or None,
            # Flask-Limiter (FAB's instance): Redis storage when configured, memory otherwise.
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_HEADERS_ENABLED": True,
            "RATELIMIT_STORAGE_URI": v["GESTIQ_REDIS_URL"] or "memory://",
            "RATELIMIT_KEY_PREFIX": "gestiq-rl",
            # flask-jwt-extended (FAB's JWTManager): we set the cookies ourselves, per cookie.
            "JWT_SECRET_KEY": v["GESTIQ_SECRET_KEY"],
            "JWT_TOKEN_LOCATION": ["cookies"],
            "JWT_COOKIE_CSRF_PROTECT": True,
            "JWT_CSRF_IN_COOKIES": True,
            "JWT_ACCESS_CSRF_HEADER_NAME": "X-CSRF-TOKEN",
            "JWT_REFRESH_CSRF_HEADER_NAME": "X-CSRF-TOKEN",
            "JWT_ACCESS_COOKIE_NAME": "access_token",
            "JWT_REFRESH_COOKIE_NAME": "refresh_token",
            "JWT_ACCESS_CSRF_COOKIE_NAME": "csrf_access_token",
            "JWT_REFRESH_CSRF_COOKIE_NAME": "csrf_refresh_token",
            "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=int(v["GESTIQ_ACCESS_TOKEN_MINUTES"])),
            "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=int(v["GESTIQ_REFRESH_TOKEN_DAYS"])),
            "JWT_COOKIE_SECURE": is_production,
        }
        cfg.update(self.extra)
        return cfg


def engine_options(database_url: str) -> dict[str, Any]:
    """Return SQLAlchemy engine options suited to the database kind."""
    if database_url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {"pool_pre_ping": True}


#: Back-office roles besides Admin (FAB_ROLES: role -> [[view regex, permission regex]]).
BACK_OFFICE_ROLES: dict[str, list[list[str]]] = {
    "Support": [
        [".*", "can_list"],
        [".*", "can_show"],
        [".*", "menu_access"],
        [".*", "can_get"],
        [".*", "can_info"],
        ["ResetMyPasswordView", "can_this_form_get"],
        ["ResetMyPasswordView", "can_this_form_post"],
        ["UserInfoEditView", "can_this_form_get"],
        ["UserDBModelView", "can_userinfo"],
    ],
    "Billing": [
        ["TenantBillingView", "can_list"],
        ["TenantBillingView", "can_show"],
        ["TenantBillingView", "can_edit"],
        ["PlanView", "can_list"],
        ["PlanView", "can_show"],
        ["Facturación de empresas", "menu_access"],
        ["Planes", "menu_access"],
        ["Plataforma", "menu_access"],
        ["UserDBModelView", "can_userinfo"],
        ["ResetMyPasswordView", "can_this_form_get"],
        ["ResetMyPasswordView", "can_this_form_post"],
    ],
}
