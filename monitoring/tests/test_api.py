import threading
import time

import psycopg
import pytest
from django.db import connection

from practice.tests.factories import make_user

TOKEN = "api-test-token-abcdefghijklmnop"  # only for these tests
ENDPOINTS = ["/api/monitoring/database/health", "/api/monitoring/performance", "/metrics"]


@pytest.fixture(autouse=True)
def _token(settings):
    settings.MONITORING_TOKEN = TOKEN


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_monitoring_endpoints_refuse_anonymous_and_wrong_tokens_with_json_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get(path, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401 and wrong.json() == {"error": "invalid token"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_monitoring_endpoints_refuse_signed_in_learners_with_403(client, path):
    client.force_login(make_user())
    response = client.get(path)
    assert response.status_code == 403
    assert response.json() == {"error": "staff only"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_monitoring_endpoints_admit_staff_sessions_and_the_bearer_token(client, path):
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    client.force_login(make_user(is_staff=True))
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_an_empty_monitoring_token_admits_no_bearer(client, settings):
    settings.MONITORING_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_database_health_reports_latency_version_pool_connections_size_and_no_replicas(client):
    response = client.get("/api/monitoring/database/health", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert 0 < body["latency_ms"] < 2000
    assert body["server_version"][:2].isdigit()
    assert set(body["pool"]) >= {"size", "idle", "waiting"}
    assert body["pool"]["size"] >= 1 and body["pool"]["waiting"] == 0
    assert 0 < body["connections"]["used"] <= body["connections"]["max"]
    assert body["database_size_bytes"] > 0
    tables = {row["table"] for row in body["largest_tables"]}
    assert "practice_user" in tables or len(tables) == 10
    assert 0 <= body["cache_hit_ratio"] <= 1
    assert body["replicas"] == []
    assert body["long_running_queries"] == []


@pytest.mark.django_db(transaction=True)
def test_database_health_lists_a_long_running_query(client, settings):
    settings.MONITORING_LONG_QUERY_SECONDS = 0.3
    params = connection.get_connection_params()
    dsn = {k: params[k] for k in ("dbname", "user", "host", "port") if params.get(k)}
    started = threading.Event()

    def sleeper():
        with psycopg.connect(**dsn, autocommit=True) as conn:
            started.set()
            conn.execute("SELECT pg_sleep(2)")

    thread = threading.Thread(target=sleeper)
    thread.start()
    started.wait(5)
    time.sleep(0.6)
    try:
        body = client.get("/api/monitoring/database/health", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    finally:
        thread.join(5)
    sleeping = [q for q in body["long_running_queries"] if "pg_sleep" in q["query"]]
    assert sleeping and sleeping[0]["seconds"] >= 0.3
