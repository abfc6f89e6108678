"""Logging filters the settings attach: request ids on every line, quiet database outages."""

import logging

from . import context


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record logged while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        stats = context.current.get()
        if stats is not None and not hasattr(record, "request_id"):
            record.request_id = stats.request_id
        return True


class DatabaseUnavailableFilter(logging.Filter):
    """A database outage is an expected, handled condition: one warning line, no traceback, no mail."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.levelno >= logging.ERROR:
            # app-loading: logging is configured before the apps load; the breaker imports django.db.
            from .breaker import is_database_unavailable

            exc = record.exc_info[1]
            if is_database_unavailable(exc):
                record.levelno, record.levelname = logging.WARNING, "WARNING"
                record.msg = "database unavailable during %s: %s"
                record.args = (getattr(record, "request", None) and record.request.path, exc)
                record.exc_info = record.exc_text = None
        return True
