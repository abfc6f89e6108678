import io

import pytest
from django.core.management import CommandError, call_command

from practice.engine.templates import REGISTRY
from practice.models import Question

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("generate_variants", *args, stdout=out)
    return out.getvalue()


def test_generate_variants_freezes_seeds_and_is_safe_to_rerun():
    assert "linear-one-var-1: 3 new, 0 already stored" in _run("linear-one-var-1", "--count", "3")
    assert "linear-one-var-1: 1 new, 2 already stored" in _run(
        "linear-one-var-1", "--count", "3", "--start", "2"
    )
    seeds = set(
        Question.objects.filter(template_code="linear-one-var-1").values_list("template_seed", flat=True)
    )
    assert seeds == {1, 2, 3, 4}


def test_generate_variants_all_covers_every_template():
    _run("--all", "--count", "1")
    assert set(Question.objects.values_list("template_code", flat=True)) == set(REGISTRY)


def test_generate_variants_refuses_unknown_template_and_missing_choice():
    with pytest.raises(CommandError, match="no item template"):
        _run("no-such-template")
    with pytest.raises(CommandError, match="--all"):
        _run()
