"""Roster upload pages: upload, preview, commit all or nothing, the one-time links, and who may do it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practice.formats import roster
from practice.models import AccessEvent, Enrollment, User
from practice.tenancy import operator_access

from ..factories import make_user
from ..institution_factories import make_classroom, make_school

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


def _upload(client, url, data: str | bytes):
    if isinstance(data, str):
        data = data.encode()
    return client.post(url, {"file": SimpleUploadedFile("roster.csv", data, content_type="text/csv")})


def _hidden(response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', response.content.decode()).group(1)


def _commit(client, url, preview):
    return client.post(url, {"token": _hidden(preview, "token"), "digest": _hidden(preview, "digest")})


def test_an_admin_previews_then_commits_and_gets_one_time_links(client):
    institution, admin, _, classroom, _ = make_school()
    existing = make_user(email="existing@example.com")
    with _as_operator():
        User.objects.filter(pk=existing.pk).update(email_verified_at=timezone.now())
    client.force_login(admin)
    url = reverse("teach:roster-upload", args=[institution.pk])
    assert client.get(url).status_code == 200
    preview = _upload(
        client,
        url,
        f"email,name,class\nnew1@example.com,New One,{classroom.name}\n"
        f"new2@example.com,New Two,{classroom.name}\nexisting@example.com,Existing,{classroom.name}\n",
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "New account: <strong>2</strong>" in html and "Existing account: <strong>1</strong>" in html
    assert not User.objects.filter(email="new1@example.com").exists()  # a preview writes nothing
    result = _commit(client, url, preview)
    assert result.status_code == 200
    page = result.content.decode()
    assert page.count("/accounts/reset/") == 2 and "new1@example.com" in page
    with _as_operator():
        enrolled = set(
            Enrollment.objects.filter(classroom=classroom).values_list("learner__email", flat=True)
        )
        assert {"new1@example.com", "new2@example.com", "existing@example.com"} <= enrolled
        event = AccessEvent.objects.get(what="roster upload result")
        assert existing.pk in event.learner_ids and event.actor == admin
    download_url = re.search(r'href="([^"]+\?download=[^"]+)"', page).group(1).replace("&amp;", "&")
    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download.content.decode().count("/accounts/reset/") == 2
    # The preview was single use: committing it again is refused, and nothing more is created.
    again = _commit(client, url, preview)
    assert again.status_code == 422 and "expired or was already committed" in again.content.decode()
    client.force_login(make_user())
    assert client.get(download_url).status_code in (403, 404)


def test_a_refused_row_shows_its_reason_and_nothing_is_committed(client):
    institution, admin, _, classroom, _ = make_school()
    make_user(email="unverified@example.com")
    client.force_login(admin)
    url = reverse("teach:roster-upload", args=[institution.pk])
    preview = _upload(
        client,
        url,
        f"email,name,class\nok@example.com,Ok,{classroom.name}\nunverified@example.com,U,{classroom.name}\n"
        "bad,Bad,Nowhere\nok@example.com,Twice,Nowhere\n",
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Refused: <strong>4</strong>" in html and "Commit roster" not in html
    assert "address is not verified" in html and "not an email address" in html
    assert "No active class called “Nowhere”" in html and "is also on row 5" in html
    assert not User.objects.filter(email="ok@example.com").exists()


def test_commit_refuses_everything_when_a_row_became_refused_after_the_preview(client):
    institution, admin, _, classroom, _ = make_school()
    client.force_login(admin)
    url = reverse("teach:roster-upload", args=[institution.pk])
    preview = _upload(
        client, url, f"email,name,class\na@example.com,A,{classroom.name}\nb@example.com,B,{classroom.name}\n"
    )
    make_user(email="b@example.com")  # signs up, unverified, before the commit
    response = _commit(client, url, preview)
    assert response.status_code == 422
    assert "row(s) are refused" in response.content.decode()
    assert not User.objects.filter(email="a@example.com").exists()
    with _as_operator():
        assert not Enrollment.objects.filter(learner__email="b@example.com").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "The file is empty"),
        ("name,class\nA,B\n", "no “email” column"),
        ("email,name,class\n", "a header but no learners"),
    ],
)
def test_bad_files_are_a_422_with_a_message(client, data, message):
    institution, admin, *_ = make_school()
    client.force_login(admin)
    response = _upload(client, reverse("teach:roster-upload", args=[institution.pk]), data)
    assert response.status_code == 422 and message in response.content.decode()


def test_a_50000_row_roster_is_refused_with_a_clear_4xx(client):
    institution, admin, *_ = make_school()
    client.force_login(admin)
    url = reverse("teach:roster-upload", args=[institution.pk])
    users = User.objects.count()
    short = "email,name,class\n" + "".join(f"l{n}@x.io,L,P\n" for n in range(50_000))
    response = _upload(client, url, short)
    assert response.status_code == 422 and "more than 5,000 learners" in response.content.decode()
    long = "email,name,class\n" + "".join(
        f"learner{n}@example.com,Learner {n},Period 1\n" for n in range(50_000)
    )
    assert len(long) > roster.MAX_BYTES
    response = _upload(client, url, long)
    assert response.status_code == 413 and "larger than 2 MB" in response.content.decode()
    assert User.objects.count() == users


def test_an_upload_cut_off_while_it_arrives_is_a_413(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    institution, admin, *_ = make_school()
    client.force_login(admin)
    response = _upload(
        client,
        reverse("teach:roster-upload", args=[institution.pk]),
        "email,name,class\n" + "a@b.io,A,P\n" * 200,
    )
    assert response.status_code == 413 and "larger than 2 MB" in response.content.decode()


def test_a_teacher_uploads_into_their_class_with_a_blank_class_column(client):
    _, _, teacher, classroom, _ = make_school()
    client.force_login(teacher)
    url = reverse("teach:class-roster-upload", args=[classroom.pk])
    preview = _upload(client, url, "email,name\nkid@example.com,Kid\n")
    assert preview.status_code == 200
    assert _commit(client, url, preview).status_code == 200
    with _as_operator():
        assert Enrollment.objects.filter(classroom=classroom, learner__email="kid@example.com").exists()


def test_a_teacher_cannot_upload_into_classes_they_do_not_teach_or_other_institutions(client):
    institution, admin, teacher, classroom, _ = make_school()
    not_theirs = make_classroom(institution, teachers=[admin])
    _, _, _, elsewhere, _ = make_school()
    client.force_login(teacher)
    data = "email,name,class\nkid@example.com,Kid,\n"
    assert (
        _upload(client, reverse("teach:class-roster-upload", args=[not_theirs.pk]), data).status_code == 404
    )
    assert _upload(client, reverse("teach:class-roster-upload", args=[elsewhere.pk]), data).status_code == 404
    assert _upload(client, reverse("teach:roster-upload", args=[institution.pk]), data).status_code == 404
    # Naming another class from their own class page is a refused row, not a way in.
    preview = _upload(
        client,
        reverse("teach:class-roster-upload", args=[classroom.pk]),
        f"email,name,class\nkid@example.com,Kid,{not_theirs.name}\n",
    )
    assert preview.status_code == 200 and "No active class called" in preview.content.decode()


def test_a_preview_token_is_bound_to_its_user(client):
    institution, admin, _, classroom, _ = make_school()
    client.force_login(admin)
    url = reverse("teach:roster-upload", args=[institution.pk])
    preview = _upload(client, url, f"email,name,class\nx@example.com,X,{classroom.name}\n")
    other = Client()
    other_admin = make_user()
    from ..institution_factories import make_member

    make_member(institution, "admin", user=other_admin)
    other.force_login(other_admin)
    assert _commit(other, url, preview).status_code == 422
    assert not User.objects.filter(email="x@example.com").exists()


def test_roster_uploads_are_rate_limited(client, settings):
    settings.RATELIMITS = settings.RATELIMITS | {"roster-upload": (2, 3600)}
    institution, admin, *_ = make_school()
    client.force_login(admin)
    url = reverse("teach:roster-upload", args=[institution.pk])
    statuses = [_upload(client, url, "email,name,class\n").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    assert client.get(url).status_code == 200
