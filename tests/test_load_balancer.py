"""Two app instances behind a real HAProxy running the repository's config: one stops, nothing is lost."""

import collections
import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from prepnexus.testing.servers import Gunicorn, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("/", "/accounts/login/", "/health/live")


def haproxy_config(lb_port: int, stats_port: int, servers: dict[str, int]) -> str:
    """docker/haproxy.cfg with local addresses in place of the container ones, and a served-by header."""
    config = (ROOT / "docker/haproxy.cfg").read_text()
    config = config.replace("bind :8080", f"bind 127.0.0.1:{lb_port}")
    config = config.replace("bind :8404", f"bind 127.0.0.1:{stats_port}")
    lines = "\n".join(f"    server {name} 127.0.0.1:{port}" for name, port in servers.items())
    config, count = re.subn(r"^\s*server-template .*$", lines, config, flags=re.M)
    assert count == 1
    served_by = "    http-response set-header X-Served-By %[srv_name]"
    config = config.replace("    balance leastconn", f"    balance leastconn\n{served_by}")
    # No Docker DNS here.
    return re.sub(r"^resolvers docker\n(?:    .*\n)+", "", config, flags=re.M)


class HAProxy:
    def __init__(self, config: str):
        self.tmp = tempfile.mkdtemp(prefix="prepnexus-haproxy-")
        self.cfg = Path(self.tmp, "haproxy.cfg")
        self.cfg.write_text(config)
        self.log = Path(self.tmp, "haproxy.log")
        self.proc = None

    def start(self, port: int) -> "HAProxy":
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [shutil.which("haproxy"), "-db", "-f", str(self.cfg)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(port)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _server_states(stats_port: int) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", stats_port, timeout=5)
    conn.request("GET", "/stats;csv")
    rows = conn.getresponse().read().decode().splitlines()
    conn.close()
    header = rows[0].lstrip("# ").split(",")
    states = {}
    for row in rows[1:]:
        fields = dict(zip(header, row.split(","), strict=False))
        if fields.get("pxname") == "web" and fields.get("svname") not in ("FRONTEND", "BACKEND"):
            states[fields["svname"]] = fields["status"]
    return states


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
        "CACHE_KEY_PREFIX": "scale-lb-test",
    }
    a = Gunicorn(env, workers=1, threads=3).start(ready_path="/health/ready")
    b = Gunicorn(env, workers=1, threads=3).start(ready_path="/health/ready")
    lb_port, stats_port = free_port(), free_port()
    lb = HAProxy(haproxy_config(lb_port, stats_port, {"a": a.port, "b": b.port})).start(lb_port)
    try:
        deadline = time.monotonic() + 15
        while _server_states(stats_port) != {"a": "UP", "b": "UP"}:
            assert time.monotonic() < deadline, _server_states(stats_port)
            time.sleep(0.2)

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
        states = _server_states(stats_port)
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
