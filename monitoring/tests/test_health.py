import json
import time

import pytest

from monitoring import views
from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis


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
