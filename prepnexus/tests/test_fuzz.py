"""Random, oversized and malformed input to every form and query parameter the site shows.

Forms are found by rendering every walked URL (anonymous and signed in) and reading its <form>
elements, so forms other apps add are fuzzed without a change here. The answer to anything must be
below 500, and no half-written rows may remain.
"""

import os
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.harness.urlwalk import iter_routes

from .security import half_written, walk_urls

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = hsettings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Django's admin forms are staff-only and Django's own; the admin login (anonymous) is fuzzed.
SKIP_ACTION_PREFIXES = ("/" + settings.ADMIN_URL + "practice/", "/" + settings.ADMIN_URL + "auth/")

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "\u202e\u0000",
    "\ud7ff\ufffd\U0010ffff",
    "-1",
    "0",
    "1e309",
    "99999999999999999999999",
    "2024-02-30",
    "NaN",
    "null",
    "[]",
    "\r\nSet-Cookie: x=1",
]
values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(NASTY),
    st.integers(min_value=300, max_value=120_000).map(lambda n: "x" * n),
    st.integers().map(str),
)
field_values = st.one_of(values, st.lists(values, min_size=2, max_size=3))


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self.current)
        elif (
            tag in ("input", "select", "textarea", "button")
            and self.current is not None
            and attrs.get("name")
        ):
            self.current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def discover(client, learner, login_as) -> tuple[list[dict], list[str]]:
    """(POST forms, pages) reachable as `login_as` (None = anonymous)."""
    forms, pages = {}, []
    for _, url in walk_urls(learner)[0]:
        client.logout()
        if login_as:
            client.force_login(login_as)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages.append(url)
        parser = Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urlsplit(form["action"]).path or urlsplit(url).path
            form["action"] = action
            form["page"] = url
            if action.startswith(SKIP_ACTION_PREFIXES):
                continue
            forms.setdefault((form["method"], action, tuple(sorted(form["fields"]))), form)
    return list(forms.values()), pages


def fresh_state():
    # Lockouts and rate limits would answer 429 before the form is even read; reset them each time.
    AccessAttempt.objects.all().delete()
    cache.delete_pattern("*")


def fuzz_forms(client, forms, login_as):
    for form in forms:
        fuzz_form(client, form, login_as)


def fuzz_form(client, form, login_as):
    names = [n for n in form["fields"] if n != "csrfmiddlewaretoken"]
    strategy = st.fixed_dictionaries({}, optional={n: field_values for n in names}) | st.dictionaries(
        st.text(min_size=1, max_size=20), field_values, max_size=3
    )

    @FUZZ
    @given(data=strategy)
    def run(data):
        fresh_state()
        client.logout()
        if login_as:
            client.force_login(login_as)
        method = client.post if form["method"] == "post" else client.get
        response = method(form["action"], data)
        assert response.status_code < 500, (form["action"], data)
        assert not half_written(), (form["action"], data)

    run()


@pytest.mark.parametrize("role", ["anonymous", "learner"])
def test_fuzzed_form_posts_never_cause_a_server_error(client, learner, role):
    login_as = learner if role == "learner" else None
    forms, _ = discover(client, learner, login_as)
    actions = {form["action"] for form in forms}
    expected = (
        {"/accounts/login/", "/accounts/signup/"}
        if role == "anonymous"
        else {"/accounts/profile/", "/flashcards/import/"}
    )
    assert expected <= actions, actions
    fuzz_forms(client, forms, login_as)


QUERY_NAMES = ["next", "page", "q", "format", "sort", "order", "status", "skill", "tag", "id", "pk"]


def test_fuzzed_query_parameters_never_cause_a_server_error(client, learner):
    _, pages = discover(client, learner, learner)
    query = st.dictionaries(st.sampled_from(QUERY_NAMES) | st.text(max_size=10), field_values, max_size=4)

    @FUZZ
    @given(page=st.sampled_from(pages), params=query)
    def run(page, params):
        fresh_state()
        client.force_login(learner)
        response = client.get(page + "?" + urlencode(params, doseq=True))
        assert response.status_code < 500, (page, params)

    run()


def test_fuzzed_url_parameters_never_cause_a_server_error(client, learner):
    routes = [r for r in iter_routes() if r.params and r.named and not r.regex_parts]
    segment = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=40), st.integers().map(str))

    @FUZZ
    @given(route=st.sampled_from(routes), raw=st.lists(segment, min_size=1, max_size=3))
    def run(route, raw):
        client.force_login(learner)
        path = "/" + route.pattern
        for param, value in zip(route.params, raw * 3, strict=False):
            path = re.sub(rf"<(?:\w+:)?{param}>", quote(value, safe=""), path)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)

    run()


def test_posts_without_a_csrf_token_are_refused_on_every_form(learner):
    client = Client(enforce_csrf_checks=True)
    checked = 0
    for login_as in (None, learner):
        forms, _ = discover(client, learner, login_as)
        for form in forms:
            if form["method"] != "post":
                continue
            fresh_state()
            client.logout()
            if login_as:
                client.force_login(login_as)
            data = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
            response = client.post(form["action"], data)
            assert response.status_code == 403, form["action"]
            checked += 1
    assert checked >= 5
