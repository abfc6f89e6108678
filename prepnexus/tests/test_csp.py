"""A strict Content-Security-Policy on every page, and no template that would need it loosened."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from .security import walk_urls

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def csp_problems(response) -> list[str]:
    header = response.headers.get("Content-Security-Policy")
    if not header:
        return ["no Content-Security-Policy header"]
    policy = parse_csp(header)
    problems = [
        f"{name} is {policy.get(name)}" for name, want in REQUIRED.items() if policy.get(name) != want
    ]
    for name, values in policy.items():
        if values & {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"}:
            problems.append(f"{name} allows {values}")
    return problems


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts and styles, style and on* attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("role", ["anonymous", "learner", "staff"])
def test_every_response_of_every_route_carries_the_strict_policy(client, role, learner, staff):
    urls, missing = walk_urls(learner)
    assert not missing, f"no sample URL for {missing}: add them to EXTRA_PATHS in security.py"
    problems, html_pages = [], 0
    for name, url in urls:
        client.logout()
        if role != "anonymous":
            client.force_login(learner if role == "learner" else staff)
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html_pages += 1
        problems += [f"{name} {url} ({response.status_code}): {p}" for p in csp_problems(response)]
        if response.headers.get("Permissions-Policy") is None:
            problems.append(f"{name} {url}: no Permissions-Policy")
        if response.content:
            problems += [f"{name} {url}: {p}" for p in inline_code(response.content.decode())]
    assert not problems, "\n".join(problems)
    assert html_pages >= 20  # the walk really rendered pages


@pytest.mark.parametrize("path", ["/no-such-page/", "/health/?format=json", "/accounts/login/?next=%00"])
def test_error_and_non_page_responses_carry_the_policy_too(client, path):
    response = client.get(path)
    assert not csp_problems(response)


def test_the_policy_checker_notices_a_weak_policy():
    class Fake:
        headers = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"}

    assert csp_problems(Fake())
    assert inline_code('<p style="color:red" onclick="x()"><script>alert(1)</script><style></style>')


def _template_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    skip = {".venv", "staticfiles", "node_modules", "test-artifacts", ".git", ".run"}
    # Mail templates are never served under the site's CSP, and mail clients need inline styles.
    mail = ("templates", "mail")
    return [
        p
        for p in root.rglob("*.html")
        if not skip & set(p.relative_to(root).parts) and p.relative_to(root).parts[:2] != mail
    ]


# Template syntax that writes inline code the CSP blocks. Checked in the source, so a template that is
# rarely rendered (an error branch) is caught as well.
FORBIDDEN = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on*= event handler": re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_contains_inline_script_style_or_event_handlers():
    files = _template_files()
    assert len(files) > 10
    problems = []
    for path in files:
        text = path.read_text()
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not problems, "Move code to static/js and styles to static/css:\n" + "\n".join(problems)
