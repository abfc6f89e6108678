"""What the security tests need to know about routes. Extend these as apps add pages.

Every route is walked automatically (tests/harness/urlwalk.py). A route with parameters must be
classified here, or test_authorization fails and names it: nothing is skipped silently.
"""

from collections.abc import Callable

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


# Route name -> factory(owner) returning the URL kwargs of an object that belongs to `owner`.
# Another learner must get 404 there, an anonymous visitor a redirect to login, the owner a page.
# POST-only routes (answer, flag, finish) are checked with a POST. After merging practice, e.g.
#   "practice:session-detail": lambda owner: {"pk": make_session(owner).pk},
#   "practice:answer-create": lambda owner: {"pk": make_session(owner).pk, "position": 1},
def _session(owner):
    from practice.tests.factories import make_session

    return make_session(owner)


def _test_attempt(owner):
    """The owner's open full-length test (one per learner: later calls resume it)."""
    from practice.models import TestForm
    from practice.services.fulltests import fulltest_start
    from practice.tests.fulltest_factories import make_full_form

    if not TestForm.objects.published().exists():
        make_full_form()
    return fulltest_start(learner=owner).attempt


def _test_item(owner):
    return {"pk": _test_attempt(owner).pk, "phase": "rw1", "position": 1}


def _review_item(owner):
    from practice.models import ReviewItem
    from practice.tests.learning_factories import make_answered_session

    make_answered_session(owner, count=5, correct=False)
    return ReviewItem.objects.filter(learner=owner).first()


def _review_attempt(owner):
    import uuid

    from practice.services.review import review_answer_submit

    return review_answer_submit(item=_review_item(owner), given="B", key=uuid.uuid4(), time_spent_ms=20_000)


def _assignment_progress(owner):
    """A progress row of an open assignment for `owner`, in a class of a new school they joined."""
    from practice.models import AssignmentProgress
    from practice.tenancy import operator_access
    from practice.tests.factories import make_questions
    from practice.tests.institution_factories import make_assignment, make_enrollment, make_school

    make_questions(5)  # enough published Math questions for the assignment's session
    classroom = make_school()[3]
    make_enrollment(classroom, owner)
    assignment = make_assignment(classroom, learners=[owner], length=5)
    with operator_access(reason="tests", actor="tests"):
        return AssignmentProgress.objects.get(assignment=assignment, learner=owner)


def _flashcard(owner):
    from practice.tests.learning_factories import make_flashcard

    return make_flashcard(owner)


OWNED_ROUTES: dict[str, Callable] = {
    "practice:review-item": lambda owner: {"pk": _review_item(owner).pk},
    "practice:review-attempt": lambda owner: {"pk": _review_attempt(owner).pk},
    "practice:flashcard-update": lambda owner: {"pk": _flashcard(owner).pk},
    "practice:flashcard-delete": lambda owner: {"pk": _flashcard(owner).pk},
    "practice:flashcard-rate": lambda owner: {"pk": _flashcard(owner).pk},
    "practice:session-detail": lambda owner: {"pk": _session(owner).pk},
    "practice:item-detail": lambda owner: {"pk": _session(owner).pk, "position": 1},
    "practice:answer-create": lambda owner: {"pk": _session(owner).pk, "position": 1},
    "practice:item-flag": lambda owner: {"pk": _session(owner).pk, "position": 1},
    "practice:session-finish": lambda owner: {"pk": _session(owner).pk},
    "practice:session-results": lambda owner: {"pk": _session(owner).pk},
    "practice:session-mistakes": lambda owner: {"pk": _session(owner).pk},
    "practice:assignment-start": lambda owner: {"pk": _assignment_progress(owner).pk},
    "practice:fulltest-detail": lambda owner: {"pk": _test_attempt(owner).pk},
    "practice:fulltest-break": lambda owner: {"pk": _test_attempt(owner).pk},
    "practice:fulltest-break-end": lambda owner: {"pk": _test_attempt(owner).pk},
    "practice:fulltest-report": lambda owner: {"pk": _test_attempt(owner).pk},
    "practice:fulltest-review": lambda owner: {"pk": _test_attempt(owner).pk, "phase": "rw1"},
    "practice:fulltest-submit": lambda owner: {"pk": _test_attempt(owner).pk, "phase": "rw1"},
    "practice:fulltest-question": lambda owner: _test_item(owner),
    "practice:fulltest-save": lambda owner: _test_item(owner),
}


