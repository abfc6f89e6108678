"""Object-level authorization over every route: owners only, staff-only pages, login required.

The tables live in security.py. A route with parameters that is not classified there fails
test_every_parameterised_route_is_classified, so a new page is never skipped silently.
"""

import pytest
from django.urls import reverse

from tests.harness.urlwalk import iter_routes

from .security import (
    INSTITUTION_ROUTES,
    OWNED_ROUTES,
    PARAM_EXEMPT,
    PUBLIC_ROUTES,
    STAFF_ONLY,
    is_login_redirect,
    matches,
    owner_only_problems,
    walk_urls,
)

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    """Sent to a login page, or refused outright (401 for token-protected APIs, 403)."""
    return response.status_code in (401, 403) or is_login_redirect(response, "login", "admin:login")


def test_every_parameterised_route_is_classified():
    unclassified = [
        f"{route.name} ({route.pattern})"
        for route in iter_routes()
        if route.params
        and route.name not in OWNED_ROUTES
        and route.name not in INSTITUTION_ROUTES
        and not matches(route.name, PARAM_EXEMPT)
        and not matches(route.name, STAFF_ONLY)
    ]
    assert not unclassified, (
        "Add these routes to OWNED_ROUTES (with a factory), STAFF_ONLY or PARAM_EXEMPT in "
        "prepnexus/tests/security.py:\n" + "\n".join(unclassified)
    )


def test_registry_names_only_routes_that_exist():
    names = {route.name for route in iter_routes()}
    exact = [
        name
        for name in [*OWNED_ROUTES, *INSTITUTION_ROUTES, *PARAM_EXEMPT, *STAFF_ONLY, *PUBLIC_ROUTES]
        if ":*" not in name
    ]
    stale = [name for name in exact if name not in names]
    assert not stale


def test_owned_objects_are_404_for_other_learners_and_need_login(client, learner, other_learner):
    problems = []
    for name, factory in OWNED_ROUTES.items():
        url = reverse(name, kwargs=factory(learner))
        problems += owner_only_problems(client, url, learner, other_learner)
    assert not problems, "\n".join(problems)


def test_institution_objects_are_404_for_other_institutions_and_learners(client, learner, other_learner):
    """`learner` administers institution A; `other_learner` teaches at B; a third user teaches nowhere."""
    from practice.tests.factories import make_user
    from practice.tests.institution_factories import make_classroom, make_institution, make_member

    other_school = make_institution()
    make_member(other_school, "teacher", user=other_learner)
    make_classroom(other_school, teachers=[other_learner])
    plain = make_user()
    problems = []
    for name, factory in INSTITUTION_ROUTES.items():
        url = reverse(name, kwargs=factory(learner))
        problems += owner_only_problems(client, url, learner, other_learner)
        client.force_login(plain)
        status = client.get(url).status_code
        if status not in (403, 404, 405):
            problems.append(f"{url}: a user who teaches nowhere got {status}")
    client.logout()
    assert not problems, "\n".join(problems)


@pytest.mark.urls("prepnexus.tests.urls_authz")
def test_the_owner_check_catches_a_view_that_leaks_other_learners_objects(client, learner, other_learner):
    pk = learner.profile.pk
    assert owner_only_problems(client, f"/scoped/{pk}/", learner, other_learner) == []
    problems = owner_only_problems(client, f"/leaky/{pk}/", learner, other_learner)
    assert problems == [f"/leaky/{pk}/: another learner got 200, not 404"]
    assert owner_only_problems(client, f"/scoped-post/{pk}/", learner, other_learner) == []
    problems = owner_only_problems(client, f"/leaky-post/{pk}/", learner, other_learner)
    assert problems == [f"/leaky-post/{pk}/: another learner got 422, not 404"]


def test_pages_that_are_not_public_send_anonymous_visitors_to_login(client, learner):
    urls, _ = walk_urls(learner)
    problems = []
    for name, url in urls:
        if matches(name, PUBLIC_ROUTES) or matches(name, STAFF_ONLY) or matches(name, PARAM_EXEMPT):
            continue
        response = client.get(url)
        if not (refused(response) or response.status_code == 405):
            problems.append(f"{name} {url}: anonymous got {response.status_code}")
    assert not problems, (
        "Require login, or list the route in PUBLIC_ROUTES (prepnexus/tests/security.py) with a reason:\n"
        + "\n".join(problems)
    )


def test_staff_only_pages_refuse_learners_and_anonymous_visitors(client, learner, staff):
    urls, _ = walk_urls(learner)
    checked, problems = 0, []
    for name, url in urls:
        if not matches(name, STAFF_ONLY) or matches(name, PUBLIC_ROUTES):
            continue
        checked += 1
        client.logout()
        response = client.get(url)
        if not refused(response):
            problems.append(f"{name} {url}: anonymous got {response.status_code}")
        client.force_login(learner)
        response = client.get(url)
        if not (refused(response) or response.status_code == 404):
            problems.append(f"{name} {url}: a learner got {response.status_code}")
        client.force_login(staff)
        if client.get(url).status_code >= 500:
            problems.append(f"{name} {url}: staff got a server error")
    assert checked > 10
    assert not problems, "\n".join(problems)
