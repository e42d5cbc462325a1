"""Back-office (FAB) user accounts."""

from __future__ import annotations

from gestiq_app.extensions import appbuilder


class AdminAccountError(RuntimeError):
    """The admin account could not be created."""


def ensure_admin(*, email: str, password: str, name: str = "Administrador") -> bool:
    """Create a back-office Admin with that e-mail unless it exists; return whether it was created."""
    if len(password) < 10:
        raise AdminAccountError("La contraseña necesita al menos 10 caracteres")
    if "@" not in email:
        raise AdminAccountError(f"Correo no válido: {email}")
    security = appbuilder.sm
    if security.find_user(email=email) or security.find_user(username=email):
        return False
    security.create_db()
    role = security.find_role("Admin")
    first, _, last = name.partition(" ")
    user = security.add_user(username=email, first_name=first or "Admin", last_name=last or "-", email=email, role=role, password=password)
    if not user:
        raise AdminAccountError("FAB no pudo crear el usuario (¿correo o nombre repetidos?)")
    return True


def sync_permissions() -> None:
    """Create FAB roles and the permissions of every registered view (run once per deploy)."""
    appbuilder.sm.create_db()
    appbuilder.add_permissions(update_perms=True)
