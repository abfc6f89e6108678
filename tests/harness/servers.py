"""Throwaway servers for tests and benchmarks: their own PostgreSQL, Redis and gunicorn.

Tests that need a service to fail start one of these and stop it; they never touch the shared servers.
"""

import contextlib
import glob
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _die_with_parent() -> None:
    """Runs in the child before exec: if the test process dies (killed run), the server dies too."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A free TCP port below the ephemeral range (32768+), so the kernel never hands it out meanwhile."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _pg_bindir() -> str:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if dirs:
        return dirs[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return str(Path(initdb).resolve().parent)
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class ThrowawayPostgres:
    """A private PostgreSQL cluster in a temp directory, on its own port."""

    def __init__(self, port: int | None = None, extra_conf: dict | None = None, initdb: bool = True):
        self.port = port or free_port()
        self.bindir = _pg_bindir()
        self.tmp = tempfile.mkdtemp(prefix="prepnexus-pg-")
        self.data = os.path.join(self.tmp, "data")
        self.extra_conf = extra_conf or {}
        os.chmod(self.tmp, 0o755)  # noqa: S103  the postgres user must reach its data dir
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres", "postgres")
        if initdb:
            self._run(
                [f"{self.bindir}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            )

    def standby(self, port: int | None = None, extra_conf: dict | None = None) -> "ThrowawayPostgres":
        """A streaming replica of this running cluster (pg_basebackup -R), not yet started.

        initdb's trust rules already admit replication connections from 127.0.0.1, and PostgreSQL's
        defaults (wal_level=replica, max_wal_senders=10, hot_standby=on) are what streaming needs.
        """
        # A standby refuses to start with max_connections (and friends) below the primary's.
        replica = ThrowawayPostgres(
            port=port, extra_conf={**self.extra_conf, **(extra_conf or {})}, initdb=False
        )
        replica._run(
            [
                f"{self.bindir}/pg_basebackup",
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                *("-D", replica.data, "-R", "-X", "stream", "-c", "fast"),
            ]
        )
        return replica

    def _run(self, cmd, **kwargs):
        return subprocess.run(_as_postgres(cmd), check=True, capture_output=True, text=True, **kwargs)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> "ThrowawayPostgres":
        opts = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
        opts += "".join(f" -c {key}={value}" for key, value in self.extra_conf.items())
        self._run(
            [f"{self.bindir}/pg_ctl", "-D", self.data, "-l", f"{self.tmp}/log", "-w", "-o", opts, "start"]
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run([f"{self.bindir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def create_database(self, name: str) -> str:
        self._run(
            [f"{self.bindir}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
        )
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.tmp, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "ThrowawayRedis":
        redis = shutil.which("redis-server")
        if not redis:
            raise RuntimeError("redis-server is not installed")
        self.proc = subprocess.Popen(
            [redis, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    destroy = stop


class Gunicorn:
    """The app under gunicorn, as production runs it, with the environment a test chooses."""

    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 2, threads: int = 4):
        self.port = port or free_port()
        self.env = {
            **os.environ,
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
        }
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115  kept open for the server's lifetime
            prefix="prepnexus-gunicorn-", suffix=".log", delete=False
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return self.python(str(ROOT / "manage.py"), *args)

    def python(self, *args: str) -> subprocess.CompletedProcess:
        """The project's python with this server's environment, from the project root (bench scripts)."""
        return subprocess.run(
            [sys.executable, *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )

    def start(self, ready_path: str = "/health/live") -> "Gunicorn":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "prepnexus/gunicorn.conf.py"), "--no-control-socket"],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.base_url + ready_path, timeout=1).close()  # noqa: S310
                return self
            time.sleep(0.1)
        self.stop()  # never leave a server running behind a failed start
        raise TimeoutError(f"gunicorn did not answer: {Path(self.log.name).read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    def get(self, path: str, headers: dict | None = None, timeout: float = 10):
        """GET and return (status, headers, body, seconds) without raising on 4xx/5xx."""
        request = urllib.request.Request(self.base_url + path, headers=headers or {})  # noqa: S310
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read(), time.monotonic() - started


class PgBouncer:
    """Debian's pgbouncer in front of one PostgreSQL database, transaction pooling, on its own port."""

    def __init__(self, target: ThrowawayPostgres, dbname: str, pool_size: int = 2, port: int | None = None):
        self.port = port or free_port()
        self.dbname = dbname
        self.tmp = tempfile.mkdtemp(prefix="prepnexus-pgbouncer-")
        os.chmod(self.tmp, 0o755)  # noqa: S103  pgbouncer runs as the postgres user when we are root
        Path(self.tmp, "userlist.txt").write_text('"postgres" ""\n')
        Path(self.tmp, "pgbouncer.ini").write_text(
            f"[databases]\n{dbname} = host=127.0.0.1 port={target.port} dbname={dbname}\n\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.tmp}/userlist.txt\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmin_pool_size = 0\n"
            "max_client_conn = 200\nserver_reset_query =\nignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.tmp}/pgbouncer.log\npidfile = {self.tmp}/pgbouncer.pid\n"
        )
        if os.geteuid() == 0:
            for name in ("", "userlist.txt", "pgbouncer.ini"):
                shutil.chown(os.path.join(self.tmp, name), "postgres", "postgres")
        self.proc: subprocess.Popen | None = None

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def start(self) -> "PgBouncer":
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not os.path.exists(binary):
            raise RuntimeError("pgbouncer is not installed")
        # It refuses to run as root.
        self.proc = subprocess.Popen(
            _as_postgres([binary, f"{self.tmp}/pgbouncer.ini"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise
        return self

    def log(self) -> str:
        return Path(self.tmp, "pgbouncer.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    destroy = stop


class HAProxy:
    """Debian's haproxy running docker/haproxy.cfg, with local servers in place of the Docker DNS template.

    Adds an X-Served-By response header so tests can tell the instances apart.
    """

    def __init__(self, servers: dict[str, int], port: int | None = None, stats_port: int | None = None):
        self.port = port or free_port()
        self.stats_port = stats_port or free_port()
        self.tmp = tempfile.mkdtemp(prefix="prepnexus-haproxy-")
        self.cfg = Path(self.tmp, "haproxy.cfg")
        self.cfg.write_text(self.config(servers))
        self.log = Path(self.tmp, "haproxy.log")
        self.proc: subprocess.Popen | None = None

    def config(self, servers: dict[str, int]) -> str:
        config = (ROOT / "docker/haproxy.cfg").read_text()
        config = config.replace("bind :8080", f"bind 127.0.0.1:{self.port}")
        config = config.replace("bind :8404", f"bind 127.0.0.1:{self.stats_port}")
        lines = "\n".join(f"    server {name} 127.0.0.1:{port}" for name, port in servers.items())
        config, count = re.subn(r"^\s*server-template .*$", lines, config, flags=re.M)
        if count != 1:
            raise RuntimeError("docker/haproxy.cfg should have exactly one server-template line")
        served_by = "    http-response set-header X-Served-By %[srv_name]"
        config = config.replace("    balance leastconn", f"    balance leastconn\n{served_by}")
        return re.sub(r"^resolvers docker\n(?:    .*\n)+", "", config, flags=re.M)  # no Docker DNS here

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HAProxy":
        binary = shutil.which("haproxy")
        if not binary:
            raise RuntimeError("haproxy is not installed")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [binary, "-db", "-f", str(self.cfg)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise
        return self

    def server_states(self) -> dict[str, str]:
        """{server name: UP/DOWN/...} from HAProxy's stats page."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.stats_port}/stats;csv", timeout=5) as response:
            rows = response.read().decode().splitlines()
        header = rows[0].lstrip("# ").split(",")
        states = {}
        for row in rows[1:]:
            fields = dict(zip(header, row.split(","), strict=False))
            if fields.get("pxname") == "web" and fields.get("svname") not in ("FRONTEND", "BACKEND"):
                states[fields["svname"]] = fields["status"]
        return states

    def wait_all_up(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while set(self.server_states().values()) != {"UP"}:
            if time.monotonic() > deadline:
                raise TimeoutError(f"HAProxy servers not all up: {self.server_states()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        self.proc = None
        shutil.rmtree(self.tmp, ignore_errors=True)
