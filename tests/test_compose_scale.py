"""The scale-out compose file: wiring, and HAProxy accepting the repository's configuration."""

import json
import os
import re
import shutil
import subprocess
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

from tests.test_docker import _compose_cli

ROOT = Path(__file__).resolve().parents[1]


SCALE = ("-f", str(ROOT / "docker/compose.scale.yaml"))


def _config(*extra: str) -> dict:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose client")
    env = {**os.environ, "DJANGO_SECRET_KEY": "compose-validation-only"}
    result = subprocess.run(
        [*cli, "-f", str(ROOT / "docker/compose.yaml"), *extra, "config", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_profile_runs_no_scale_out_services():
    assert set(_config()["services"]) == {"db", "redis", "migrate", "web", "worker"}


def test_scale_file_puts_port_less_instances_behind_haproxy_with_a_streaming_replica():
    services = _config(*SCALE)["services"]
    assert {"lb", "web-scaled", "db-replica", "db", "redis"} <= set(services)
    web = services["web-scaled"]
    # No host port: any number of copies can run; only the load balancer publishes one.
    assert not web.get("ports")
    assert web["deploy"]["replicas"] == 3
    assert web["environment"]["DATABASE_REPLICA_URLS"].endswith("@db-replica:5432/prepnexus")
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert web["environment"]["APP_INSTANCES"] == "3"
    assert web["depends_on"]["db-replica"]["condition"] == "service_healthy"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert web["command"][0] == "gunicorn" and web["restart"] == "unless-stopped"
    lb = services["lb"]
    assert lb["image"].startswith("haproxy:")
    assert lb["ports"][0]["target"] == 8080
    assert lb["volumes"][0]["source"].endswith("docker/haproxy.cfg")
    replica = services["db-replica"]
    assert replica["image"] == "postgres:16"
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(replica["healthcheck"]["test"])
    assert replica["volumes"][0]["source"] == "pgreplica"
    primary_mounts = [v["target"] for v in services["db"]["volumes"]]
    assert "/docker-entrypoint-initdb.d/20-replication.sh" in primary_mounts


def test_scale_file_publishes_only_the_load_balancer_and_trusts_forwarded_for_only_from_it():
    config = _config(*SCALE)
    services = config["services"]
    # The direct instance would publish the app port beside the load balancer: clients could skip it.
    assert "web" not in services
    assert [name for name, service in services.items() if service.get("ports")] == ["lb"]
    lb_address = services["lb"]["networks"]["edge"]["ipv4_address"]
    subnet = config["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ip_address(lb_address) in ip_network(subnet)
    web = services["web-scaled"]
    assert set(web["networks"]) == {"default", "edge"}
    env = web["environment"]
    # HAProxy appends the client address; it is believed only from lb's own address.
    assert [ip_network(value) for value in env["TRUSTED_PROXY_IPS"].split(",")] == [ip_network(lb_address)]
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    assert re.search(r"^\s*option forwardfor", (ROOT / "docker/haproxy.cfg").read_text(), re.M)


def test_replica_entrypoint_clones_the_primary_with_pg_basebackup():
    script = (ROOT / "docker/postgres-replica.sh").read_text()
    assert re.search(r"pg_basebackup\s.*-R", script, re.S)
    assert "exec docker-entrypoint.sh postgres" in script
    for name in ("postgres-replica.sh", "postgres-primary-init.sh"):
        result = subprocess.run(["sh", "-n", str(ROOT / "docker" / name)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    init = (ROOT / "docker/postgres-primary-init.sh").read_text()
    assert "REPLICATION" in init and "host replication replicator" in init


def test_haproxy_accepts_the_repository_config():
    haproxy = shutil.which("haproxy")
    if not haproxy:
        pytest.skip("Debian's haproxy is not installed (scripts/dev.sh setup dev installs it as root)")
    result = subprocess.run(
        [haproxy, "-c", "-f", str(ROOT / "docker/haproxy.cfg")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = (ROOT / "docker/haproxy.cfg").read_text()
    assert "uri /health/ready" in config
    assert re.search(r"^\s*option redispatch", config, re.M)
    assert re.search(r"^\s*retry-on .*conn-failure", config, re.M)