def school_of(admin):
    """The institution `admin` administers (made on first use): institution routes' objects live there."""
    from practice.models import Membership
    from practice.tenancy import operator_access
    from practice.tests.institution_factories import make_institution, make_member

    with operator_access(reason="tests", actor="tests"):
        membership = Membership.objects.filter(user=admin, role="admin").select_related("institution").first()
    if membership:
        return membership.institution
    institution = make_institution()
    make_member(institution, "admin", user=admin)
    return institution


def class_of(admin):
    """A class of the admin's institution, with one enrolled learner (`classroom.learner`)."""
    from practice.tests.institution_factories import make_classroom, make_enrollment

    classroom = make_classroom(school_of(admin), teachers=[admin])
    classroom.learner = make_enrollment(classroom).learner
    return classroom


def assignment_of(admin):
    """An assignment of a class of the admin's institution, given to its learner."""
    from practice.models import Enrollment
    from practice.tenancy import operator_access
    from practice.tests.institution_factories import make_assignment

    classroom = class_of(admin)
    with operator_access(reason="tests", actor="tests"):
        learners = [
            e.learner for e in Enrollment.objects.filter(classroom=classroom).select_related("learner")
        ]
    return make_assignment(classroom, learners=learners)


def finished_test_of(admin):
    """The URL kwargs of a full-test assignment of a class of the admin's institution and its learner, who
    sat the test (started hours ago, so the clock ended it and it is scored)."""
    from datetime import timedelta

    from django.utils import timezone

    from practice.models import AssignmentProgress, Role, TestForm
    from practice.services.fulltests import fulltest_sync
    from practice.services.testassignments import assignment_test_start
    from practice.tenancy import user_scope
    from practice.tests.fulltest_factories import make_full_form
    from practice.tests.institution_factories import make_test_assignment

    if not TestForm.objects.published().exists():
        make_full_form()
    classroom = class_of(admin)
    start = timezone.now() - timedelta(hours=6)
    assignment = make_test_assignment(classroom, learners=[classroom.learner], opens_at=start)
    with user_scope(classroom.learner, roles=[Role.LEARNER]):
        progress = AssignmentProgress.objects.get(assignment=assignment)
        attempt = assignment_test_start(learner=classroom.learner, progress=progress, now=start).attempt
    fulltest_sync(attempt=attempt)
    return {"pk": assignment.pk, "learner_pk": classroom.learner.pk}


def class_learner(admin):
    """The URL kwargs of the learner enrolled in a class of the admin's institution."""
    classroom = class_of(admin)
    return {"pk": classroom.pk, "learner_pk": classroom.learner.pk}


# Route name -> factory(admin) returning the URL kwargs of an object of the institution `admin`
# administers. A teacher or admin of another institution must get 404, a learner 403 or 404, an
# anonymous visitor a redirect to login, the admin a page (test_authorization).
INSTITUTION_ROUTES: dict[str, Callable] = {
    "teach:class-detail": lambda admin: {"pk": class_of(admin).pk},
    "teach:class-settings": lambda admin: {"pk": class_of(admin).pk},
    "teach:assignment-create": lambda admin: {"pk": class_of(admin).pk},
    "teach:assignment-detail": lambda admin: {"pk": assignment_of(admin).pk},
    "teach:class-export": lambda admin: {"pk": class_of(admin).pk},
    "teach:learner-detail": class_learner,
    "teach:learner-accommodations": class_learner,
    "teach:assignment-learner-report": finished_test_of,
    "teach:institution-detail": lambda admin: {"pk": school_of(admin).pk},
    "teach:access-list": lambda admin: {"pk": school_of(admin).pk},
    "teach:access-export": lambda admin: {"pk": school_of(admin).pk},
    "teach:roster-upload": lambda admin: {"pk": school_of(admin).pk},
    "teach:class-roster-upload": lambda admin: {"pk": class_of(admin).pk},
}

# Routes (or whole namespaces, "name:*") only staff may use. Learners are refused (403, 404 or a
# redirect to a login page), anonymous visitors are sent to log in, staff get the page.
STAFF_ONLY = {
    "admin:*": "Django's admin; AdminSite.admin_view checks is_staff before any view runs",
    "monitoring:dashboard": "operators' page: database, cache, replicas, request figures",
    "monitoring:metrics": "Prometheus exposition; staff session or MONITORING_TOKEN",
    "monitoring:database-health": "database internals; staff session or MONITORING_TOKEN",
    "monitoring:performance": "per-route figures; staff session or MONITORING_TOKEN",
}

