"""Gunicorn settings for production and for the servers that tests and benchmarks start."""

import glob
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The app logs one structured line per request itself; gunicorn's access log would duplicate it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
wsgi_app = "prepnexus.wsgi:application"
# Gunicorn's control socket is shared per host, so two servers on one machine would fight over it.
# Operators who want `gunicornc` set GUNICORN_CONTROL_SOCKET=on.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "off").lower() not in ("1", "on", "true")

# --- Monitoring: prometheus-client multiprocess mode, so /metrics sums every worker. ---
# Workers write their series to files in PROMETHEUS_MULTIPROC_DIR; it must exist before they import
# prometheus_client, and must start empty (stale files from an earlier run would be added in).
# Unset, a private temporary directory is created here and removed when gunicorn exits.
_created_multiproc_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _created_multiproc_dir = tempfile.mkdtemp(prefix="prepnexus-prometheus-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _created_multiproc_dir


def on_starting(server):
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(path, exist_ok=True)
    for stale in glob.glob(os.path.join(path, "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    # Imported here, after PROMETHEUS_MULTIPROC_DIR is set above: prometheus_client reads it on import.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _created_multiproc_dir:
        shutil.rmtree(_created_multiproc_dir, ignore_errors=True)
