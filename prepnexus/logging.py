"""Structured logging: one JSON object per line, ready for any log shipper."""

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value if isinstance(value, (int, float, bool, type(None))) else str(value)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def logging_config(*, level: str, sql_debug: bool) -> dict:
    """The LOGGING setting: JSON lines on stdout, with the filters monitoring adds."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "prepnexus.logging.JsonFormatter"}},
        "filters": {
            "request_id": {"()": "monitoring.logging.RequestIdFilter"},
            "database_unavailable": {"()": "monitoring.logging.DatabaseUnavailableFilter"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"handlers": ["stdout"], "level": level, "propagate": False},
            "django.db.backends": {
                "handlers": ["stdout"],
                "level": "DEBUG" if sql_debug else "INFO",
                "propagate": False,
            },
            # Health probes fail loudly in their own JSON; they must not mail admins or spam logs.
            "health_check": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
            # Axes logs a banner at every start (also in one-off commands whose stdout is parsed); keep its
            # per-attempt warnings, drop the banner.
            "axes.apps": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
            # A request that failed because the database is down: one warning line, no traceback.
            "django.request": {
                "handlers": ["stdout"],
                "level": level,
                "propagate": False,
                "filters": ["database_unavailable"],
            },
            # psycopg's pool logs every failed reconnect attempt; the breaker already reports the outage once.
            "psycopg.pool": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        },
    }
