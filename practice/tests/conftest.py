import pytest
from django.db import transaction

from practice.models import Question, QuestionOption

from .forms_factories import load_bank

# The real starter bank, read once per test run through the import service and then copied back in
# row by row for each module that asks for it (the import validates every item and takes ~20 s).
_BANK: dict[str, list[dict]] = {}


@pytest.fixture(scope="module")
def starter_bank(django_db_setup, django_db_blocker):
    """The published starter bank, committed for the module's tests and removed after them."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            if _BANK:
                Question.objects.bulk_create(Question(**row) for row in _BANK["questions"])
                QuestionOption.objects.bulk_create(QuestionOption(**row) for row in _BANK["options"])
            else:
                load_bank()
                _BANK["questions"] = list(Question.objects.values())
                _BANK["options"] = list(QuestionOption.objects.values())
        yield len(_BANK["questions"])
        with transaction.atomic():
            QuestionOption.objects.all().delete()
            Question.objects.all().delete()
