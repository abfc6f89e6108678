"""Institutions end to end in a real browser: an admin makes a class and uploads a roster, a teacher assigns a
practice set, a learner joins by code and does it, the teacher sees the result, and another institution's
teacher gets 404 on all of it. Screenshots land in the artifacts directory (institutions-NN-...)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practice.models import Role, Skill

from ..factories import PASSWORD, ensure_taxonomy, make_question, make_user
from ..institution_factories import make_classroom, make_institution, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKILL = "Linear equations in one variable"
WIDTH = 1200


@pytest.fixture
def schools(transactional_db):
    """Built before the browser starts (Playwright's loop makes the ORM refuse to run afterwards)."""
    ensure_taxonomy()
    skill = Skill.objects.get(name=SKILL)
    for _ in range(8):
        make_question(skill=skill)
    school = make_institution(name="Northfield High", slug="northfield", time_zone="Europe/London")
    head = make_member(school, Role.ADMIN, username="head", email="head@northfield.example.org").user
    teacher = make_member(school, Role.TEACHER, username="mrsmith", email="smith@northfield.example.org").user
    classroom = make_classroom(school, teachers=[teacher], name="Algebra 1")
    learner = make_user(username="ada", email="ada@example.org")
    other = make_institution(name="Southgate Academy", slug="southgate")
    outsider = make_member(other, Role.TEACHER, username="outsider", email="out@southgate.example.org").user
    names = {head: "Ms Head", teacher: "Mr Smith", learner: "Ada Lovelace", outsider: "Mr Out"}
    for user, name in names.items():
        user.profile.display_name = name
        user.profile.save(update_fields=["display_name"])
    make_classroom(other, teachers=[outsider], name="Geometry")
    tomorrow = timezone.localtime(timezone.now(), ZoneInfo(school.time_zone)) + timedelta(days=1)
    return {
        "school": school.pk,
        "classroom": classroom.pk,
        "skill": skill.pk,
        "due": tomorrow.replace(hour=18, minute=0).strftime("%Y-%m-%dT%H:%M"),
    }


def _log_in(browser, base_url, username):
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


def _roster(tmp_path, rows: str):
    path = tmp_path / "roster.csv"
    path.write_text("email,name,external_id\n" + rows, encoding="utf-8")
    return path


def _overflowing(page) -> list[str]:
    """Elements that stick out past the viewport's right edge, outside .table-scroll containers (the skip
    link parks at a negative left until focused, which is not an overflow)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                if (el.closest('.table-scroll')) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) {
                    out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
                }
            }
            if (document.documentElement.scrollWidth > width) out.push('document scrolls sideways');
            return out;
        }"""
    )


