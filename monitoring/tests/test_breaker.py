"""Which errors open the circuit breaker: real errors from a real PostgreSQL, not imitations."""

import psycopg
import pytest
from django.db import connection
from django.db import utils as db_utils
from psycopg_pool import ConnectionPool, PoolTimeout

from monitoring.breaker import CircuitBreaker, is_database_unavailable
from tests.harness.servers import free_port


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


@pytest.fixture
def open_breaker(settings):
    from monitoring.breaker import breaker

    settings.DB_BREAKER_PROBE_INTERVAL = 30
    saved = (breaker.state, breaker.opened_at, breaker._probe_thread)
    breaker.state, breaker.opened_at = "open", 0.0  # opened long ago: answer at once
    breaker._probe_thread = None
    yield breaker
    breaker.state, breaker.opened_at, breaker._probe_thread = saved


def test_open_breaker_answers_pages_with_the_branded_503_and_json_with_json(client, open_breaker, caplog):
    page = client.get("/accounts/profile/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert b"Back shortly" in page.content and b"Traceback" not in page.content
    api = client.get("/api/monitoring/database/health")
    assert api.status_code == 503 and api.json()["error"] == "database unavailable"
    wants_json = client.get("/", HTTP_ACCEPT="application/json")
    assert wants_json.json()["status"] == "unavailable"
    assert client.get("/health/live").status_code == 200
    # Handled outages are not server errors: nothing at ERROR, so no admin mail either.
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_open_breaker_makes_readiness_unhealthy_without_touching_the_database(
    client, open_breaker, caplog, settings
):
    # No django_db mark: any database access here would raise.
    settings.MONITORING_TOKEN = "breaker-token-0123456789"
    response = client.get("/health/ready?format=json", HTTP_AUTHORIZATION="Bearer breaker-token-0123456789")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "unhealthy"
    assert (
        body["checks"]["database"]["ok"] is False
        and "circuit breaker open" in body["checks"]["database"]["error"]
    )
    assert body["checks"]["cache"]["ok"] is True
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_database_outage_errors_are_logged_as_one_warning_without_traceback():
    import logging

    from monitoring.logging import DatabaseUnavailableFilter

    cause = _raised(lambda: psycopg.connect(host="127.0.0.1", port=free_port(), connect_timeout=2))
    wrapped = db_utils.OperationalError(*cause.args)
    wrapped.__cause__ = cause
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x",),
        (type(wrapped), wrapped, None),
    )
    assert DatabaseUnavailableFilter().filter(record)
    assert record.levelname == "WARNING" and record.exc_info is None
    other = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "boom", (), (ValueError, ValueError("x"), None)
    )
    DatabaseUnavailableFilter().filter(other)
    assert other.levelname == "ERROR" and other.exc_info is not None
