"""Flashcards as CSV: the learner's own deck out, a checked file in (all or nothing), and the round trip."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.formats import flashcard_csv
from practice.models import Flashcard, Profile
from practice.services import flashcards as flashcard_services
from practice.services.flashcards import flashcard_review, flashcards_import, study_preference_set

from ..factories import make_user
from ..learning_factories import make_flashcard

pytestmark = pytest.mark.django_db

EXPORT = reverse("practice:flashcard-export")
IMPORT = reverse("practice:flashcard-import")


def export_text(client) -> str:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def export_rows(client) -> list[dict]:
    return list(csv.DictReader(io.StringIO(export_text(client))))


def upload(client, data: bytes | str, name: str = "cards.csv"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def page_errors(response) -> str:
    return response.content.decode()


def card_state(card: Flashcard) -> tuple:
    state = dict(card.fsrs_state)
    state.pop("card_id")
    return (
        card.front,
        card.back,
        card.front_html,
        card.back_html,
        card.scheduler,
        card.leitner_box,
        card.due,
        card.last_reviewed_at,
        card.review_count,
        state,
    )


@pytest.fixture
def learner(client):
    user = make_user()
    client.force_login(user)
    return user


# --- Export ---


def test_export_is_a_csv_download_of_only_the_learners_own_cards(client, learner):
    make_flashcard(learner, front="Mine: *ratio*", back="A comparison, with a comma")
    make_flashcard(make_user(), front="Someone else's card", back="Private")
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="prepnexus-flashcards.csv"'
    assert response["Cache-Control"] == "no-store"
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.splitlines()[0] == ",".join(flashcard_csv.COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["front"], row["back"], row["scheduler"], row["leitner_box"]) for row in rows] == [
        ("Mine: *ratio*", "A comparison, with a comma", "fsrs", "1")
    ]
    assert datetime.fromisoformat(rows[0]["due"]).tzinfo is not None
    assert "Someone else" not in text


def test_export_carries_the_scheduling_state(client, learner):
    card = flashcard_review(card=make_flashcard(learner), rating=3)
    (row,) = export_rows(client)
    assert datetime.fromisoformat(row["due"]) == card.due
    assert datetime.fromisoformat(row["last_reviewed_at"]) == card.last_reviewed_at
    assert row["reviews"] == "1"
    assert row["fsrs_state"] == "learning" and row["fsrs_step"] == "1"
    assert float(row["fsrs_stability"]) == card.fsrs_state["stability"]
    assert float(row["fsrs_difficulty"]) == card.fsrs_state["difficulty"]


def test_export_defuses_spreadsheet_formulas_and_the_import_restores_them(client, learner):
    make_flashcard(learner, front='=HYPERLINK("http://x")', back="- a Markdown list\n- second")
    (row,) = export_rows(client)
    assert row["front"] == '\'=HYPERLINK("http://x")' and row["back"].startswith("'- a Markdown")
    other = make_user()
    client.force_login(other)
    rows = [[row["front"], row["back"]]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["front", "back"], *rows])
    assert upload(client, buffer.getvalue()).status_code == 302
    card = Flashcard.objects.get(owner=other)
    assert card.front == '=HYPERLINK("http://x")' and card.back == "- a Markdown list\n- second"


def test_text_that_starts_with_an_apostrophe_round_trips_unchanged(client, learner):
    make_flashcard(learner, front="'=not a formula, the learner typed the apostrophe", back="'tis fine")
    exported = export_text(client)
    client.force_login(make_user())
    assert upload(client, exported).status_code == 302
    card = Flashcard.objects.exclude(owner=learner).get()
    assert card.front == "'=not a formula, the learner typed the apostrophe" and card.back == "'tis fine"


def test_export_of_no_cards_is_just_the_header(client, learner):
    assert export_text(client) == ",".join(flashcard_csv.COLUMNS) + "\r\n"


def test_export_query_count_does_not_grow_with_the_deck(client, learner):
    make_flashcard(learner)
    with CaptureQueriesContext(connection) as one:
        export_text(client)
    for i in range(40):
        make_flashcard(learner, front=f"Card {i}", back="Back")
    with CaptureQueriesContext(connection) as many:
        rows = export_rows(client)
    assert len(rows) == 41
    assert len(many) == len(one)


def test_export_stays_within_its_query_budget(client, learner, django_assert_max_num_queries):
    for i in range(25):
        make_flashcard(learner, front=f"Card {i}", back="Back")
    with django_assert_max_num_queries(4):
        assert len(export_rows(client)) == 25


def test_csv_pages_need_a_login(client):
    for url in (EXPORT, IMPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = upload(client, "front,back\nQ,A\n")
    assert response.status_code == 302 and not Flashcard.objects.exists()


def test_list_page_links_to_export_and_import(client, learner):
    html = client.get(reverse("practice:flashcard-list")).content.decode()
    assert f'href="{EXPORT}"' in html and f'href="{IMPORT}"' in html


# --- Import: the happy path ---


def test_import_page_documents_the_format(client, learner):
    response = client.get(IMPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    for column in flashcard_csv.COLUMNS:
        assert f"<code>{column}</code>" in html


def test_import_adds_cards_with_sanitised_markdown_and_redirects(client, learner):
    data = (
        "front,back,leitner_box,due,reviews\n"
        '"What is **ratio**? <script>alert(1)</script>","A comparison, e.g. *3:4*",'
        "3,2030-01-02T03:04:05+00:00,7\n"
        "Slope of y = 3x + 2?,3,,,\n"
    )
    response = upload(client, data)
    assert response.status_code == 302 and response["Location"] == reverse("practice:flashcard-list")
    page = client.get(response["Location"]).content.decode()
    assert "2 imported, 0 skipped as duplicates." in page
    first, second = Flashcard.objects.filter(owner=learner).order_by("pk")
    assert "<strong>ratio</strong>" in first.front_html and "<script" not in first.front_html
    assert "<em>3:4</em>" in first.back_html
    assert (first.leitner_box, first.review_count) == (3, 7)
    assert first.due == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert first.scheduler == "fsrs" and first.fsrs_state["card_id"] == first.pk
    assert first.fsrs_state["due"] == "2030-01-02T03:04:05+00:00"
    assert second.due <= timezone.now() and second.leitner_box == 1


def test_import_accepts_a_byte_order_mark_crlf_and_semicolons(client, learner):
    data = "\ufefffront;back\r\nCafé;Crème brûlée\r\n".encode()
    assert upload(client, data).status_code == 302
    assert Flashcard.objects.get(owner=learner).front == "Café"


def test_times_without_an_offset_are_in_the_learners_time_zone(client, learner):
    Profile.objects.filter(user=learner).update(time_zone="America/New_York")
    assert upload(client, "front,back,due\nQ,A,2030-07-01 09:30\nQ2,A2,2030-07-02\n").status_code == 302
    first, second = Flashcard.objects.filter(owner=learner).order_by("pk")
    assert first.due == datetime(2030, 7, 1, 13, 30, tzinfo=UTC)
    assert second.due == datetime(2030, 7, 2, 4, 0, tzinfo=UTC)


def test_leitner_learners_get_the_box_of_the_interval_when_the_file_has_none(client, learner):
    study_preference_set(learner=learner, scheduler="leitner")
    now = timezone.now()
    data = f"front,back,due,last_reviewed_at\nQ,A,{(now + timedelta(days=7)).isoformat()},{now.isoformat()}\n"
    assert upload(client, data).status_code == 302
    card = Flashcard.objects.get(owner=learner)
    assert (card.scheduler, card.leitner_box) == ("leitner", 4)


def test_the_full_exports_flashcards_csv_imports_too(client, learner):
    data = (
        "id,front,back,scheduler,leitner_box,due,last_reviewed_at,reviews,created_at\n"
        "17,Q,A,leitner,2,2030-01-01T00:00:00+00:00,,0,2024-01-01T00:00:00+00:00\n"
    )
    assert upload(client, data).status_code == 302
    assert Flashcard.objects.get(owner=learner).leitner_box == 2


# --- Import: duplicates ---


def test_duplicates_of_existing_cards_and_within_the_file_are_skipped(client, learner):
    make_flashcard(learner, front="Existing", back="Card")
    make_flashcard(make_user(), front="Other learner's", back="Card")
    data = "front,back\n  Existing ,Card\nOther learner's,Card\nNew,Card\nNew,Card\n"
    response = upload(client, data)
    assert response.status_code == 302
    assert "2 imported, 2 skipped as duplicates." in client.get(response["Location"]).content.decode()
    assert sorted(Flashcard.objects.filter(owner=learner).values_list("front", flat=True)) == [
        "Existing",
        "New",
        "Other learner's",
    ]


def test_importing_the_same_file_twice_adds_nothing_the_second_time(client, learner):
    data = "front,back\nQ1,A1\nQ2,A2\n"
    upload(client, data)
    response = upload(client, data)
    assert "0 imported, 2 skipped as duplicates." in client.get(response["Location"]).content.decode()
    assert Flashcard.objects.filter(owner=learner).count() == 2


# --- Import: refused files ---

LONG = "x" * 2001
FSRS = "front,back,fsrs_state,fsrs_stability,fsrs_difficulty\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", "The file is empty.", id="empty-upload"),
        pytest.param(b"  \n\n", "The file is empty.", id="only-whitespace"),
        pytest.param(
            "front,back\nCafé,Crème\n".encode("latin-1"), "line 2 has a byte that is not UTF-8", id="latin-1"
        ),
        pytest.param("front,back\nQ,A\n".encode("utf-16"), "The file is UTF-16 text", id="utf-16"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00binary", "not a CSV text file", id="xlsx"),
        pytest.param(b"front,back\nQ\x00,A\n", "not a CSV text file", id="nul-bytes"),
        pytest.param("What is a ratio?,A comparison\n", "Row 1 must be a header", id="no-header"),
        pytest.param("front,answer\nQ,A\n", "no “back” column", id="missing-column"),
        pytest.param("front,back,colour\nQ,A,red\n", "unknown column(s): “colour”", id="unknown-column"),
        pytest.param("front,back,front\nQ,A,B\n", "names a column twice: front", id="repeated-column"),
        pytest.param("front,back\n", "a header but no cards", id="header-only"),
        pytest.param("front,back\nQ,A\n,Answer\n", "Row 3: Write something on the front.", id="blank-front"),
        pytest.param("front,back\nQ,  \n", "Row 2: Write something on the back.", id="blank-back"),
        pytest.param(
            f"front,back\nQ,A\n{LONG},A\n", "Row 3: The front can be at most 2,000", id="long-front"
        ),
        pytest.param(f"front,back\nQ,{'y' * 4001}\n", "Row 2: The back can be at most 4,000", id="long-back"),
        pytest.param(f"front,back\nQ,{'z' * 200_000}\n", "Row 2: the CSV cannot be read", id="huge-field"),
        pytest.param("front,back\nQ,A,extra\n", "Row 2: 3 values, but the header names 2", id="extra-values"),
        pytest.param('front,back\n"Q"x,A\n', "Row 2: the CSV cannot be read", id="bad-quoting"),
        pytest.param(
            "front,back,leitner_box\nQ,A,7\n",
            "Row 2: leitner_box must be a whole number from 1 to 5, not “7”.",
            id="box-7",
        ),
        pytest.param(
            "front,back,leitner_box\nQ,A,two\n", "leitner_box must be a whole number", id="box-word"
        ),
        pytest.param("front,back,due\nQ,A,31/02/2025\n", "Row 2: due must be a date", id="due-format"),
        pytest.param("front,back,due\nQ,A,2025-02-30\n", "due must be a date", id="due-no-such-day"),
        pytest.param(
            "front,back,due\nQ,A,0001-01-01T00:00:00+05:00\n",
            "between the years 1970 and 2999",
            id="due-year-1",
        ),
        pytest.param(
            "front,back,last_reviewed_at\nQ,A,2999-01-01\n",
            "last_reviewed_at is in the future",
            id="reviewed-future",
        ),
        pytest.param("front,back,reviews\nQ,A,-1\n", "reviews must be a whole number", id="reviews-negative"),
        pytest.param("front,back,scheduler\nQ,A,anki\n", "scheduler must be fsrs or leitner", id="scheduler"),
        pytest.param(
            "front,back,fsrs_state\nQ,A,review\n",
            "fsrs_stability, fsrs_difficulty is blank",
            id="fsrs-partial",
        ),
        pytest.param(FSRS + "Q,A,review,NaN,5\n", "fsrs_stability must be a number", id="fsrs-nan"),
        pytest.param(
            FSRS + "Q,A,review,3,11\n", "fsrs_difficulty must be a number from 1 to 10", id="fsrs-difficulty"
        ),
        pytest.param(
            FSRS + "Q,A,asleep,3,5\n", "fsrs_state must be learning, review or relearning", id="fsrs-state"
        ),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_imported(client, learner, data, expected):
    response = upload(client, data)
    assert response.status_code == 400
    html = page_errors(response)
    assert expected in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert "Nothing was imported." in html
    assert not Flashcard.objects.exists()


def test_a_header_of_300k_columns_is_refused_before_it_is_checked_name_by_name(
    client, learner, django_assert_max_num_queries
):
    # Checking each name against every other one took minutes of CPU on this 2 MB header.
    names = [f"c{n:x}" for n in range(300_000)]
    data = ("front,back," + ",".join(names) + "\nQ,A\n").encode()
    assert 2_000_000 < len(data) <= flashcard_csv.MAX_BYTES
    with django_assert_max_num_queries(3):
        response = upload(client, data)
    assert response.status_code == 400
    html = page_errors(response)
    assert "Row 1 names 300,002 columns; a flashcard file has at most 20." in html
    assert "unknown column" not in html  # refused before any name was looked at
    assert not Flashcard.objects.exists()


def test_a_header_may_name_every_known_column_once():
    header = ",".join(flashcard_csv.COLUMNS + list(flashcard_csv.IGNORED))
    assert len(header.split(",")) <= flashcard_csv.MAX_COLUMNS
    rows = flashcard_csv.parse(f"{header}\nQ,A{',' * 11}\n".encode(), time_zone="UTC", now=timezone.now())
    assert [(row.front, row.back) for row in rows] == [("Q", "A")]


def test_a_post_without_a_file_asks_for_one(client, learner):
    response = client.post(IMPORT, {"file": "not a file"})
    assert response.status_code == 400
    assert "Choose a CSV file to upload." in page_errors(response)


def test_every_problem_of_every_row_is_listed_up_to_a_limit(client, learner):
    rows = "".join(f"Q{i},A{i},9\n" for i in range(30))
    response = upload(client, "front,back,leitner_box\n" + rows + ",,\n,x,0\n")
    html = page_errors(response)
    assert response.status_code == 400
    assert "Row 2: leitner_box" in html and "Row 21: leitner_box" in html and "Row 22:" not in html
    assert "… and 11 more rows with problems." in html


def test_a_row_with_several_problems_names_them_all(client, learner):
    response = upload(client, "front,back,leitner_box,due\n,A,0,soon\n")
    html = page_errors(response)
    assert "Row 2: Write something on the front." in html
    assert "leitner_box must be" in html and "due must be" in html


def test_one_bad_row_among_many_imports_nothing(client, learner):
    rows = [f"Question {i},Answer {i},2" for i in range(2, 700)]
    rows[500 - 2] = "Question 500,Answer 500,six"  # spreadsheet row 500 (the header is row 1)
    response = upload(client, "front,back,leitner_box\n" + "\n".join(rows) + "\n")
    assert response.status_code == 400
    assert "Row 500: leitner_box must be a whole number from 1 to 5, not “six”." in page_errors(response)
    assert not Flashcard.objects.filter(owner=learner).exists()


def test_a_failure_while_writing_leaves_no_card_behind(learner, monkeypatch):
    rows = flashcard_csv.parse(
        ("front,back\n" + "".join(f"Q{i},A{i}\n" for i in range(12))).encode(),
        time_zone="UTC",
        now=timezone.now(),
    )

    def fail(**kwargs):
        raise RuntimeError("badge service down")

    monkeypatch.setattr(flashcard_services, "badges_award", fail)
    with pytest.raises(RuntimeError):
        flashcards_import(owner=learner, rows=rows)
    assert not Flashcard.objects.filter(owner=learner).exists()


def test_too_many_rows_are_refused(client, learner, monkeypatch):
    monkeypatch.setattr(flashcard_csv, "MAX_ROWS", 3)
    response = upload(client, "front,back\n" + "".join(f"Q{i},A{i}\n" for i in range(4)))
    assert response.status_code == 400
    assert "more than 3 cards" in page_errors(response)
    assert not Flashcard.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, learner, monkeypatch):
    monkeypatch.setattr(flashcard_csv, "MAX_BYTES", 100)
    response = upload(client, "front,back\n" + "Q,A\n" * 40)
    assert response.status_code == 400
    assert "The file is larger than" in page_errors(response)
    assert not Flashcard.objects.exists()


def test_a_huge_upload_is_cut_off_while_it_arrives(client, learner, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(client, "front,back\n" + "Q,A\n" * 2000)
    assert response.status_code == 400
    html = page_errors(response)
    assert "The file is larger than 2 MB" in html and "Choose a CSV file" not in html
    assert not Flashcard.objects.exists()


def test_the_import_needs_a_csrf_token(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert upload(client, "front,back\nQ,A\n").status_code == 403
    assert not Flashcard.objects.exists()


def test_imports_are_rate_limited_per_learner(client, learner, settings):
    settings.RATELIMITS = settings.RATELIMITS | {"flashcard-import": (2, 3600)}
    assert upload(client, "front,back\nQ1,A\n").status_code == 302
    assert upload(client, "front,back\n").status_code == 400
    response = upload(client, "front,back\nQ3,A\n")
    assert response.status_code == 429 and response["Retry-After"]
    assert client.get(IMPORT).status_code == 200  # only uploads count
    assert Flashcard.objects.filter(owner=learner).count() == 1


# --- Round trip ---


def test_export_then_import_reproduces_the_cards_for_another_learner(client, learner):
    now = timezone.now()
    cards = [
        make_flashcard(learner, front="New card", back="Never reviewed"),
        flashcard_review(
            card=make_flashcard(learner, front="**Reviewed** once", back="Good"), rating=3, now=now
        ),
        make_flashcard(learner, front="Café, “quotes”, and\nnew lines", back='He said "hi"\n\n- a\n- b'),
    ]
    cards.append(flashcard_review(card=flashcard_review(card=cards[1], rating=3, now=now), rating=4, now=now))
    text = export_text(client)

    other = make_user()
    client.force_login(other)
    response = upload(client, text, name="prepnexus-flashcards.csv")
    assert response.status_code == 302
    assert "3 imported, 0 skipped as duplicates." in client.get(response["Location"]).content.decode()

    mine = [card_state(card) for card in Flashcard.objects.filter(owner=learner).order_by("pk")]
    theirs = list(Flashcard.objects.filter(owner=other).order_by("pk"))
    assert [card_state(card) for card in theirs] == mine
    assert all(card.fsrs_state["card_id"] == card.pk for card in theirs)
    assert export_text(client) == text
    # The imported memory state keeps working: the reviewed card is rescheduled like the original.
    original = flashcard_review(
        card=Flashcard.objects.get(owner=learner, front="**Reviewed** once"), rating=3
    )
    copy = flashcard_review(card=Flashcard.objects.get(owner=other, front="**Reviewed** once"), rating=3)
    assert abs(copy.due - original.due) < timedelta(seconds=5)


def test_leitner_round_trip_keeps_boxes(client, learner):
    study_preference_set(learner=learner, scheduler="leitner")
    card = flashcard_review(card=make_flashcard(learner), rating=4)
    text = export_text(client)
    other = make_user()
    study_preference_set(learner=other, scheduler="leitner")
    client.force_login(other)
    assert upload(client, text).status_code == 302
    copy = Flashcard.objects.get(owner=other)
    assert (copy.scheduler, copy.leitner_box, copy.due) == ("leitner", card.leitner_box, card.due)
