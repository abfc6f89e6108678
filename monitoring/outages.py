"""The circuit breaker's outages, kept in Redis until an alert reports them.

While the breaker is open PostgreSQL is unreachable, so no alert can be queued there. Each process's
breaker writes when it opened and when it closed to one Redis hash (field `<host>:<pid>:<opened at>`);
the periodic alert check, which runs once the database answers again, reads the finished outages, mails
one alert about them and then forgets them. An outage whose end was never written (its process exited
while the database was down) is reported as unfinished after STALE_SECONDS. Writes are best effort: with
Redis down too, the outage goes unrecorded and the breaker is not slowed by it.
"""

import json
import logging
import os
import socket
from dataclasses import dataclass

from django.core.cache import caches
from django_redis import get_redis_connection

logger = logging.getLogger("prepnexus.breaker")

STALE_SECONDS = 600
_KEEP_SECONDS = 30 * 24 * 3600  # nobody ran the check for a month: drop the record


def _key() -> str:
    return caches["default"].make_key("monitoring:breaker:outages")


def _process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Outage:
    field: str
    process: str
    opened_at: float  # Unix time
    closed_at: float | None  # None: its process never reported the end
    error: str


def outage_opened(*, opened_at: float, error: str) -> None:
    """This process's breaker opened (does nothing if the end was already written)."""
    record = {"opened_at": opened_at, "closed_at": None, "error": error, "process": _process()}
    try:
        client = get_redis_connection("default")
        client.hsetnx(_key(), f"{_process()}:{opened_at:.6f}", json.dumps(record))
        client.expire(_key(), _KEEP_SECONDS)
    except Exception as exc:  # Redis down as well: the outage goes unreported, nothing else suffers
        logger.warning("breaker outage not recorded: %s", exc.__class__.__name__)


def outage_closed(*, opened_at: float, closed_at: float, error: str) -> None:
    """This process's breaker closed again: the outage is complete and ready to report."""
    record = {"opened_at": opened_at, "closed_at": closed_at, "error": error, "process": _process()}
    try:
        client = get_redis_connection("default")
        client.hset(_key(), f"{_process()}:{opened_at:.6f}", json.dumps(record))
        client.expire(_key(), _KEEP_SECONDS)
    except Exception as exc:  # as above
        logger.warning("breaker outage not recorded: %s", exc.__class__.__name__)


def outages_pending(*, now: float) -> list[Outage]:
    """The outages to report: every finished one, and those open for STALE_SECONDS without an end."""
    raw = get_redis_connection("default").hgetall(_key())
    found = []
    for field, value in raw.items():
        try:
            record = json.loads(value)
            outage = Outage(
                field=field.decode(),
                process=str(record["process"]),
                opened_at=float(record["opened_at"]),
                closed_at=None if record["closed_at"] is None else float(record["closed_at"]),
                error=str(record.get("error", "")),
            )
        except (ValueError, KeyError, TypeError):
            get_redis_connection("default").hdel(_key(), field)  # not ours to read: drop it
            continue
        if outage.closed_at is not None or now - outage.opened_at >= STALE_SECONDS:
            found.append(outage)
    return sorted(found, key=lambda outage: outage.opened_at)


def outages_forget(outages: list[Outage]) -> None:
    """Reported: remove them (an outage of a process still down is written again when it ends)."""
    if outages:
        get_redis_connection("default").hdel(_key(), *[outage.field for outage in outages])
