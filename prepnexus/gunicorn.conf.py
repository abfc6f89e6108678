"""Gunicorn settings for production and for the servers that tests and benchmarks start."""

import os

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
