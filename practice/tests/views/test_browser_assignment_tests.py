"""A full-length test as an assignment in a real browser: the teacher assigns it, follows who finished and
reads a learner's report, and records a learner's accommodations; every page passes axe (WCAG 2.1 AA).
Screenshots land in the artifacts directory (assigned-test-NN-...)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from practice.models import AssignmentProgress, Role
from practice.services.fulltests import fulltest_sync
from practice.services.testassignments import assignment_test_start
from practice.tenancy import operator_access, user_scope
from tests.harness.axe import axe_violations, format_violations

from ..factories import PASSWORD, make_user
from ..fulltest_factories import make_full_form
from ..institution_factories import (
    make_classroom,
    make_enrollment,
    make_institution,
    make_member,
    make_test_assignment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(transactional_db):
    """Built before the browser starts: a class with a learner who sat an assigned test, one who did not."""
    with transaction.atomic():  # the questions' options are checked at commit
        form = make_full_form("Practice Test A")
    institution = make_institution(name="Northfield High", slug="northfield", time_zone="Europe/London")
    teacher = make_member(institution, Role.TEACHER, username="mrsmith", email="smith@example.org").user
    classroom = make_classroom(institution, teachers=[teacher], name="SAT prep")
    ada = make_enrollment(classroom, make_user(username="ada", email="ada@example.org")).learner
    ada.profile.display_name = "Ada Lovelace"
    ada.profile.save(update_fields=["display_name"])
    ben = make_enrollment(classroom, make_user(username="ben", email="ben@example.org")).learner
    start = timezone.now() - timedelta(hours=6)
    assignment = make_test_assignment(
        classroom, learners=[ada, ben], form=form, title="Mock 1", opens_at=start
    )
    with user_scope(ada, roles=[Role.LEARNER]):
        progress = AssignmentProgress.objects.get(assignment=assignment, learner=ada)
        attempt = assignment_test_start(learner=ada, progress=progress, now=start).attempt
    fulltest_sync(attempt=attempt)
    with operator_access(reason="test", actor="tests"):
        return {"classroom": classroom.pk, "assignment": assignment.pk, "ada": ada.pk}


def test_a_teacher_assigns_follows_and_reads_a_full_test_in_a_browser(
    school, app_server, browser, artifacts_dir
):
    base, shot = app_server.base_url, 0
    problems = []

    def check(page, name):
        nonlocal shot
        shot += 1
        page.screenshot(path=artifacts_dir / f"assigned-test-{shot:02d}-{name}.png", full_page=True)
        violations = axe_violations(page)
        if violations:
            problems.append(format_violations(violations, name))

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email or username").fill("mrsmith")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)

    page.goto(f"{base}/teach/classes/{school['classroom']}/assignments/new/")
    page.get_by_label("Title").fill("Mock 2")
    page.get_by_label("Full-length practice test").check()
    page.get_by_label("Test form").select_option(label="Practice Test A")
    page.get_by_label("Due").fill((timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    check(page, "new-assignment")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("heading", name="Mock 2")).to_be_visible()
    expect(page.get_by_text("Full-length practice test · Practice Test A")).to_be_visible()

    page.goto(f"{base}/teach/assignments/{school['assignment']}/")
    expect(page.get_by_text("Finished 1 of 2")).to_be_visible()
    check(page, "assignment")
    page.get_by_role("link", name="Score report of Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Score report")).to_be_visible()
    expect(page.get_by_text("by Ada Lovelace")).to_be_visible()
    check(page, "report")

    page.goto(f"{base}/teach/classes/{school['classroom']}/learners/{school['ada']}/")
    page.get_by_role("link", name="Change testing accommodations").click()
    page.get_by_label("Time and a half (+50%)").check()
    check(page, "accommodations")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Time and a half (+50%)")).to_be_visible()
    page.close()
    assert not problems, "\n".join(problems)
