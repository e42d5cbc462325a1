"""Marshmallow schemas of identity: auth requests, users, integration tokens (separate input and output)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

import gestiq_app.validation  # noqa: F401 - Spanish messages
from gestiq_app.identity.models import TENANT_ROLES
from gestiq_app.identity.permissions import ALL_PERMISSIONS

PASSWORD = validate.Length(min=10, max=200, error="La contraseña necesita entre 10 y 200 caracteres.")


class LoginSchema(Schema):
    """Tenant login."""

    tenant = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class AdminLoginSchema(Schema):
    """Back-office login."""

    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class SecondFactorSchema(Schema):
    """A TOTP code (6 digits) or a recovery code."""

    code = fields.String(required=True, validate=validate.Length(min=6, max=20))


class TenantInfoSchema(Schema):
    """The caller's tenant."""

    id = fields.UUID(dump_only=True)
    slug = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    country = fields.String(dump_only=True)
    locale = fields.String(dump_only=True)
    currency = fields.String(dump_only=True)
    timezone = fields.String(dump_only=True)
    require_two_factor = fields.Boolean(dump_only=True)
    modules = fields.List(fields.String(), dump_only=True)


class MeSchema(Schema):
    """The authenticated tenant user."""

    id = fields.UUID(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    is_totp_enabled = fields.Boolean(dump_only=True)
    permissions = fields.List(fields.String(), dump_only=True)
    tenant = fields.Nested(TenantInfoSchema, dump_only=True)


class LoginResponseSchema(Schema):
    """Login answer: the user, or a second-factor challenge (with enrolment data on first use)."""

    user = fields.Nested(MeSchema, allow_none=True)
    second_factor_required = fields.Boolean()
    enrollment_required = fields.Boolean()
    totp_secret = fields.String(allow_none=True)
    otpauth_uri = fields.String(allow_none=True)
    recovery_codes = fields.List(fields.String())


class AdminUserSchema(Schema):
    """An authenticated back-office user."""

    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    roles = fields.List(fields.String(), dump_only=True)


class AdminLoginResponseSchema(Schema):
    """Back-office login answer."""

    user = fields.Nested(AdminUserSchema, allow_none=True)
    second_factor_required = fields.Boolean()
    enrollment_required = fields.Boolean()
    totp_secret = fields.String(allow_none=True)
    otpauth_uri = fields.String(allow_none=True)
    recovery_codes = fields.List(fields.String())


class PasswordResetRequestSchema(Schema):
    """Ask for a password-reset e-mail."""

    tenant = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class PasswordResetConfirmSchema(Schema):
    """Set a new password with a reset token."""

    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class PasswordChangeSchema(Schema):
    """Change one's own password."""

    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class InvitationAcceptSchema(Schema):
    """Accept an invitation."""

    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class InvitationCreateSchema(Schema):
    """Invite a user by e-mail."""

    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf([r for r in TENANT_ROLES if r != "owner"]))


class TenantUserSchema(Schema):
    """A user of the tenant as listed to owners and admins."""

    id = fields.UUID(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    is_totp_enabled = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ApiTokenCreateSchema(Schema):
    """Create an integration token."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    permissions = fields.List(fields.String(validate=validate.OneOf(sorted(ALL_PERMISSIONS))), required=True,
                              validate=validate.Length(min=1, max=len(ALL_PERMISSIONS)))


class ApiTokenSchema(Schema):
    """An integration token (the secret only in the creation response)."""

    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    prefix = fields.String(dump_only=True)
    permissions = fields.List(fields.String(), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)
    token = fields.String(dump_only=True)


class SecuritySettingsSchema(Schema):
    """Tenant-wide security settings (owner)."""

    require_two_factor = fields.Boolean(required=True)


class TelemetrySchema(Schema):
    """A client-side error or slow interaction report (no personal data)."""

    kind = fields.String(required=True, validate=validate.OneOf(["error", "unhandledrejection", "slow"]))
    message = fields.String(required=True, validate=validate.Length(max=2000))
    request_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{8,128}$"))
    path = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    user_agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    duration_ms = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=3_600_000))


class TotpEnrollmentSchema(Schema):
    """A TOTP secret to add to an authenticator app."""

    totp_secret = fields.String(dump_only=True)
    otpauth_uri = fields.String(dump_only=True)


class RecoveryCodesSchema(Schema):
    """Recovery codes, shown once."""

    recovery_codes = fields.List(fields.String(), dump_only=True)
