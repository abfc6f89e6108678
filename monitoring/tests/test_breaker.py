"""Which errors open the circuit breaker: real errors from a real PostgreSQL, not imitations."""

import psycopg
import pytest
from django.db import connection
from django.db import utils as db_utils
from psycopg_pool import ConnectionPool, PoolTimeout

from monitoring.breaker import CircuitBreaker, is_database_unavailable
from prepnexus.testing.servers import free_port


def _dsn():
    params = connection.get_connection_params()
    return {k: params[k] for k in ("dbname", "user", "host", "port") if params.get(k)}


def _raised(callable_):
    try:
        callable_()
    except Exception as exc:
        return exc
    raise AssertionError("nothing raised")


def test_a_refused_connection_counts_as_the_database_unavailable():
    exc = _raised(lambda: psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=2))
    assert is_database_unavailable(exc)


def test_a_pool_timeout_counts_as_the_database_unavailable():
    pool = ConnectionPool(f"host=127.0.0.1 port={free_port()} connect_timeout=2", open=False, timeout=0.2)
    pool.open(wait=False)
    try:
        exc = _raised(pool.getconn)
    finally:
        pool.close(timeout=0)
    assert isinstance(exc, PoolTimeout) and is_database_unavailable(exc)


@pytest.mark.django_db
def test_errors_in_one_query_do_not_open_the_breaker():
    with psycopg.connect(**_dsn(), autocommit=True) as conn:
        syntax = _raised(lambda: conn.execute("SELEC 1"))
        conn.execute("SET statement_timeout = 50")
        timeout = _raised(lambda: conn.execute("SELECT pg_sleep(1)"))
    assert isinstance(timeout, psycopg.errors.QueryCanceled)  # an OperationalError subclass
    assert not is_database_unavailable(syntax)
    assert not is_database_unavailable(timeout)
    assert not is_database_unavailable(ValueError("x"))


def test_django_wrapped_errors_are_judged_by_their_driver_cause():
    cause = _raised(lambda: psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=2))
    wrapped = db_utils.OperationalError(*cause.args)
    wrapped.__cause__ = cause
    assert is_database_unavailable(wrapped)


def test_breaker_lets_requests_through_while_closed_and_fails_fast_once_open(settings):
    settings.DB_BREAKER_WAIT = 0.05
    settings.DB_BREAKER_PROBE_INTERVAL = 30  # no probe during this test
    breaker = CircuitBreaker(alias="default")
    assert breaker.allow()
    breaker.state = "open"
    breaker.opened_at = 0.0  # opened long ago: no waiting at all
    assert not breaker.allow()
