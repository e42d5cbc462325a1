"""Tenant branding of printed documents: logo (stored file), accent colour, footer and legal text.

Kept in the sales module's settings (`tenant_modules.settings["branding"]`, no table of its own); the logo
file lives in the tenant's storage under `branding/logo.<png|jpg>`.
"""

from __future__ import annotations

import base64
import io
import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from gestiq_app import storage
from gestiq_app.audit.services import record_event
from gestiq_app.db import session, unit_of_work
from gestiq_app.tenancy.exceptions import InvalidError, NotFoundError
from gestiq_app.tenancy.models import TenantModule

DEFAULT_COLOR = "#1F4E79"
COLOR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 2000
LOGO_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}


class BrandingInvalidError(InvalidError):
    """The branding or the logo is not acceptable (colour, size, file type)."""


class BrandingNotFoundError(NotFoundError):
    """The tenant has no sales module to hold its branding."""


@dataclass(frozen=True)
class Branding:
    """What the templates print from the tenant's branding."""

    color: str = DEFAULT_COLOR
    footer: str = ""
    legal_text: str = ""
    logo_key: str | None = None
    logo_content_type: str | None = None

    @property
    def has_logo(self) -> bool:
        """Tell whether a logo was uploaded."""
        return self.logo_key is not None

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        return asdict(self)


def _from_settings(settings: dict[str, Any] | None) -> Branding:
    stored = (settings or {}).get("branding") or {}
    return Branding(
        color=str(stored.get("color") or DEFAULT_COLOR),
        footer=str(stored.get("footer") or ""),
        legal_text=str(stored.get("legal_text") or ""),
        logo_key=stored.get("logo_key"),
        logo_content_type=stored.get("logo_content_type"),
    )


def get_branding(*, tenant_id: uuid.UUID) -> Branding:
    """Return the tenant's branding (defaults when none was set)."""
    settings = session().scalar(select(TenantModule.settings).where(TenantModule.module == "sales"))
    return _from_settings(settings)


def _lock_sales_module() -> TenantModule:
    module = session().scalar(select(TenantModule).where(TenantModule.module == "sales").with_for_update())
    if module is None:
        raise BrandingNotFoundError("La empresa no tiene el módulo de ventas")
    return module


def _store(module: TenantModule, branding: Branding) -> None:
    # A new dict: SQLAlchemy's JSON column only notices reassignment.
    module.settings = {**(module.settings or {}), "branding": branding.as_dict()}


def update_branding(*, tenant_id: uuid.UUID, data: dict[str, Any], actor: str) -> Branding:
    """Change colour, footer and legal text (fields not sent are kept)."""
    color = data.get("color")
    if color is not None and not COLOR_PATTERN.match(color):
        raise BrandingInvalidError("Color no válido", errors={"color": ["Use el formato #RRGGBB."]})
    with unit_of_work():
        module = _lock_sales_module()
        current = _from_settings(module.settings)
        branding = Branding(
            color=(color or current.color).upper(),
            footer=data.get("footer", current.footer) or "",
            legal_text=data.get("legal_text", current.legal_text) or "",
            logo_key=current.logo_key, logo_content_type=current.logo_content_type,
        )
        _store(module, branding)
        record_event(actor=actor, action="branding.updated", entity="tenant", entity_id=tenant_id,
                     changes={key: [getattr(current, key), getattr(branding, key)] for key in ("color", "footer", "legal_text")
                              if getattr(current, key) != getattr(branding, key)})
    return branding


def check_logo(data: bytes) -> tuple[str, str]:
    """Return (extension, content type) of an acceptable logo, or raise BrandingInvalidError."""
    if not data:
        raise BrandingInvalidError("Logo vacío", errors={"file": ["Adjunte una imagen PNG o JPEG."]})
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingInvalidError("Logo demasiado grande", errors={"file": [f"Máximo {MAX_LOGO_BYTES // 1024} KB."]})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise BrandingInvalidError("Imagen no válida", errors={"file": ["El archivo no es una imagen PNG o JPEG válida."]}) from error
    if image_format not in LOGO_FORMATS:
        raise BrandingInvalidError("Formato no admitido", errors={"file": ["Solo PNG o JPEG."]})
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise BrandingInvalidError("Imagen demasiado grande", errors={"file": [f"Máximo {MAX_LOGO_PIXELS}×{MAX_LOGO_PIXELS} píxeles."]})
    return LOGO_FORMATS[image_format]


def upload_logo(*, tenant_id: uuid.UUID, data: bytes, actor: str) -> Branding:
    """Check and store the logo (replacing the previous one) and point the branding at it."""
    extension, content_type = check_logo(data)
    key = f"branding/logo.{extension}"
    with unit_of_work():
        module = _lock_sales_module()
        current = _from_settings(module.settings)
        storage.put_bytes(tenant_id, key, data)
        if current.logo_key and current.logo_key != key:
            storage.delete(tenant_id, current.logo_key)
        branding = Branding(color=current.color, footer=current.footer, legal_text=current.legal_text,
                            logo_key=key, logo_content_type=content_type)
        _store(module, branding)
        record_event(actor=actor, action="branding.logo_uploaded", entity="tenant", entity_id=tenant_id,
                     changes={"logo_key": [current.logo_key, key], "size": [None, len(data)]})
    return branding


def logo_data_uri(*, tenant_id: uuid.UUID, branding: Branding) -> str | None:
    """Return the stored logo as a data URI for the templates, or None."""
    if not branding.logo_key:
        return None
    try:
        data = storage.read_bytes(tenant_id, branding.logo_key)
    except FileNotFoundError:
        return None
    return f"data:{branding.logo_content_type or 'image/png'};base64," + base64.b64encode(data).decode("ascii")
