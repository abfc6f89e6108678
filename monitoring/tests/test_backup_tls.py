"""Backups over TLS, against a throwaway PostgreSQL that admits only TLS with a client certificate.

The server refuses plain connections and asks every TCP client for a certificate signed by the test CA
(`hostssl ... cert`), so a pg_dump, pg_restore or checksum connection that lost the TLS settings on the
way cannot connect at all.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql

from tests.harness.servers import ThrowawayPostgres

ROOT = Path(__file__).resolve().parents[2]


def _openssl(*args: str, cwd: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(folder: str) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate for the postgres role."""
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=test-ca",
        cwd=folder,
    )
    for name, subject in (("server", "/CN=127.0.0.1"), ("client", "/CN=postgres")):
        _openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=folder)
        _openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "2", cwd=folder,
        )  # fmt: skip


class TlsPostgres:
    def __init__(self):
        if not shutil.which("openssl"):
            pytest.skip("openssl is not installed")
        self.server = ThrowawayPostgres()
        self.certs = os.path.join(self.server.tmp, "certs")
        os.mkdir(self.certs)
        _certificates(self.certs)
        for name in ("server.key", "client.key"):
            os.chmod(os.path.join(self.certs, name), 0o600)  # libpq and the server refuse looser keys
        if os.geteuid() == 0:
            for name in ("", "ca.crt", "server.crt", "server.key"):
                shutil.chown(os.path.join(self.certs, name), "postgres", "postgres")
        Path(self.server.data, "pg_hba.conf").write_text(
            "local all all trust\nhostssl all all 127.0.0.1/32 cert\nhostnossl all all 127.0.0.1/32 reject\n"
        )
        self.server.extra_conf = {
            "ssl": "on",
            "ssl_cert_file": self.file("server.crt"),
            "ssl_key_file": self.file("server.key"),
            "ssl_ca_file": self.file("ca.crt"),
        }
        self.server.start()

    def file(self, name: str) -> str:
        return os.path.join(self.certs, name)

    @property
    def client_tls(self) -> dict[str, str]:
        return {
            "sslmode": "verify-ca",
            "sslrootcert": self.file("ca.crt"),
            "sslcert": self.file("client.crt"),
            "sslkey": self.file("client.key"),
        }

    def create_database(self) -> str:
        """A new empty database, created over the Unix socket (which needs no certificate)."""
        name = f"tls_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(
            host=self.server.tmp, port=self.server.port, user="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def url(self, dbname: str, tls_in_url: bool = True) -> str:
        url = self.server.url(dbname)
        return url + "?" + urlencode(self.client_tls) if tls_in_url else url


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def tls():
    server = TlsPostgres()
    try:
        server.source = server.create_database()
        env = {**os.environ, "DATABASE_URL": server.url(server.source)}
        migrated = _manage("migrate", "--no-input", env=env)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield server
    finally:
        server.server.destroy()


def _pgssl_free_environ() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("PGSSL")}


def test_backup_and_restore_keep_the_tls_options_of_the_database_url(tls, tmp_path):
    """sslmode, sslrootcert, sslcert and sslkey in DATABASE_URL (or --database-url) reach every connection."""
    env = {**_pgssl_free_environ(), "DATABASE_URL": tls.url(tls.source)}
    backup = _manage("backup", "--output", str(tmp_path), env=env)
    assert backup.returncode == 0, backup.stderr[-3000:]
    dump = next(tmp_path.glob("*.dump"))

    target = tls.url(tls.create_database())
    restore = _manage("restore", str(dump), "--database-url", target, env=env)
    assert restore.returncode == 0, restore.stderr[-3000:]
    assert "migrations are in sync" in restore.stdout


def test_backup_and_restore_keep_the_operators_pgssl_variables(tls, tmp_path):
    """PGSSLMODE, PGSSLROOTCERT, PGSSLCERT and PGSSLKEY reach pg_dump and pg_restore, not only psycopg."""
    env = {
        **_pgssl_free_environ(),
        **{f"PG{key.upper()}": value for key, value in tls.client_tls.items()},
        "DATABASE_URL": tls.url(tls.source, tls_in_url=False),
    }
    backup = _manage("backup", "--output", str(tmp_path), env=env)
    assert backup.returncode == 0, backup.stderr[-3000:]
    dump = next(tmp_path.glob("*.dump"))

    target = tls.url(tls.create_database(), tls_in_url=False)
    restore = _manage("restore", str(dump), "--database-url", target, env=env)
    assert restore.returncode == 0, restore.stderr[-3000:]
    assert "migrations are in sync" in restore.stdout


def test_a_server_that_demands_a_client_certificate_refuses_a_backup_without_one(tls, tmp_path):
    """The check above is real: without the TLS settings the same backup cannot connect."""
    env = {**_pgssl_free_environ(), "DATABASE_URL": tls.url(tls.source, tls_in_url=False)}
    backup = _manage("backup", "--output", str(tmp_path), env=env)
    assert backup.returncode != 0
    assert "certificate" in backup.stderr
