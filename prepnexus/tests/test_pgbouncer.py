"""PgBouncer mode: the app under gunicorn through a real pgbouncer in transaction pooling mode."""

import os
import shutil
import threading
import uuid

import psycopg
import pytest

from tests.harness.client import Browser
from tests.harness.servers import Gunicorn, PgBouncer, ThrowawayPostgres

PASSWORD = "a-long-unusual-passphrase-7"

pytestmark = pytest.mark.skipif(
    not shutil.which("pgbouncer") and not os.path.exists("/usr/sbin/pgbouncer"),
    reason="Debian's pgbouncer is not installed (scripts/dev.sh setup dev installs it as root)",
)


@pytest.mark.servers
def test_signup_login_and_writes_work_through_pgbouncer_in_transaction_mode():
    postgres = ThrowawayPostgres(extra_conf={"max_connections": 40}).start()
    bouncer = app = None
    try:
        direct = postgres.create_database("prepnexus")
        base = {
            "CACHE_KEY_PREFIX": f"scale-pgbouncer-test-{uuid.uuid4().hex[:8]}",
            "DJANGO_SETTINGS_MODULE": "tests.harness.settings",
        }
        # Migrations take locks and run DDL in long transactions: operators run them on a direct connection.
        Gunicorn({**base, "DATABASE_URL": direct}).manage("migrate", "--noinput")
        bouncer = PgBouncer(postgres, "prepnexus", pool_size=2).start()
        # Two workers x four threads = up to eight clients, sharing PgBouncer's two server connections.
        app = Gunicorn(
            {**base, "DATABASE_URL": bouncer.url(), "DATABASE_POOLER": "pgbouncer"}, workers=2, threads=4
        ).start(ready_path="/health/ready")

        Browser(app.base_url).signup("bounced@example.org", PASSWORD, "Bounced")
        learner = Browser(app.base_url)
        learner.login("bounced@example.org", PASSWORD)
        status, body = learner.post(
            "/accounts/profile/",
            {"display_name": "Through PgBouncer", "target_score": "1450", "time_zone": "UTC"},
        )
        assert status == 302, body[:500]
        status, body = learner.get("/accounts/profile/")
        assert status == 200 and b"Through PgBouncer" in body

        with psycopg.connect(direct) as conn:
            (user_id,) = conn.execute(
                "SELECT id FROM practice_user WHERE email = 'bounced@example.org'"
            ).fetchone()
        failures: list[str] = []

        def visitor(n: int):
            browser = Browser(app.base_url)
            browser.login("bounced@example.org", PASSWORD)
            for i in range(10):
                status, _ = browser.post("/_test/rename-then-read/", {"display_name": f"v{n}-{i}"})
                if status != 200:
                    failures.append(f"rename {status}")
                for path in ("/accounts/profile/", f"/_test/profile-name/{user_id}/", "/"):
                    status, _ = browser.get(path)
                    if status != 200:
                        failures.append(f"{path} {status}")

        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        with psycopg.connect(direct) as conn:
            (backends,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'prepnexus' "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchone()
        print(f"8 visitors x 40 requests via pgbouncer: {len(failures)} failures, {backends} server conns")
        assert failures == []
        assert backends <= 2, "PgBouncer, not the app, decides how many server connections there are"
        assert "ERROR" not in bouncer.log()
    finally:
        if app:
            app.stop()
        if bouncer:
            bouncer.stop()
        postgres.destroy()
