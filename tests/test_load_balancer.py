"""Two app instances behind a real HAProxy running the repository's config: one stops, nothing is lost."""

import collections
import http.client
import os
import shutil
import signal
import threading
import time
import uuid

import pytest

from tests.harness.servers import Gunicorn, HAProxy

PATHS = ("/", "/accounts/login/", "/health/live")


@pytest.mark.servers
def test_stopping_an_instance_under_load_loses_no_requests(transactional_db):
    if not shutil.which("haproxy"):
        pytest.skip("Debian's haproxy is not installed (scripts/dev.sh setup dev installs it as root)")
    from django.db import connection

    from conftest import _database_url

    env = {
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DB_POOL_SIZE": "1",
        "DB_MAX_OVERFLOW": "2",
        "CACHE_KEY_PREFIX": f"scale-lb-test-{uuid.uuid4().hex[:8]}",
    }
    a = Gunicorn(env, workers=1, threads=3)
    b = Gunicorn(env, workers=1, threads=3)
    lb = HAProxy({"a": a.port, "b": b.port})
    lb_port = lb.port
    try:
        a.start(ready_path="/health/ready")
        b.start(ready_path="/health/ready")
        lb.start()
        lb.wait_all_up()

        served = collections.Counter()
        served_after = collections.Counter()
        failures: list[str] = []
        stopped_at: list[float] = []
        stop = threading.Event()

        def client(n: int):
            conn = http.client.HTTPConnection("127.0.0.1", lb_port, timeout=15)
            i = n
            while not stop.is_set():
                path = PATHS[i % len(PATHS)]
                i += 1
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{path}: {exc!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", lb_port, timeout=15)
                    continue
                server = response.getheader("X-Served-By", "?")
                served[server] += 1
                if stopped_at and time.monotonic() > stopped_at[0] + 0.5:
                    served_after[server] += 1
                if response.status != 200:
                    failures.append(f"{path}: {response.status} from {server}")
            conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        # Stop it as an operator or orchestrator does (SIGTERM): it finishes what it is serving and
        # refuses new connections, which HAProxy retries on the other instance. (A SIGKILL can cut a
        # response that is already streaming to the client; no balancer can replay that.)
        os.killpg(a.proc.pid, signal.SIGTERM)
        stopped_at.append(time.monotonic())
        a.proc.wait(15)
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(30)
        total = sum(served.values())
        states = lb.server_states()
        print(
            f"\nrequests through HAProxy: {total}, failures: {len(failures)}, served: {dict(served)}, "
            f"after the stop: {dict(served_after)}, haproxy sees: {states}"
        )
        assert failures == [], failures[:10]
        assert served["a"] > 0 and served["b"] > 0, "both instances served before the stop"
        assert set(served_after) == {"b"}
        assert states["a"] == "DOWN"
    finally:
        lb.stop()
        a.stop()
        b.stop()
