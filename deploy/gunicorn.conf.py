"""gunicorn settings for the GestiQCloud web process (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`).

Every value can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, …). Run
`scripts/migrate` once before starting (it also syncs back-office permissions): web workers start with
GESTIQ_FAB_UPDATE_PERMS=0 so several workers never race on FAB's permission tables.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(multiprocessing.cpu_count() * 2 + 1, 9))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app writes JSON logs to stderr (with request ids); gunicorn's access log would duplicate them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the proxy in front (the app's GESTIQ_TRUSTED_PROXIES does the rest).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = ["GESTIQ_FAB_UPDATE_PERMS=0"]


def on_starting(server):  # type: ignore[no-untyped-def]
    """Make sure the Prometheus multiprocess folder exists (shared with the Huey consumers of this host).

    It is not emptied here: the consumers write to it too. Counters of exited processes stay in the
    sum, which is what a counter should do; systemd's RuntimeDirectory empties it at boot.
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """Tell prometheus-client a worker is gone so its live gauges stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
