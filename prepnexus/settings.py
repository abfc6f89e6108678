"""PrepNexus settings. Every value comes from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

from prepnexus import csp_settings
from prepnexus.alert_settings import alert_recipients, alert_thresholds
from prepnexus.clientip import trusted_proxies
from prepnexus.databases import replica_databases, use_pgbouncer
from prepnexus.logging import logging_config
from prepnexus.ratelimit_settings import rate_limits

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is a convenience for development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_development_secret_key = "django-insecure-development-only-key-never-used-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or (_development_secret_key if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it in the environment (make run generates one)."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The site's canonical address: links in emails (password reset) use it, never the request's Host.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "prepnexus.apps.PrepnexusAdminConfig",  # django.contrib.admin with the site of prepnexus/admin_site.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "practice",
    "blog",
    "monitoring",
    "prepnexus.apps.PrepnexusConfig",  # system checks (prepnexus/checks.py), the staff-action log admin
    "axes",  # login throttling
    "csp",  # Content-Security-Policy
    "django.contrib.sitemaps",  # the blog's sitemap.xml
    "django_tasks",  # background jobs: Django 6's tasks framework, backported
    "django_tasks_db",  # ... kept in PostgreSQL, run by `manage.py run_worker`
]

# Requests pass down this list and responses back up it. The replica middleware, when there are read
# replicas, is added below in "Optional parts", right after the first entry.
MIDDLEWARE = [
    # Outermost: gives every request its id and times, logs and counts it (static files and the
    # refusals of the middleware below included).
    "monitoring.middleware.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, so the middleware below never sees them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP and Permissions-Policy on every response the app renders; then a 413 for an oversize body before
    # anything reads it, and a 400 for any NUL character before a view or the database sees it.
    "csp.middleware.CSPMiddleware",
    "prepnexus.middleware.PermissionsPolicyMiddleware",
    "prepnexus.middleware.RequestBodyLimitMiddleware",
    "prepnexus.middleware.RejectNulMiddleware",
    # Just before the first middleware that may touch the database (sessions): during an outage the
    # branded 503 still carries the headers of the middleware above.
    "monitoring.middleware.DatabaseCircuitBreakerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Needs request.user; below it on the way out, so it marks every page the views and the middleware
    # below produce (axes' lockout page too) private, no-store for signed-in users.
    "prepnexus.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes asks to be last: it turns a lockout flagged during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prepnexus.urls"
WSGI_APPLICATION = "prepnexus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Reviews and flashcards due, for the navigation (one query per page, only when rendered).
                "practice.context_processors.learning",
            ],
        },
    },
]

# --- Database: PostgreSQL only, through Django's native psycopg 3 pool. ---
DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=2)
DB_MAX_OVERFLOW = env.int("DB_MAX_OVERFLOW", default=4)
DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=2.0)
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=2)

_default_db = env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/prepnexus")
if _default_db["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL; no other database is supported.")
_default_db.update(
    {
        # Django's PostgreSQL backend, except that its pool connects through
        # monitoring.db.MonitoredConnection: failed connection attempts reach the circuit breaker at once
        # (nobody waits out DB_POOL_TIMEOUT), and after a restart all dead idle connections are dropped
        # together.
        "ENGINE": "monitoring.backend",
        "CONN_MAX_AGE": 0,  # the pool owns connection lifetime
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # libpq options of the URL (?sslmode=verify-full&sslrootcert=...) are kept.
            **_default_db.get("OPTIONS", {}),
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "application_name": env.str("DB_APPLICATION_NAME", default="prepnexus"),
            "pool": {
                "min_size": DB_POOL_SIZE,
                "max_size": DB_POOL_SIZE + DB_MAX_OVERFLOW,
                "timeout": DB_POOL_TIMEOUT,
            },
        },
    }
)
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis. An outage is logged and treated as a miss, never a 500. ---
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="prepnexus"),
        "OPTIONS": {
            "CLIENT_CLASS": "monitoring.cache.CountingClient",  # django-redis's, counting hits and misses
            "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "prepnexus.cache"

# cached_db: reads come from Redis, but the database keeps every session, so a Redis restart
# logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ---
AUTH_USER_MODEL = "practice.User"
# django-axes' gate first: a locked-out client is refused before any password is checked.
AUTHENTICATION_BACKENDS = ["prepnexus.auth.AxesBackend", "practice.backends.EmailOrUsernameBackend"]
LOGIN_URL = "login"
# After logging in, learners land on their dashboard.
LOGIN_REDIRECT_URL = "practice:dashboard"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email: console in development, anything EMAIL_URL names in production. ---
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PrepNexus <no-reply@prepnexus.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_VERIFY_MAX_AGE_HOURS = env.int("EMAIL_VERIFY_MAX_AGE_HOURS", default=48)  # a verification link's life

# --- Internationalisation ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: whitenoise serves compressed, manifest-hashed files. ---
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Transport security. Behind TLS (production) set DJANGO_HTTPS=on. ---
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False) else None
)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
# Silenced on purpose, with the reason next to it. Each entry must say why (a test checks).
# W021: joining the browsers' HSTS preload list binds the whole domain and its subdomains to HTTPS for
# months, and cannot be undone quickly. That is the domain owner's decision, so it is opt-in via
# DJANGO_HSTS_PRELOAD=on, and the check stays quiet until then. HSTS itself is still sent.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie (forms carry the token), so scripts are not allowed to.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Over HTTPS, the __Host- prefix pins each cookie to this exact host, HTTPS only, at path /.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
# A login lasts a school day, 12 h from logging in (no session write per page): one login in the morning,
# and a session left on a shared school computer is gone by the next morning.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)

# --- Logging: one JSON object per line on stdout. ---
SQL_DEBUG = env.bool("SQL_DEBUG", default=False)
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = logging_config(level=LOG_LEVEL, sql_debug=SQL_DEBUG)

# --- Gunicorn (read by prepnexus/gunicorn.conf.py) ---
GUNICORN_WORKERS = env.int("GUNICORN_WORKERS", default=2)
GUNICORN_THREADS = env.int("GUNICORN_THREADS", default=4)

# The admin's path; move it off the default to cut drive-by scans.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

# --- Operations: legacy import and backups ---
# The first hasher hashes new and upgraded passwords: Argon2id at OWASP's minimum (docs/security.md). The
# rest only verify (Django's, less its Argon2 that ours replaces; then the legacy apps'), and Django
# re-hashes with the first at the next login.
PASSWORD_HASHERS = [
    "prepnexus.hashers.Argon2idPasswordHasher",
    *(h for h in global_settings.PASSWORD_HASHERS if h != "django.contrib.auth.hashers.Argon2PasswordHasher"),
    "practice.legacy.hashers.LegacyBCryptHasher",
    "practice.legacy.hashers.LegacyWerkzeugHasher",
]

# `manage.py backup`: where dumps go and how many of the newest to keep (0 keeps all).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default="") or BASE_DIR / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=7)
# Directory holding pg_dump/pg_restore; empty picks /usr/lib/postgresql/<server major>/bin, then PATH.
PG_BINDIR = env.str("PG_BINDIR", default="")

# --- Scale-out: read replicas, PgBouncer mode, connection budget (see README "Scaling") ---
# DATABASE_POOLER=pgbouncer: PgBouncer in transaction mode sits between the app and PostgreSQL. It owns
# pooling, so the app keeps no pool of its own, opens no server-side cursors (a cursor would outlive the
# transaction that PgBouncer gives it) and sets no session state.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="").lower()
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")
DB_CONN_MAX_AGE = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES |= replica_databases(env.list("DATABASE_REPLICA_URLS", default=[]), primary=_default_db)
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
if DATABASE_POOLER == "pgbouncer":
    use_pgbouncer(DATABASES, conn_max_age=DB_CONN_MAX_AGE)
# Seconds a learner's reads stay on the primary after a request of theirs wrote (signed cookie).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# A replica further behind the primary than this is skipped until it catches up.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
# Each process re-checks a replica's health (reachable, lag) at most this often.
REPLICA_HEALTH_CHECK_SECONDS = env.float("REPLICA_HEALTH_CHECK_SECONDS", default=2.0)
# Connect and statement timeout of that health check.
REPLICA_HEALTH_CHECK_TIMEOUT = env.float("REPLICA_HEALTH_CHECK_TIMEOUT", default=1.0)
REPLICA_PIN_COOKIE = "prepnexus_primary"
# The connection budget check (prepnexus/checks.py): how many app instances (hosts or containers, each
# running GUNICORN_WORKERS processes) share one database server, and how many connections they may hold.
APP_INSTANCES = env.int("APP_INSTANCES", default=1)
DB_CONNECTION_BUDGET = env.int("DB_CONNECTION_BUDGET", default=90)

# --- Security hardening (login throttling, CSP, rate limits, headers) ---
# The real client address (prepnexus/clientip.py): X-Forwarded-For is read only from a peer in
# TRUSTED_PROXY_IPS (CIDRs), over at most TRUSTED_PROXY_COUNT proxies. Empty: the header is ignored.
TRUSTED_PROXY_IPS, TRUSTED_PROXY_COUNT = trusted_proxies(
    env.list("TRUSTED_PROXY_IPS", default=[]), env.int("TRUSTED_PROXY_COUNT", default=None)
)
TRUSTED_PROXY_HEADER = "HTTP_" + env.str("TRUSTED_PROXY_HEADER", default="X-Forwarded-For").upper().replace(
    "-", "_"
)

# Login throttling: after AXES_FAILURE_LIMIT wrong passwords for one account from one client address,
# that pair is refused for the cool-off, which each further failure restarts. Never permanent.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
if AXES_FAILURE_LIMIT < 1 or not AXES_COOLOFF_TIME.total_seconds() > 0:
    # A zero cool-off would mean "locked until staff unlock": a permanent lockout, which anyone who
    # knows a learner's username could inflict.
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be >= 1 and AXES_COOLOFF_MINUTES > 0.")
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_USERNAME_CALLABLE = "prepnexus.auth.login_identifier"
AXES_CLIENT_IP_CALLABLE = "prepnexus.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "prepnexus.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]

# Content-Security-Policy and Permissions-Policy: see prepnexus/csp_settings.py.
CONTENT_SECURITY_POLICY = csp_settings.content_security_policy(https=HTTPS)
PERMISSIONS_POLICY = csp_settings.PERMISSIONS_POLICY

# Uploaded files larger than this are dropped while they arrive, before reaching memory or disk
# (prepnexus/uploads.py); views set their own, lower limits (flashcard CSV: 2 MB).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# A whole request body (every file and field together) over this is a 413 before it is read
# (prepnexus/middleware.py; docker/haproxy.cfg repeats it). Few files per form; fields other than files.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=6 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("UPLOAD_MAX_FILES", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default (2.5 MiB), stated here beside the others
FILE_UPLOAD_HANDLERS = [
    "prepnexus.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Rate limits, "count/seconds" per client address (answers: per learner). See prepnexus/ratelimit.py.
RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)

RATELIMITS = rate_limits(env)

# --- Full-length test ---
# Multiplies every module's time and the break (1 in production). The browser tests shorten a test with
# it; 0 < scale <= 1.
FULL_TEST_TIME_SCALE = env.float("FULL_TEST_TIME_SCALE", default=1.0)
if not 0 < FULL_TEST_TIME_SCALE <= 1:
    raise ImproperlyConfigured("FULL_TEST_TIME_SCALE must be above 0 and at most 1.")

# --- Background jobs (docs/tasks.md): queued in PostgreSQL, in the transaction that queues them ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "learning", "mail"]}}
# A failed job (or a dead worker's) reruns after TASK_RETRY_SECONDS * 2^(n - 1), to TASK_MAX_ATTEMPTS runs.
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=5)
TASK_RETRY_SECONDS = env.float("TASK_RETRY_SECONDS", default=15)
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=5)  # "I am alive", this often
WORKER_DEAD_SECONDS = env.float("WORKER_DEAD_SECONDS", default=30)  # unseen this long: dead, its job rerun
REMINDER_LOCAL_HOUR = env.int("REMINDER_LOCAL_HOUR", default=17)  # learners' reminders, in their own zone
if not 0 <= REMINDER_LOCAL_HOUR <= 23:
    raise ImproperlyConfigured("REMINDER_LOCAL_HOUR must be an hour from 0 to 23.")

# --- Monitoring ---
# Staff sessions or `Authorization: Bearer <MONITORING_TOKEN>` reach /api/monitoring/* and /metrics;
# empty disables the token (staff sessions only).
MONITORING_TOKEN = env.str("MONITORING_TOKEN", default="")
# Requests slower than this (milliseconds) get an extra WARNING line in the log.
SLOW_REQUEST_MS = env.float("SLOW_REQUEST_MS", default=1000)
# Queries running longer than this (seconds) are listed as long-running by the database reports.
MONITORING_LONG_QUERY_SECONDS = env.float("MONITORING_LONG_QUERY_SECONDS", default=5)
# Circuit breaker in front of PostgreSQL (see monitoring/breaker.py): for DB_BREAKER_GRACE seconds after
# the database is lost a request may wait up to DB_BREAKER_WAIT seconds for it (a fast restart); then the
# 503 comes at once. Also how often the half-open probe tries to connect, and the 503's Retry-After.
DB_BREAKER_WAIT = env.float("DB_BREAKER_WAIT", default=0.6)
DB_BREAKER_GRACE = env.float("DB_BREAKER_GRACE", default=2.0)
DB_BREAKER_PROBE_INTERVAL = env.float("DB_BREAKER_PROBE_INTERVAL", default=0.1)
DB_BREAKER_RETRY_AFTER = env.int("DB_BREAKER_RETRY_AFTER", default=5)
# Operator alerts (prepnexus/alert_settings.py, docs/monitoring.md#alerts): recipients, rate, thresholds.
ADMINS, ALERT_EMAILS, ALERT_RATE_MINUTES = alert_recipients(env)
ALERT_DB_CONNECTIONS_RATIO, BACKUP_MAX_AGE_HOURS = alert_thresholds(env)

# --- Blog ---
# Anonymous blog pages, feeds and the sitemap are kept whole in Redis (see blog/cache.py).
BLOG_CACHE_ENABLED = env.bool("BLOG_CACHE_ENABLED", default=True)
# Longest a cached blog page lives; writes invalidate at once and scheduled posts cap it anyway.
BLOG_CACHE_TIMEOUT = env.int("BLOG_CACHE_TIMEOUT", default=3600)

# --- Optional parts, switched by the environment ---
# With read replicas (DATABASE_REPLICA_URLS), the router sends reads to a healthy replica and its
# middleware scopes that to the request: right inside the request observation and outside every
# middleware that may write (sessions, auth, axes), so it sees those writes too.
DATABASE_ROUTERS = []
if DATABASE_REPLICAS:
    DATABASE_ROUTERS.append("prepnexus.db_router.ReplicaRouter")
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"),
        "prepnexus.db_router.ReplicaMiddleware",
    )
