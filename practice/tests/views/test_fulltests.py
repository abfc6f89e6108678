"""The full-length test's pages: start, resume, the question page, saves (JSON and plain forms), the
review page, the break, the report, and every kind of bad input."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import TestAttempt, TestModuleAttempt, TestResponse
from practice.services.fulltests import fulltest_module_submit, fulltest_start

from ..factories import make_user
from ..fulltest_factories import make_full_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return make_full_form()


@pytest.fixture
def learner(client):
    user = make_user(username="sitter")
    client.force_login(user)
    return user


def _save(client, attempt, phase="rw1", position=1, **body):
    return client.post(
        reverse("practice:fulltest-save", args=[attempt.pk, phase, position]),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def test_start_and_resume(client, form, learner):
    page = client.get(reverse("practice:fulltest-list"))
    assert page.status_code == 200 and b"Start the full-length test" in page.content
    response = client.post(reverse("practice:fulltest-start"))
    attempt = TestAttempt.objects.get(learner=learner)
    assert response.status_code == 302 and response.url == reverse(
        "practice:fulltest-question", args=[attempt.pk, "rw1", 1]
    )
    again = client.post(reverse("practice:fulltest-start"), follow=True)
    assert TestAttempt.objects.filter(learner=learner).count() == 1
    assert b"already have a test in progress" in again.content


def test_no_published_form_is_a_clear_message(client, learner):
    response = client.post(reverse("practice:fulltest-start"), follow=True)
    assert b"No full-length practice test is available yet" in response.content


def test_question_page_shows_the_item_with_its_saved_state(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    assert (
        _save(
            client, attempt, position=2, given="C", flagged=True, eliminated="A", note="main idea"
        ).status_code
        == 200
    )
    page = client.get(reverse("practice:fulltest-question", args=[attempt.pk, "rw1", 2]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="option-C" value="C" checked' in html
    assert 'name="flagged" value="1" data-flag checked' in html
    assert 'id="strike-A" data-strike checked' in html
    assert "main idea</textarea>" in html
    assert "Question 2" in html and "of 27" in html


def test_json_save_round_trip_and_idempotency(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    first = _save(client, attempt, given="B", seq=10)
    assert first.status_code == 200 and first.json() == {
        "given": "B",
        "flagged": False,
        "eliminated": "",
        "applied": True,
    }
    replay = _save(client, attempt, given="B", seq=10)
    assert replay.status_code == 200 and replay.json()["applied"] is False
    assert TestResponse.objects.filter(module_attempt__attempt=attempt, position=1, given="B").count() == 1


def test_plain_form_save_and_next(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    url = reverse("practice:fulltest-save", args=[attempt.pk, "rw1", 1])
    response = client.post(
        url, {"given": "D", "flagged": "1", "eliminated": ["A", "C"], "note": "n", "go": "next"}
    )
    assert response.status_code == 302 and response.url.endswith("/rw1/2/")
    state = TestResponse.objects.get(module_attempt__attempt=attempt, position=1)
    assert (state.given, state.flagged, state.eliminated, state.note) == ("D", True, "AC", "n")
    back = client.post(
        reverse("practice:fulltest-save", args=[attempt.pk, "rw1", 2]), {"given": "", "go": "review"}
    )
    assert back.url == reverse("practice:fulltest-review", args=[attempt.pk, "rw1"])


def test_bad_input_gets_the_right_status(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    # Tampered positions and modules: 404.
    assert _save(client, attempt, position=28, given="A").status_code == 404
    assert _save(client, attempt, position=0, given="A").status_code == 404
    assert _save(client, attempt, phase="math1", given="A").status_code == 404
    assert _save(client, attempt, phase="bogus", given="A").status_code == 404
    assert client.get(reverse("practice:fulltest-question", args=[attempt.pk, "rw1", 99])).status_code == 404
    # Another learner's test: 404.
    other = make_user(username="other")
    other_attempt = fulltest_start(learner=other).attempt
    assert _save(client, other_attempt, given="A").status_code == 404
    assert (
        client.get(reverse("practice:fulltest-question", args=[other_attempt.pk, "rw1", 1])).status_code
        == 404
    )
    assert client.get(reverse("practice:fulltest-report", args=[other_attempt.pk])).status_code == 404
    # Invalid entries: 422 with the reason.
    bad = _save(client, attempt, given="Z")
    assert bad.status_code == 422 and "A, B, C or D" in json.dumps(bad.json())
    assert _save(client, attempt, highlights="everything").status_code == 422
    assert _save(client, attempt, seq="soon").status_code == 422
    assert (
        client.post(
            reverse("practice:fulltest-save", args=[attempt.pk, "rw1", 1]),
            data="{not json",
            content_type="application/json",
        ).status_code
        == 422
    )
    # A closed module: 409.
    fulltest_module_submit(attempt=attempt, phase="rw1")
    closed = _save(client, attempt, given="A")
    assert closed.status_code == 409 and closed.json()["redirect"].endswith("/rw2/1/")
    assert client.post(reverse("practice:fulltest-submit", args=[attempt.pk, "rw1"])).status_code == 409
    assert (
        TestResponse.objects.filter(module_attempt__attempt=attempt, module_attempt__phase="rw1")
        .exclude(given="")
        .count()
        == 0
    )


def test_invalid_spr_entry_is_422_on_the_page(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    attempt = fulltest_module_submit(attempt=attempt, phase="rw1")
    attempt = fulltest_module_submit(attempt=attempt, phase="rw2")
    client.post(reverse("practice:fulltest-break-end", args=[attempt.pk]))
    spr = TestResponse.objects.filter(
        module_attempt__attempt=attempt, module_attempt__phase="math1", slot__question__type="spr"
    ).first()
    url = reverse("practice:fulltest-save", args=[attempt.pk, "math1", spr.position])
    page = client.post(url, {"given": "3 1/2", "go": "next"})
    assert page.status_code == 422 and b"Mixed numbers" in page.content
    assert _save(client, attempt, phase="math1", position=spr.position, given="$5").status_code == 422
    assert _save(client, attempt, phase="math1", position=spr.position, given="-7/2").status_code == 200


def test_a_refused_plain_form_save_shows_what_the_learner_entered(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    attempt = fulltest_module_submit(attempt=attempt, phase="rw1")
    attempt = fulltest_module_submit(attempt=attempt, phase="rw2")
    client.post(reverse("practice:fulltest-break-end", args=[attempt.pk]))
    spr = TestResponse.objects.filter(
        module_attempt__attempt=attempt, module_attempt__phase="math1", slot__question__type="spr"
    ).first()
    url = reverse("practice:fulltest-save", args=[attempt.pk, "math1", spr.position])
    page = client.post(url, {"given": "3 1/2", "flagged": "1", "go": "next"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'value="3 1/2"' in html and 'aria-invalid="true"' in html
    assert re.search(r'name="flagged" value="1" data-flag checked', html)
    spr.refresh_from_db()
    assert spr.given == "" and not spr.flagged  # nothing of the refused save was stored


def test_after_the_deadline_the_save_is_refused_and_the_page_moves_on(client, form, learner):
    attempt = fulltest_start(learner=learner, now=timezone.now() - timedelta(minutes=33)).attempt
    response = _save(client, attempt, given="A")
    assert response.status_code == 409 and "Time is up" in response.json()["error"]
    module = TestModuleAttempt.objects.get(attempt=attempt, phase="rw1")
    assert module.closed_reason == "timed_out"
    page = client.get(reverse("practice:fulltest-question", args=[attempt.pk, "rw1", 1]), follow=True)
    assert page.redirect_chain[-1][0].endswith("/rw2/1/")


def test_review_submit_break_and_report(client, form, learner):
    attempt = fulltest_start(learner=learner).attempt
    review = client.get(reverse("practice:fulltest-review", args=[attempt.pk, "rw1"]))
    assert review.status_code == 200 and b"Check your work" in review.content
    for phase in ("rw1", "rw2"):
        response = client.post(reverse("practice:fulltest-submit", args=[attempt.pk, phase]))
        assert response.status_code == 302
    assert response.url == reverse("practice:fulltest-break", args=[attempt.pk])
    assert b"Take a break" in client.get(response.url).content
    assert client.get(reverse("practice:fulltest-report", args=[attempt.pk])).status_code == 302
    client.post(reverse("practice:fulltest-break-end", args=[attempt.pk]))
    for phase in ("math1", "math2"):
        client.post(reverse("practice:fulltest-submit", args=[attempt.pk, phase]))
    report = client.get(reverse("practice:fulltest-report", args=[attempt.pk]))
    html = report.content.decode()
    assert report.status_code == 200
    assert "PrepNexus estimate of the SAT scale" in html and "Knowledge and skills" in html
    assert html.count('<li class="report-question ') == 27 * 2 + 22 * 2
    assert 'media="print"' in html and "report-print." in html
    listing = client.get(reverse("practice:fulltest-list")).content.decode()
    assert "Score report" in listing


def test_save_query_budget(client, form, learner, django_assert_max_num_queries):
    attempt = fulltest_start(learner=learner).attempt
    _save(client, attempt, given="A")  # the session and user are warm, as mid-test
    with django_assert_max_num_queries(6):
        assert _save(client, attempt, position=2, given="B").status_code == 200


def test_question_load_query_budget(client, form, learner, django_assert_max_num_queries):
    attempt = fulltest_start(learner=learner).attempt
    url = reverse("practice:fulltest-question", args=[attempt.pk, "rw1", 3])
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_report_query_count_does_not_grow_with_the_test(client, form, learner, django_assert_max_num_queries):
    attempt = fulltest_start(learner=learner).attempt
    for phase in ("rw1", "rw2"):
        attempt = fulltest_module_submit(attempt=attempt, phase=phase)
    client.post(reverse("practice:fulltest-break-end", args=[attempt.pk]))
    for phase in ("math1", "math2"):
        client.post(reverse("practice:fulltest-submit", args=[attempt.pk, phase]))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("practice:fulltest-report", args=[attempt.pk])).status_code == 200
