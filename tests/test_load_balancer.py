"""Two app instances behind a real HAProxy running the repository's config: one stops, nothing is lost."""

import collections
import http.client
import os
import re
import shutil
import signal
import threading
import time
import urllib.parse
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


def _login(port: int, source: str, username: str, password: str, forwarded_for: str | None = None) -> int:
    """Log in through HAProxy from the loopback address `source`; return the POST's status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    try:
        conn.request("GET", "/accounts/login/")
        page = conn.getresponse()
        body = page.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", "")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        conn.request("POST", "/accounts/login/", body=urllib.parse.urlencode(form), headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.servers
def test_failed_logins_from_one_client_behind_haproxy_do_not_lock_out_another(transactional_db):
    """Client A (127.0.0.2) guesses a learner's password; the learner on client B (127.0.0.3) logs in."""
    if not shutil.which("haproxy"):
        pytest.skip("Debian's haproxy is not installed (scripts/dev.sh setup dev installs it as root)")
    from django.db import connection

    from conftest import _database_url
    from practice.tests.factories import PASSWORD, make_user

    learner = make_user()
    env = {
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DB_POOL_SIZE": "1",
        "DB_MAX_OVERFLOW": "1",
        "CACHE_KEY_PREFIX": f"lb-clientip-test-{uuid.uuid4().hex[:8]}",
        # As docker/compose.scale.yaml sets it: the load balancer's address (here it connects from
        # loopback), one proxy.
        "TRUSTED_PROXY_IPS": "127.0.0.1",
    }
    app = Gunicorn(env, workers=1, threads=2)
    lb = HAProxy({"a": app.port})
    try:
        app.start(ready_path="/health/ready")
        lb.start()
        lb.wait_all_up()
        # A also forges B's address in X-Forwarded-For: HAProxy appends the real one, which wins.
        statuses = [
            _login(lb.port, "127.0.0.2", learner.username, f"wrong-{n}", forwarded_for="127.0.0.3")
            for n in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]
        assert _login(lb.port, "127.0.0.2", learner.username, PASSWORD) == 429  # A is locked out
        assert _login(lb.port, "127.0.0.3", learner.username, PASSWORD) == 302  # B is not
    finally:
        lb.stop()
        app.stop()
