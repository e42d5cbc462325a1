"""Back-office login with a mandatory second factor: password first, then a TOTP code (enrolment on first use)."""

from __future__ import annotations

from flask import flash, g, redirect, request, session
from flask_appbuilder import expose
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_login import login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from gestiq_app.admin.api_auth_services import prepare_second_factor, verify_second_factor
from gestiq_app.identity.exceptions import AuthenticationError

PENDING_KEY = "gestiq_pending_admin"


class SecondFactorForm(FlaskForm):
    """The code from the authenticator app (or a recovery code)."""

    code = StringField("Código de verificación", validators=[DataRequired(), Length(min=6, max=20)])


class TwoFactorAuthDBView(AuthDBView):
    """FAB's database login, completed only by a valid TOTP or recovery code."""

    second_factor_template = "admin/second_factor.html"

    @expose("/login/", methods=["GET", "POST"])
    def login(self) -> Response | str:
        """Check the password, then send the user to the second-factor step."""
        if g.user is not None and g.user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_index)
        form = LoginForm_db()
        if form.validate_on_submit():
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash("Usuario o contraseña incorrectos.", "warning")
                return redirect(self.appbuilder.get_url_for_login)
            version, enrollment = prepare_second_factor(user)
            session[PENDING_KEY] = {"user_id": user.id, "ver": version, "enrollment": enrollment,
                                    "next": get_safe_redirect(request.args.get("next", ""))}
            return redirect(self.appbuilder.get_url_for_login.rstrip("/") + "/second-factor")
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)

    @expose("/login/second-factor", methods=["GET", "POST"])
    def second_factor(self) -> Response | str:
        """Verify the code (enrolling TOTP on the first login) and open the session."""
        pending = session.get(PENDING_KEY)
        if not pending:
            return redirect(self.appbuilder.get_url_for_login)
        form = SecondFactorForm()
        recovery_codes: list[str] = []
        if form.validate_on_submit():
            try:
                recovery_codes = verify_second_factor(user_id=pending["user_id"], code=form.code.data, session_version=pending["ver"])
            except AuthenticationError as error:
                flash(error.message, "warning")
            else:
                session.pop(PENDING_KEY, None)
                login_user(self.appbuilder.sm.get_user_by_id(pending["user_id"]), remember=False)
                if recovery_codes:
                    flash("Guarde estos códigos de recuperación (solo se muestran ahora): " + " ".join(recovery_codes), "info")
                return redirect(pending.get("next") or self.appbuilder.get_url_for_index)
        return self.render_template(self.second_factor_template, form=form, enrollment=pending.get("enrollment"),
                                    appbuilder=self.appbuilder, title="Verificación en dos pasos")
