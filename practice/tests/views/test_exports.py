"""The learner's data export: ZIP of CSVs and JSON."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.formats import csvsafe, flashcard_csv
from practice.models import LegacyBadge, ScoreSnapshot
from practice.services.accounts import profile_update
from practice.services.flashcards import study_preference_set

from ..factories import make_user
from ..learning_factories import make_answered_session, make_flashcard

pytestmark = pytest.mark.django_db


def _export(client, fmt):
    response = client.get(reverse("practice:export-download", args=[fmt]))
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def test_export_zip_streams_csvs_of_everything_that_is_the_learners(client):
    learner = make_user()
    make_answered_session(learner, count=3, correct=[True, False, True])
    make_flashcard(learner, front="Mine")
    make_flashcard(front="Someone else's")
    client.force_login(learner)
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "zip")))
    names = set(archive.namelist())
    assert {
        "sessions.csv",
        "answers.csv",
        "proficiency.csv",
        "flashcards.csv",
        "review_log.csv",
        "badges.csv",
    } <= names
    answers = archive.read("answers.csv").decode().splitlines()
    assert answers[0].startswith("id,session_id") and len(answers) == 4
    flashcards = archive.read("flashcards.csv").decode()
    assert "Mine" in flashcards and "Someone else" not in flashcards


def test_export_json_is_valid_and_complete(client):
    learner = make_user()
    make_answered_session(learner, count=2)
    client.force_login(learner)
    data = json.loads(_export(client, "json"))
    assert data["format"] == "prepnexus-export-1"
    assert len(data["answers"]) == 2 and len(data["sessions"]) == 1
    assert data["badges"][0]["code"]


def test_unknown_export_format_is_404(client):
    client.force_login(make_user())
    assert client.get(reverse("practice:export-download", args=["xml"])).status_code == 404


def test_export_zip_defuses_formulas_in_every_csv_and_its_flashcards_import_back_unchanged(client):
    learner = make_user()
    fronts = ['=HYPERLINK("http://evil.example","x")', "'=typed with an apostrophe", "@SUM(A1)"]
    for front in fronts:
        make_flashcard(learner, front=front, back="-2 is the answer")
    client.force_login(learner)
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "zip")))
    for name in archive.namelist():
        rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
        risky = [cell for row in rows for cell in row if cell.startswith(csvsafe.FORMULA_START)]
        assert not risky, (name, risky)
    cards = flashcard_csv.parse(archive.read("flashcards.csv"), time_zone="UTC", now=timezone.now())
    assert [(card.front, card.back) for card in cards] == [(front, "-2 is the answer") for front in fronts]


def test_export_contains_the_account_profile_study_preference_stats_and_score_snapshots(client):
    learner = make_user(first_name="Ada", last_name="Lovelace")
    profile_update(
        profile=learner.profile, display_name="Ada L.", target_score=1450, time_zone="Europe/Paris"
    )
    study_preference_set(learner=learner, scheduler="leitner")
    session = make_answered_session(learner, count=5)
    ScoreSnapshot.objects.get_or_create(learner=learner, session=session, defaults={"total": 1210})
    client.force_login(learner)
    learner.refresh_from_db()
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "zip")))

    def table(name):
        return list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))

    (account,) = table("account")
    assert (account["username"], account["email"]) == (learner.username, learner.email)
    assert account["date_joined"] == learner.date_joined.isoformat()
    assert account["last_login"] == learner.last_login.isoformat()
    (profile,) = table("profile")
    assert (profile["display_name"], profile["target_score"], profile["time_zone"]) == (
        "Ada L.", "1450", "Europe/Paris",
    )  # fmt: skip
    assert table("study_preference") == [{"flashcard_scheduler": "leitner"}]
    assert table("stats")[0]["answers"] == "5"
    snapshots = table("score_snapshots")
    assert snapshots[-1]["session_id"] == str(session.pk)
    assert {"taken_at", "reading_writing", "math", "total", "total_low", "total_high"} <= set(snapshots[-1])
    data = json.loads(_export(client, "json"))
    assert data["account"][0]["email"] == learner.email
    assert data["profile"][0]["display_name"] == "Ada L."
    assert data["study_preference"] == [{"flashcard_scheduler": "leitner"}]
    assert data["score_snapshots"][-1]["session_id"] == session.pk


def test_export_carries_the_learners_legacy_badges(client):
    learner = make_user()
    awarded = timezone.now()
    LegacyBadge.objects.create(
        learner=learner, source="satprep", name="Math Whiz", description="=1+1", awarded_at=awarded
    )
    LegacyBadge.objects.create(learner=make_user(), source="satprep", name="Not mine", awarded_at=awarded)
    client.force_login(learner)
    data = json.loads(_export(client, "json"))
    assert data["legacy_badges"] == [
        {"name": "Math Whiz", "description": "=1+1", "source": "satprep", "awarded_at": awarded.isoformat()}
    ]
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "zip")))
    rows = list(csv.reader(io.StringIO(archive.read("legacy_badges.csv").decode())))
    assert rows[0] == ["name", "description", "source", "awarded_at"]
    assert rows[1][:3] == ["Math Whiz", "'=1+1", "satprep"]  # defused for spreadsheets
