"""Request size limits: the whole body (413 before it is read), the number of files, and HAProxy's copy."""

import re
import shutil
import socket
import subprocess

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practice.tests.factories import make_user
from tests.harness.servers import ROOT, Gunicorn, HAProxy, free_port

OVERSIZE = 600 * 1024 * 1024  # what 100 files at the per-file cap would add up to, and more


def _oversize_post(port: int, path: str = "/accounts/signup/") -> bytes:
    """Send the headers of a 600 MB POST and 1 kB of its body, then read whatever answers.

    The socket timeout is a hang guard, not a speed assertion: a server that waited for the body would
    never answer, since the rest is never sent.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {OVERSIZE}\r\n\r\n".encode()
            + b"x" * 1024
        )
        return sock.recv(65536)


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_with_a_page_saying_why(client):
    response = client.generic(
        "POST", reverse("signup"), b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(OVERSIZE)
    )
    assert response.status_code == 413
    assert b"larger than 6 MB" in response.content


@pytest.mark.django_db
def test_a_malformed_content_length_is_a_400(client):
    response = client.generic("POST", reverse("signup"), b"x", CONTENT_LENGTH="lots")
    assert response.status_code == 400


@pytest.mark.django_db
def test_more_files_than_the_limit_in_one_form_is_a_400_saying_so(client):
    client.force_login(make_user())
    files = [SimpleUploadedFile(f"cards{i}.csv", b"front,back\na,b\n", "text/csv") for i in range(6)]
    response = client.post(reverse("practice:flashcard-import"), {f"file{i}": f for i, f in enumerate(files)})
    assert response.status_code == 400
    assert b"Too many files in one form: send at most 5." in response.content


@pytest.mark.servers
def test_gunicorn_answers_an_oversize_body_with_413_before_it_arrives():
    app = Gunicorn({}, workers=1, threads=2).start()
    try:
        answer = _oversize_post(app.port)
    finally:
        app.stop()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_the_haproxy_config_is_valid_and_caps_bodies_at_the_apps_limit():
    config = (ROOT / "docker/haproxy.cfg").read_text()
    (limit,) = re.findall(r"deny deny_status 413 if \{ req\.hdr_val\(content-length\) gt (\d+) \}", config)
    assert int(limit) == settings.REQUEST_BODY_MAX_BYTES
    if not shutil.which("haproxy"):
        pytest.skip("Debian's haproxy is not installed (scripts/dev.sh setup dev installs it as root)")
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(ROOT / "docker/haproxy.cfg")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.servers
def test_haproxy_refuses_an_oversize_body_before_any_instance_sees_it():
    if not shutil.which("haproxy"):
        pytest.skip("Debian's haproxy is not installed (scripts/dev.sh setup dev installs it as root)")
    lb = HAProxy({"nobody": free_port()}).start()  # no instance listens: reaching one would be a 503
    try:
        assert _oversize_post(lb.port).startswith(b"HTTP/1.1 413")
        with socket.create_connection(("127.0.0.1", lb.port), timeout=20) as sock:
            sock.sendall(b"POST /accounts/signup/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\nx")
            assert sock.recv(65536).startswith(b"HTTP/1.1 503")
    finally:
        lb.stop()
