"""Back-office job monitor (Admin and Support read it; only Admin retries)."""

from __future__ import annotations

import uuid

from flask import flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from werkzeug.wrappers import Response

from gestiq_app.admin.views_base import admin_actor
from gestiq_app.tenancy.exceptions import DomainError


class JobMonitorView(BaseView):
    """Pending, scheduled and failed background tasks, with a retry action for failures."""

    route_base = "/jobs"
    default_view = "list"
    base_permissions = ["can_list", "can_retry"]
    template = "admin/job_monitor.html"

    @expose("/")
    @has_access
    def list(self) -> str:
        """Show the queues and the failed runs."""
        from gestiq_app.ops.job_monitor import list_job_failures, list_pending_jobs, list_scheduled_jobs

        can_retry = self.appbuilder.sm.has_access("can_retry", self.class_permission_name)
        return self.render_template(self.template, pending=list_pending_jobs(), scheduled=list_scheduled_jobs(),
                                    failures=list_job_failures(), can_retry=can_retry)

    @expose("/retry/<string:failure_id>", methods=["POST"])
    @has_access
    def retry(self, failure_id: str) -> Response:
        """Enqueue a failed task again."""
        from gestiq_app.ops.job_monitor import retry_job_failure

        try:
            failure = retry_job_failure(failure_id=uuid.UUID(failure_id), actor=admin_actor())
        except ValueError:
            flash("Identificador no válido.", "danger")
        except DomainError as error:
            flash(error.message, "warning")
        else:
            flash(f"Tarea {failure.task_name} encolada de nuevo.", "success")
        return redirect(url_for(f"{self.endpoint}.list"))