# Parameterised routes that are neither owned objects nor staff-only, and why that is safe.
PARAM_EXEMPT = {
    "password_reset_confirm": "Django's own view: the signed, single-use token in the URL is the "
    "authorization; a wrong token shows 'invalid link'",
    "email-verify": "the signed link names the account; a bad link is a 400 for anyone, a good one sends "
    "an anonymous visitor to log in, and only the account it names can confirm it",
    "blog:*": "published posts and tags are public, addressed by slug; that drafts 404 for visitors "
    "is the blog's own test",
    "practice:mail-unsubscribe": "the signed token (django.core.signing, salted) naming the user and the "
    "kind is the authorization; it can only turn that kind of mail off, and a bad token is a 400 page",
    "practice:export-download": "the parameter is the file format (zip or json); the download is always "
    "the requesting learner's own data, and anonymous visitors are sent to log in",
}

# Pages an anonymous visitor may see. Any other route without parameters must send anonymous
# visitors to the login page (or refuse the method): a new learner page cannot be left open by mistake.
PUBLIC_ROUTES = {
    "home": "landing page",
    "signup": "account creation",
    "login": "login form",
    "logout": "POST only; logging out an anonymous visitor is harmless",
    "password_reset": "reset request form",
    "password_reset_done": "static confirmation",
    "password_reset_complete": "static confirmation",
    "monitoring:health": "load balancer probe; no personal data",
    "monitoring:health-ready": "load balancer probe; no personal data",
    "monitoring:health-live": "load balancer probe; no personal data",
    "blog:*": "the blog is public reading",
    "admin:login": "staff login form (throttled like the learner login)",
    "admin:logout": "POST only",
}

# URLs for patterns a sample cannot be generated for (unnamed regular-expression patterns).
EXTRA_PATHS = {
    "admin:<admin/(?P<url>.*)$>": "/admin/no-such-page/",
}


def matches(name: str, table) -> bool:
    return name in table or any(key.endswith(":*") and name.startswith(key[:-1]) for key in table)


def sample_kwargs(learner) -> dict:
    """Parameter name -> a value that points at something real, so walked pages render, not 404."""
    from django.contrib.contenttypes.models import ContentType

    return {
        "object_id": learner.pk,
        "id": learner.pk,
        "pk": learner.pk,
        "content_type_id": ContentType.objects.get_for_model(type(learner)).pk,
        "app_label": "practice",
        "uidb64": urlsafe_base64_encode(force_bytes(learner.pk)),
        "token": default_token_generator.make_token(learner),
    }


def walk_urls(learner) -> tuple[list[tuple[str, str]], list[str]]:
    """(route name, sample URL) for every route, objects owned by `learner`; and the routes for which
    no URL could be built (a test fails on those)."""
    from tests.harness.urlwalk import iter_routes, sample_url

    samples = sample_kwargs(learner)
    owned = {name: factory(learner) for name, factory in OWNED_ROUTES.items()}
    owned |= {name: factory(learner) for name, factory in INSTITUTION_ROUTES.items()}
    urls, missing = [], []
    for route in iter_routes():
        url = EXTRA_PATHS.get(route.name) or sample_url(route, samples, owned)
        if url is None:
            missing.append(route.name)
        else:
            urls.append((route.name, url))
    return urls, missing


def is_login_redirect(response, *login_names: str) -> bool:
    from urllib.parse import urlsplit

    from django.urls import reverse

    if response.status_code != 302:
        return False
    targets = {reverse(name) for name in (login_names or ("login",))}
    return urlsplit(response["Location"]).path in targets


def owner_only_problems(client, url: str, owner, other) -> list[str]:
    """What is wrong with `url` (an object of `owner`) for anonymous visitors, other learners, the owner.

    A route the owner cannot GET (405: a POST-only action such as answering) is checked with an empty
    POST instead: the ownership check must come before any validation of what was posted.
    """
    client.force_login(owner)
    method = client.get
    if client.get(url).status_code == 405:
        method = client.post
    problems = []
    client.logout()
    response = method(url)
    if not is_login_redirect(response):
        problems.append(f"{url}: anonymous got {response.status_code}, not a redirect to login")
    client.force_login(other)
    response = method(url)
    if response.status_code != 404:
        problems.append(f"{url}: another learner got {response.status_code}, not 404")
    client.force_login(owner)
    response = method(url)
    if response.status_code in (403, 404, 405) or response.status_code >= 500:
        problems.append(f"{url}: the owner got {response.status_code}")
    client.logout()
    return problems


def half_written() -> list[str]:
    """Rows a failed or partial write would leave behind. Add a check per multi-row write."""
    from practice.models import Flashcard, User

    problems = []
    if User.objects.filter(profile__isnull=True).exists():
        problems.append("a User without a Profile")
    if Flashcard.objects.filter(fsrs_state__isnull=True).exists():
        problems.append("a Flashcard without its FSRS state (a card create or CSV import stopped halfway)")
    return problems
