"""Read replicas against a real streaming replica: read-your-writes, lag skipping, and failover."""

import contextlib
import threading
import time
import uuid

import psycopg
import pytest
from django.db import connection, transaction

from prepnexus.db_router import ReplicaRouter, RequestState, _state
from tests.harness.client import Browser
from tests.harness.servers import Gunicorn, ThrowawayPostgres

PASSWORD = "a-long-unusual-passphrase-7"


# --- The routing rules, without servers ---


@contextlib.contextmanager
def in_request(**fields):
    token = _state.set(RequestState(**fields))
    try:
        yield _state.get()
    finally:
        _state.reset(token)


def test_router_reads_from_the_primary_outside_requests():
    assert ReplicaRouter().db_for_read(None) == "default"


def test_router_keeps_the_requests_replica_until_the_request_writes():
    router = ReplicaRouter()
    with in_request(replica="replica1"):
        assert router.db_for_read(None) == "replica1"
        assert router.db_for_write(None) == "default"
        assert router.db_for_read(None) == "default"


def test_router_reads_from_the_primary_when_pinned():
    with in_request(replica="replica1", primary_only=True):
        assert ReplicaRouter().db_for_read(None) == "default"


@pytest.mark.django_db(transaction=True)
def test_router_reads_from_the_primary_inside_atomic_blocks():
    router = ReplicaRouter()
    with in_request(replica="replica1"):
        with transaction.atomic():
            assert connection.in_atomic_block
            assert router.db_for_read(None) == "default"
        assert router.db_for_read(None) == "replica1"


def test_router_migrates_only_the_primary():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "practice")
    assert not router.allow_migrate("replica1", "practice")


# --- A real primary, a real streaming replica, the app under gunicorn ---


def _wait_replayed(primary_url: str, standby_url: str, timeout: float = 30) -> None:
    """Commit on the primary and wait until the standby has replayed it."""
    with psycopg.connect(primary_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS replica_probe (n int)")
        conn.execute("INSERT INTO replica_probe VALUES (1)")
        (lsn,) = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg.OperationalError), psycopg.connect(standby_url) as conn:
            (done,) = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
                " AND pg_last_xact_replay_timestamp() IS NOT NULL",
                [lsn],
            ).fetchone()
            if done:
                return
        time.sleep(0.2)
    raise TimeoutError("the standby did not replay the primary's commit")


