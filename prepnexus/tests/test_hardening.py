"""Headers, NUL bytes, and the admin: path, audit trail of staff actions."""

import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse

from practice.tests.factories import make_user

from .test_deploy import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db


def test_pages_send_the_hardening_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.urls("prepnexus.tests.urls_authz")
@pytest.mark.parametrize("path", ["/by-name/a%00b/", "/search/?q=a%00b", "/search/?a%00=1"])
def test_nul_bytes_in_url_or_query_are_a_400_before_they_reach_postgresql(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert client.get(path.replace("%00", "")).status_code == 200


def test_nul_bytes_in_form_fields_are_a_400(client):
    response = client.post(reverse("signup"), {"email": "a@example.org", "display_name": "a\x00"})
    assert response.status_code == 400
    assert b"Bad request" in response.content


def test_admin_path_comes_from_the_environment():
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_ADMIN_URL": "staff-7f3a/"}
    code = "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "/staff-7f3a/"


def test_staff_unlocking_a_learner_is_recorded_and_reviewable(client):
    staff = make_user(is_staff=True, is_superuser=True)
    learner = make_user()
    for _ in range(5):
        client.post(reverse("login"), {"username": learner.username, "password": "wrong-one-1"})
    attempt = AccessAttempt.objects.get()
    client.force_login(staff)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (staff, DELETION, str(attempt.pk))
    # Staff review the trail in the admin, and cannot edit or delete it there.
    page = client.get(reverse("admin:admin_logentry_changelist"))
    assert page.status_code == 200
    assert entry.object_repr.encode() in page.content
    assert (
        client.post(reverse("admin:admin_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "name", ["practice:dashboard", "practice:session-list", "practice:flashcard-list", "practice:export"]
)
def test_signed_in_html_pages_are_private_and_not_stored(client, name):
    client.force_login(make_user())
    response = client.get(reverse(name))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives and "public" not in directives


def test_the_admin_is_private_and_not_stored_for_staff(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_anonymous_blog_pages_keep_their_public_caching(client):
    response = client.get(reverse("blog:post-list"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
