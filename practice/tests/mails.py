"""Helpers for tests of mail: a mail kind with templates in a folder of the test's own (so the mail core's
tests do not depend on the wording of the real kinds' mails), and the parts of a received message."""

import pytest

TEMPLATES = {
    "subject.txt": "A note for {{ name }}\n",
    "txt": "Hello {{ name }},\n\nThis is a note.\n"
    "{% if unsubscribe_url %}Unsubscribe: {{ unsubscribe_url }}\n{% endif %}",
    "html": '{% extends "mail/base_email.html" %}{% block content %}<p>Hello {{ name }},</p>'
    "<p>This is a note.</p>{% endblock content %}",
}


@pytest.fixture
def mail_templates(settings, tmp_path):
    """Templates for the kinds "note" and "digest" (the latter non-essential), found before the site's."""
    folder = tmp_path / "mail"
    folder.mkdir()
    for kind in ("note", "digest"):
        for ext, text in TEMPLATES.items():
            (folder / f"{kind}.{ext}").write_text(text)
    engines = [dict(engine) for engine in settings.TEMPLATES]
    engines[0]["DIRS"] = [tmp_path, *engines[0]["DIRS"]]
    settings.TEMPLATES = engines
    return folder


def parts(message) -> dict[str, str]:
    """A received message's parts by content type: {"text/plain": ..., "text/html": ...}."""
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def text(message) -> str:
    """A received message's plain-text part."""
    return parts(message)["text/plain"]
