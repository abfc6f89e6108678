import json
import time

import pytest

from monitoring import views
from monitoring.health import TimedDatabase
from practice.tests.factories import make_user
from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis

TOKEN = "health-detail-token-0123456789"  # only for these tests


@pytest.fixture(autouse=True)
def _no_shared_results(monkeypatch):
    monkeypatch.setattr(views, "_shared", views._SharedResults())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/health/", "/health/ready"])
def test_health_is_200_json_when_everything_answers(client, path):
    response = client.get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "cache"}
    assert client.get(path + "?format=json").json()["status"] == "ok"
    html = client.get(path)
    assert html["Content-Type"].startswith("text/html")
    assert b"Health:" in html.content
    assert "no-cache" in response["Cache-Control"]


def test_live_does_no_io(client):
    # No django_db mark: any database access here raises.
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.fixture
def failing_database(monkeypatch, settings):
    """The database check fails with psycopg's message, which names the server and the user."""
    from health_check.exceptions import ServiceUnavailable

    settings.MONITORING_TOKEN = TOKEN
    message = 'connection to server at "10.9.8.7", port 6543 failed: FATAL: role "pn_owner" does not exist'

    def fail(self):
        raise ServiceUnavailable(message)

    monkeypatch.setattr(TimedDatabase, "run", fail)
    return message


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_health_shows_anonymous_callers_the_status_but_not_the_database_error(client, failing_database, fmt):
    response = client.get("/health/" + ("" if fmt == "html" else f"?format={fmt}"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "unhealthy" in body
    for secret in ("10.9.8.7", "6543", "pn_owner"):
        assert secret not in body
    if fmt == "json":
        assert response.json()["checks"]["database"] == {"ok": False, "critical": True}


@pytest.mark.django_db(transaction=True)
def test_health_shows_token_holders_and_staff_the_database_error(client, failing_database):
    by_token = client.get("/health/?format=json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert by_token.json()["checks"]["database"]["error"].endswith(failing_database)
    wrong_token = client.get("/health/?format=json", HTTP_AUTHORIZATION="Bearer nope")
    assert "error" not in wrong_token.json()["checks"]["database"]

    client.force_login(make_user())
    assert "error" not in client.get("/health/?format=json").json()["checks"]["database"]
    client.force_login(make_user(is_staff=True))
    assert client.get("/health/?format=json").json()["checks"]["database"]["error"].endswith(failing_database)
    assert "6543" in client.get("/health/?format=text").content.decode()


@pytest.fixture
def hermetic_app():
    """The app under gunicorn against its own PostgreSQL and Redis, which the test may stop."""
    postgres = ThrowawayPostgres().start()
    redis = ThrowawayRedis().start()
    app = Gunicorn(
        {
            "DATABASE_URL": postgres.create_database("prepnexus"),
            "REDIS_URL": redis.url,
            "DB_POOL_TIMEOUT": "1",
            "DB_CONNECT_TIMEOUT": "1",
            "MONITORING_TOKEN": TOKEN,
        },
        workers=1,
        threads=4,
    )
    try:
        app.manage("migrate", "--noinput")
        app.start()
        yield app, postgres, redis
    finally:
        app.stop()
        redis.destroy()
        postgres.destroy()


def _status(app, path="/health/ready"):
    status, headers, body, seconds = app.get(path + "?format=json")
    return status, headers, json.loads(body), seconds


@pytest.mark.servers
def test_ready_answers_503_with_retry_after_when_postgres_is_down_and_recovers(hermetic_app):
    app, postgres, _ = hermetic_app
    assert _status(app)[0] == 200
    postgres.stop()
    time.sleep(1.1)  # let the shared 1 s result expire
    status, headers, body, seconds = _status(app)
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert body["status"] == "unhealthy" and body["checks"]["database"]["ok"] is False
    assert seconds < 3.5, f"unhealthy answer took {seconds:.2f}s"
    assert app.get("/health/live")[0] == 200
    postgres.start()
    deadline = time.monotonic() + 10
    while _status(app)[0] != 200:
        assert time.monotonic() < deadline, "health did not recover after PostgreSQL came back"
        time.sleep(0.25)


@pytest.mark.servers
def test_health_during_a_real_outage_hides_the_connection_details_from_the_public(hermetic_app):
    app, postgres, _ = hermetic_app
    postgres.stop()
    time.sleep(1.1)
    for path in ("/health/?format=json", "/health/?format=text", "/health/"):
        status, _, body, _ = app.get(path)
        assert status == 503
        assert b"unhealthy" in body
        assert b"127.0.0.1" not in body and str(postgres.port).encode() not in body, body[:500]
    status, _, body, _ = app.get("/health/?format=json", headers={"Authorization": f"Bearer {TOKEN}"})
    detail = json.loads(body)["checks"]["database"]["error"]
    assert status == 503 and detail and str(postgres.port) in detail


@pytest.mark.servers
def test_redis_outage_is_degraded_not_unready(hermetic_app):
    app, _, redis = hermetic_app
    redis.stop()
    time.sleep(1.1)
    status, _, body, _ = _status(app)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert app.get("/")[0] == 200


def test_no_logger_on_the_request_path_mails_admins():
    import logging

    from django.utils.log import AdminEmailHandler

    for name in ("django.request", "health_check", "prepnexus.request", "prepnexus.breaker"):
        logger = logging.getLogger(name)
        chain = [logger]
        while chain[-1].propagate and chain[-1].parent is not None:
            chain.append(chain[-1].parent)
        handlers = [handler for item in chain for handler in item.handlers]
        assert not any(isinstance(handler, AdminEmailHandler) for handler in handlers), name


@pytest.mark.django_db(transaction=True)
def test_an_unhealthy_answer_is_not_logged_as_a_server_error(client, caplog, settings):
    from monitoring.breaker import breaker

    settings.DB_BREAKER_PROBE_INTERVAL = 30
    saved = (breaker.state, breaker.opened_at, breaker._probe_thread)
    breaker.state, breaker.opened_at, breaker._probe_thread = "open", 0.0, None
    try:
        response = client.get("/health/ready")
    finally:
        breaker.state, breaker.opened_at, breaker._probe_thread = saved
    assert response.status_code == 503
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.name == "django.request"]