def _user_id(url: str, email: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT id FROM practice_user WHERE email = %s", [email]).fetchone()[0]


def _rename(browser: Browser, name: str) -> None:
    status, body = browser.post(
        "/accounts/profile/", {"display_name": name, "target_score": "", "test_date": "", "time_zone": "UTC"}
    )
    assert status == 302, body[:500]


@pytest.fixture
def cluster():
    primary = ThrowawayPostgres(extra_conf={"max_connections": 60}).start()
    standby = None
    try:
        url = primary.create_database("prepnexus")
        env = {
            "DATABASE_URL": url,
            "CACHE_KEY_PREFIX": f"scale-replica-test-{uuid.uuid4().hex[:8]}",
            "DB_POOL_SIZE": "1",
            "DB_MAX_OVERFLOW": "3",
            "DJANGO_SETTINGS_MODULE": "tests.harness.settings",
        }
        Gunicorn(env).manage("migrate", "--noinput")
        # Every commit reaches the replica three seconds late: a read there right after a write is stale.
        standby = primary.standby(extra_conf={"recovery_min_apply_delay": "3s"}).start()
        _wait_replayed(url, standby.url("prepnexus"))
        yield primary, standby, env
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


@pytest.mark.servers
def test_writer_never_reads_stale_data_and_reads_fall_back_when_the_replica_dies(cluster):
    primary, standby, env = cluster
    replica_env = {
        **env,
        "DATABASE_REPLICA_URLS": standby.url("prepnexus"),
        "REPLICA_MAX_LAG_SECONDS": "300",
        "REPLICA_HEALTH_CHECK_SECONDS": "0.5",
        "REPLICA_PIN_SECONDS": "4",
    }
    app = Gunicorn(replica_env, workers=1, threads=4).start()
    try:
        writer = Browser(app.base_url)
        writer.signup("writer@example.org", PASSWORD, "Writer")
        user_id = _user_id(primary.url("prepnexus"), "writer@example.org")
        _wait_replayed(primary.url("prepnexus"), standby.url("prepnexus"))  # the account exists there too
        observer = Browser(app.base_url)  # someone else, never pinned to the primary
        path = f"/_test/profile-name/{user_id}/"

        writer_stale = observer_stale = observer_on_replica = 0
        for n in range(6):
            _rename(writer, f"name {n}")
            mine = writer.get_json(path)
            theirs = observer.get_json(path)
            writer_stale += mine["display_name"] != f"name {n}"
            observer_stale += theirs["display_name"] != f"name {n}"
            observer_on_replica += theirs["replica"]
            assert not mine["replica"], "a learner who just wrote must read from the primary"

        same_request = writer.post("/_test/rename-then-read/", {"display_name": "in one request"})
        print(
            f"writer stale reads: {writer_stale}/6; observer stale reads: {observer_stale}/6, "
            f"{observer_on_replica}/6 served by the replica"
        )
        assert writer_stale == 0
        assert same_request[0] == 200 and b'"display_name": "in one request"' in same_request[1]
        # The replica really served the observer and really lagged: the writer's 0 is the router's doing.
        assert observer_on_replica >= 5
        assert observer_stale >= 5

        # The pin lapses: once the replica has caught up, the writer's reads go back to it.
        time.sleep(4.5)
        _wait_replayed(primary.url("prepnexus"), standby.url("prepnexus"))
        time.sleep(0.6)  # past the health cache, so the replica is seen caught up
        again = writer.get_json(path)
        assert again["replica"] and again["display_name"] == "in one request"

        # Take the replica down while readers keep reading: every read still answers, from the primary.
        results: list[tuple[int, bool | None]] = []
        stop = threading.Event()

        def reader():
            browser = Browser(app.base_url)
            while not stop.is_set():
                status, body = browser.get(path)
                replica = None
                if status == 200:
                    replica = b'"replica": true' in body
                results.append((status, replica))

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        standby.stop("immediate")
        down_at = len(results)
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(30)
        failures = [status for status, _ in results if status != 200]
        after = results[down_at:]
        print(
            f"reads across the replica outage: {len(results)}, failures: {len(failures)}, "
            f"after the stop: {sum(1 for _, r in after if r is False)} from the primary"
        )
        assert failures == []
        assert after and all(replica is False for _, replica in after[-5:])
        # Writes and the writer's own reads carry on.
        _rename(writer, "after the outage")
        assert writer.get_json(path)["display_name"] == "after the outage"
    finally:
        app.stop()


@pytest.mark.servers
def test_a_replica_lagging_past_the_limit_is_skipped(cluster):
    primary, standby, env = cluster
    app = Gunicorn(
        {
            **env,
            "DATABASE_REPLICA_URLS": standby.url("prepnexus"),
            "REPLICA_MAX_LAG_SECONDS": "1",
            "REPLICA_HEALTH_CHECK_SECONDS": "0.2",
        },
        workers=1,
        threads=2,
    ).start()
    try:
        writer = Browser(app.base_url)
        writer.signup("lagged@example.org", PASSWORD, "Before")
        path = f"/_test/profile-name/{_user_id(primary.url('prepnexus'), 'lagged@example.org')}/"
        observer = Browser(app.base_url)
        _wait_replayed(primary.url("prepnexus"), standby.url("prepnexus"))
        time.sleep(0.3)
        assert observer.get_json(path)["replica"], "a replica within the limit serves reads"

        _rename(writer, "After")
        time.sleep(1.2)  # past the lag limit, before the three-second delay lets the replica catch up
        seen = observer.get_json(path)
        assert seen == {"display_name": "After", "alias": "default", "replica": False}
    finally:
        app.stop()
