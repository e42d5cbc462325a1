"""Back-office (FAB user) authentication for the API: password + mandatory TOTP, rotating refresh tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_jwt_extended import create_access_token
from sqlalchemy import select

from gestiq_app.audit.services import record_event
from gestiq_app.crypto import decrypt, encrypt, sha256_hex
from gestiq_app.db import session, unit_of_work
from gestiq_app.extensions import appbuilder
from gestiq_app.identity import two_factor
from gestiq_app.identity.exceptions import AuthenticationError, SecondFactorError
from gestiq_app.identity.models import AdminSecondFactor
from gestiq_app.identity.sessions import ADMIN, MFA, IssuedTokens, issue_tokens, revoke_all_families
from gestiq_app.tenancy.models import PLATFORM_TENANT_ID

BAD_CREDENTIALS = "Correo o contraseña incorrectos."


def _second_factor(user_id: int, *, lock: bool = False) -> AdminSecondFactor | None:
    statement = select(AdminSecondFactor).where(AdminSecondFactor.user_id == user_id)
    return session().scalar(statement.with_for_update() if lock else statement)


def admin_claims(user: Any) -> dict[str, Any]:
    """Return the claims of a back-office user's tokens."""
    factor = _second_factor(user.id)
    return {"ver": factor.session_version if factor else 1, "roles": [role.name for role in user.roles]}


def prepare_second_factor(user: Any) -> tuple[int, dict[str, str] | None]:
    """Make sure the user has a TOTP secret; return (session version, enrolment data when not yet enrolled)."""
    enrollment = None
    with unit_of_work():
        factor = _second_factor(user.id, lock=True)
        if factor is None or not factor.is_enabled:
            secret = two_factor.new_secret()
            if factor is None:
                factor = AdminSecondFactor(user_id=user.id, totp_secret_encrypted=encrypt(secret), is_enabled=False,
                                           totp_last_counter=0, recovery_code_hashes=[], session_version=1)
                session().add(factor)
            else:
                factor.totp_secret_encrypted = encrypt(secret)
            enrollment = {"totp_secret": secret, "otpauth_uri": two_factor.provisioning_uri(secret, account=user.email)}
        version = factor.session_version
    return version, enrollment


def login_password(*, email: str, password: str) -> tuple[Any, str, dict[str, str] | None]:
    """Check a back-office password; return (user, short-lived MFA token, enrollment data when TOTP is not set up)."""
    user = appbuilder.sm.auth_user_db(email.strip(), password)
    if user is None:
        session().rollback()
        raise AuthenticationError(BAD_CREDENTIALS)
    version, enrollment = prepare_second_factor(user)
    token = create_access_token(identity=str(user.id), additional_claims={"kind": MFA, "adm": True, "ver": version},
                                expires_delta=timedelta(minutes=5))
    return user, token, enrollment


def verify_second_factor(*, user_id: int, code: str, session_version: int | None) -> list[str]:
    """Accept a TOTP or recovery code (enrolling on first success); return new recovery codes when enrolling."""
    recovery_codes: list[str] = []
    with unit_of_work() as current:
        factor = _second_factor(user_id, lock=True)
        user = appbuilder.sm.get_user_by_id(user_id)
        if factor is None or user is None or not user.is_active or factor.session_version != session_version:
            raise AuthenticationError(BAD_CREDENTIALS)
        counter = two_factor.accepted_counter(decrypt(factor.totp_secret_encrypted), code, last_counter=factor.totp_last_counter)
        if counter is not None:
            factor.totp_last_counter = counter
            if not factor.is_enabled:
                factor.is_enabled = True
                recovery_codes = two_factor.new_recovery_codes()
                factor.recovery_code_hashes = [sha256_hex(two_factor.normalize_recovery_code(c)) for c in recovery_codes]
        else:
            digest = sha256_hex(two_factor.normalize_recovery_code(code))
            if not factor.is_enabled or digest not in factor.recovery_code_hashes:
                record_event(actor=f"admin:{user.email}", action="auth.second_factor_failed", entity="admin_user",
                             entity_id=user.id, tenant_id=PLATFORM_TENANT_ID)
                current.commit()
                raise SecondFactorError("Código de verificación incorrecto o ya utilizado.")
            factor.recovery_code_hashes = [h for h in factor.recovery_code_hashes if h != digest]
        record_event(actor=f"admin:{user.email}", action="auth.admin_login", entity="admin_user", entity_id=user.id,
                     tenant_id=PLATFORM_TENANT_ID)
    return recovery_codes


def issue_admin_tokens(*, user_id: int) -> IssuedTokens:
    """Create the access/refresh pair of a back-office user."""
    with unit_of_work():
        user = appbuilder.sm.get_user_by_id(user_id)
        return issue_tokens(kind=ADMIN, subject=str(user.id), claims=admin_claims(user), tenant_id=None)


def get_active_admin(*, user_id: int, session_version: int | None) -> Any:
    """Return the token's back-office user if it is active and the session was not ended."""
    user = appbuilder.sm.get_user_by_id(user_id)
    factor = _second_factor(user_id)
    current_version = factor.session_version if factor else 1
    if user is None or not user.is_active or (session_version is not None and current_version != session_version):
        raise AuthenticationError("La sesión ya no es válida. Inicia sesión de nuevo.")
    return user


def logout_admin(*, user_id: int) -> None:
    """End every session of a back-office user."""
    with unit_of_work():
        factor = _second_factor(user_id, lock=True)
        if factor is not None:
            factor.session_version += 1
        revoke_all_families(kind=ADMIN, user_id=user_id)


def describe_admin(user: Any) -> dict[str, Any]:
    """Return the `user` object of /admin/auth/me."""
    return {"id": user.id, "email": user.email, "name": f"{user.first_name} {user.last_name}".strip(),
            "roles": sorted(role.name for role in user.roles)}