def test_institution_admin_teacher_learner_and_outsider_in_a_browser(
    schools, app_server, browser, artifacts_dir, tmp_path
):
    base = app_server.base_url
    shot = 0

    def screenshot(page, name):
        nonlocal shot
        shot += 1
        page.screenshot(path=artifacts_dir / f"institutions-{shot:02d}-{name}.png", full_page=True)
        text = page.locator("body").inner_text()
        assert "{{" not in text and "{%" not in text, f"raw template tags on {page.url}"

    # 1. The institution admin makes a class and uploads its roster.
    admin = _log_in(browser, base, "head")
    admin.goto(base + "/teach/")
    expect(admin.get_by_role("heading", name="Your classes")).to_be_visible()
    expect(admin.get_by_role("link", name="Manage Northfield High")).to_be_visible()
    expect(admin.get_by_role("link", name="Algebra 1")).to_be_visible()  # an admin sees every class
    screenshot(admin, "admin-classes")
    admin.get_by_role("link", name="New class").click()
    admin.get_by_label("Class name").fill("Year 11 Maths")
    screenshot(admin, "admin-new-class")
    admin.get_by_role("button", name="Create class").click()
    expect(admin.get_by_role("heading", name="Year 11 Maths")).to_be_visible()
    code = admin.locator("h1 + p code").inner_text()
    assert re.fullmatch(r"[A-Z0-9-]{6,}", code), code
    expect(admin.get_by_text(f"Learners join it with code {code}.")).to_be_visible()
    screenshot(admin, "admin-class-created")

    admin.get_by_role("link", name="Upload a roster").click()
    expect(admin.get_by_role("heading", name="Upload a roster into Year 11 Maths")).to_be_visible()
    bad = _roster(
        tmp_path,
        "amara.okafor@example.org,Amara Okafor,N-101\n"
        "ben.lee(at)example.org,Ben Lee,N-102\n"
        "chloe.martin@example.org,Chloé Martin,N-103\n",
    )
    admin.get_by_label("Roster CSV file").set_input_files(bad)
    admin.get_by_role("button", name="Preview").click()
    expect(admin.get_by_role("heading", name="Preview")).to_be_visible()
    expect(admin.get_by_text("1 row cannot be added")).to_be_visible()
    refused = admin.locator("tr", has_text="ben.lee(at)example.org")
    expect(refused.locator("td").nth(0)).to_have_text("3")
    expect(refused).to_contain_text("Refused")
    expect(refused).to_contain_text("is not an email address")
    expect(admin.get_by_role("button", name="Commit roster")).to_have_count(0)
    screenshot(admin, "admin-roster-refused")

    good = _roster(
        tmp_path,
        "amara.okafor@example.org,Amara Okafor,N-101\n"
        "ben.lee@example.org,Ben Lee,N-102\n"
        "chloe.martin@example.org,Chloé Martin,N-103\n",
    )
    admin.get_by_label("Roster CSV file").set_input_files(good)
    admin.get_by_role("button", name="Preview").click()
    expect(admin.get_by_text("New account: 3")).to_be_visible()
    expect(admin.get_by_text("cannot be added")).to_have_count(0)
    screenshot(admin, "admin-roster-preview")
    admin.get_by_role("button", name="Commit roster").click()
    expect(admin.get_by_role("heading", name="Roster added")).to_be_visible()
    expect(admin.get_by_role("status")).to_contain_text("New accounts: 3")
    links = admin.locator("table code")
    expect(links).to_have_count(3)
    for i in range(3):
        assert re.search(r"/accounts/", links.nth(i).inner_text()), links.nth(i).inner_text()
    expect(admin.locator("tr", has_text="ben.lee@example.org")).to_contain_text("Ben Lee")
    screenshot(admin, "admin-roster-done")
    admin.get_by_role("link", name="Year 11 Maths").click()
    expect(admin.get_by_role("heading", name="Learners (3)")).to_be_visible()
    for name in ("Amara Okafor", "Ben Lee", "Chloé Martin"):
        expect(admin.locator(".roster-table tbody tr", has_text=name)).to_have_count(1)
    # New accounts: every heatmap cell is in the untouched state.
    untouched = admin.locator(".heatmap td.heat")
    expect(untouched).not_to_have_count(0)
    expect(admin.locator(".heatmap td.heat:not(.level-not-started)")).to_have_count(0)
    admin.locator(".heatmap").scroll_into_view_if_needed()
    screenshot(admin, "admin-class-with-roster")
    admin.close()

    # 2. The teacher of Algebra 1 assigns a practice set.
    teacher = _log_in(browser, base, "mrsmith")
    teacher.goto(base + "/teach/")
    teacher.get_by_role("link", name="Algebra 1").click()
    class_url = teacher.url
    join_code = teacher.locator("h1 + p code").inner_text()
    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_label("Title").fill("Linear equations warm-up")
    teacher.get_by_label("Math", exact=True).check()
    math_choice = teacher.locator("fieldset.section-choice", has=teacher.get_by_label("Math", exact=True))
    math_choice.get_by_text("Choose domains or skills").click()
    teacher.get_by_label(SKILL, exact=True).check()
    teacher.get_by_label("Number of questions").fill("5")
    teacher.get_by_label("Due").fill(schools["due"])
    screenshot(teacher, "teacher-new-assignment")
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.get_by_role("heading", name="Linear equations warm-up")).to_be_visible()
    expect(teacher.get_by_text("Assigned Linear equations warm-up to Algebra 1.")).to_be_visible()
    assignment_url = teacher.url
    expect(teacher.get_by_text("No learners have this assignment yet.")).to_be_visible()
    teacher.close()

    # 3. The learner joins by code, does the assignment from the dashboard and sees it done.
    learner = _log_in(browser, base, "ada")
    learner.goto(base + "/accounts/profile/")
    learner.get_by_role("link", name="Join a class").click()
    learner.get_by_label("Class code").fill(join_code)
    screenshot(learner, "learner-join")
    learner.get_by_role("button", name="Join").click()
    expect(learner.get_by_text("You joined Algebra 1.")).to_be_visible()
    assigned = learner.locator(".dash-assigned")
    expect(assigned.get_by_role("heading", name="Assigned to you")).to_be_visible()
    expect(assigned).to_contain_text("Linear equations warm-up")
    screenshot(learner, "learner-dashboard-assigned")
    assigned.get_by_role("button", name="Start").click()
    for number in range(1, 6):
        expect(learner.get_by_role("heading", name=f"Question {number} of 5")).to_be_visible()
        learner.locator("label[for=option-B]" if number != 3 else "label[for=option-C]").click()
        learner.get_by_role("button", name="Submit answer").click()
        expect(learner.locator(".feedback")).to_be_visible()
        if number == 1:
            screenshot(learner, "learner-feedback")
        learner.locator("[data-next-link]").click()
    expect(learner.get_by_role("heading", name="Your results")).to_be_visible()
    screenshot(learner, "learner-results")
    learner.goto(base + "/dashboard/")
    done = learner.locator(".dash-assigned li", has_text="Linear equations warm-up")
    expect(done.locator(".done")).to_have_text("done")
    expect(done).to_contain_text("(80%)")
    expect(learner.get_by_text("Nothing to do right now.")).to_be_visible()
    screenshot(learner, "learner-dashboard-done")
    learner.close()

    # 4. The teacher sees the completion and the score.
    teacher = _log_in(browser, base, "mrsmith")
    teacher.goto(class_url)
    expect(teacher.get_by_role("heading", name="Learners (1)")).to_be_visible()
    expect(teacher.locator(".roster-table tbody tr", has_text="Ada Lovelace")).to_be_visible()
    skills = teacher.locator(".heatmap thead tr").last.locator("th.heat-skill").all_inner_texts()
    heat_row = teacher.locator(".heatmap tbody tr", has=teacher.get_by_role("rowheader", name="Ada Lovelace"))
    cells = heat_row.locator("td.heat")
    expect(cells).to_have_count(len(skills))
    expect(cells.nth(skills.index(SKILL))).to_have_class(re.compile(r"\blevel-attempted\b"))
    expect(heat_row.locator("td.heat:not(.level-not-started)")).to_have_count(1)
    expect(teacher.locator("li", has_text="Linear equations warm-up")).to_contain_text("1 of 1 completed")
    assert _overflowing(teacher) == []
    screenshot(teacher, "teacher-class")
    teacher.goto(assignment_url)
    expect(teacher.get_by_text("Completed 1 of 1")).to_be_visible()
    row = teacher.locator("tbody tr", has_text="Ada Lovelace")
    expect(row).to_contain_text("Completed")
    expect(row.locator("td").last).to_have_text("80%")
    screenshot(teacher, "teacher-assignment")
    teacher.close()

    # 5. A teacher of another institution gets 404 on every page of the first one.
    outsider = _log_in(browser, base, "outsider")
    for path in (
        class_url.removeprefix(base),
        assignment_url.removeprefix(base),
        f"/teach/classes/{schools['classroom']}/roster/",
        f"/teach/institutions/{schools['school']}/",
    ):
        response = outsider.goto(base + path)
        assert response.status == 404, (path, response.status)
    screenshot(outsider, "outsider-404")
    outsider.goto(base + "/teach/")
    expect(outsider.get_by_role("link", name="Geometry")).to_be_visible()
    expect(outsider.get_by_role("link", name="Algebra 1")).to_have_count(0)
    outsider.close()
