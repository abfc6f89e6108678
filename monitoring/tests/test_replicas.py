"""Replication lag per configured replica, against a real streaming standby."""

import json
import os
import shutil
import tempfile
import time

import pytest

from tests.harness.servers import ThrowawayPostgres, free_port

from .conftest import Stack, bearer

pytestmark = pytest.mark.servers


class Standby(ThrowawayPostgres):
    """A streaming replica of `primary`, made with pg_basebackup."""

    def __init__(self, primary: ThrowawayPostgres, port: int):
        self.port = port
        self.bindir = primary.bindir
        self.tmp = tempfile.mkdtemp(prefix="prepnexus-standby-")
        self.data = os.path.join(self.tmp, "data")
        self.extra_conf = {"hot_standby": "on"}
        os.chmod(self.tmp, 0o755)  # noqa: S103  the postgres user must reach its data dir
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres", "postgres")
        self._run(
            [
                f"{self.bindir}/pg_basebackup",
                *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
                *("-D", self.data, "-R", "-X", "stream", "-c", "fast"),
            ]
        )


def test_database_health_reports_lag_per_replica_and_degrades_when_one_is_down():
    primary = ThrowawayPostgres(extra_conf={"wal_level": "replica"}).start()
    standby = None
    s = None
    try:
        # The Stack creates the database on the primary; the base backup then copies it to the standby.
        replica_port = free_port()
        s = Stack(
            postgres=primary,
            DJANGO_SETTINGS_MODULE="monitoring.tests.replica_settings",
            REPLICA_DATABASE_URL=f"postgres://postgres@127.0.0.1:{replica_port}/prepnexus",
        )
        standby = Standby(primary, port=replica_port).start()
        s.start()
        time.sleep(0.5)
        status, _, body, _ = s.get("/api/monitoring/database/health", bearer())
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok"
        (replica,) = health["replicas"]
        assert replica["alias"] == "replica" and replica["ok"] is True and replica["in_recovery"] is True
        assert replica["lag_seconds"] is not None and replica["lag_seconds"] < 60
        assert [row["state"] for row in health["standbys"]] == ["streaming"]

        report = json.loads(s.app.manage("db_report", "--json").stdout)
        assert report["replicas"][0]["ok"] is True and report["standbys"][0]["state"] == "streaming"

        standby.stop("immediate")
        status, _, body, seconds = s.get("/api/monitoring/database/health", bearer())
        health = json.loads(body)
        assert status == 200 and health["status"] == "degraded"
        assert health["replicas"][0]["ok"] is False and health["replicas"][0]["error"]
        assert seconds < 5
    finally:
        if s is not None:
            s.app.stop()
            s.redis.destroy()
        if standby is not None:
            standby.destroy()
        primary.destroy()
