"""Deleting an imported learner redacts the legacy-id map, and the import still accounts for every row."""

from collections import defaultdict

import pytest
from django.apps import apps

from practice.legacy.importer import legacy_import
from practice.models import LegacyRecord, User
from practice.services.accounts import account_delete

from . import samples as legacy_samples

pytestmark = pytest.mark.django_db


def _dangling_records() -> list[str]:
    """Records whose object no longer exists."""
    by_model = defaultdict(set)
    for label, pk in LegacyRecord.objects.exclude(object_id=None).values_list("object_model", "object_id"):
        by_model[label].add(pk)
    problems = []
    for label, pks in by_model.items():
        model = apps.get_model(label)
        found = set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
        problems += [f"{label} {pk}" for pk in sorted(pks - found)]
    return problems


def test_deleting_an_imported_learner_redacts_their_records_and_a_rerun_still_adds_up(tmp_path):
    path = legacy_samples.sample("satprep")
    first = legacy_import(path=path, kind="satprep").report
    rejected = LegacyRecord.objects.filter(source="satprep", table="responses", state="rejected")
    legacy_ids = {record.raw["user_id"] for record in rejected if isinstance(record.raw.get("user_id"), int)}
    accounts = LegacyRecord.objects.filter(
        table="users", legacy_id__in=legacy_ids, object_model="practice.user"
    )
    account = accounts.order_by("legacy_id").first()
    assert account is not None, "the sample has rejected responses of a real learner"
    user = User.objects.get(pk=account.object_id)
    named = LegacyRecord.objects.filter(source="satprep", raw__user_id=account.legacy_id)
    assert named.exists()

    account_delete(user=user)

    assert not named.exists()
    assert not LegacyRecord.objects.filter(object_model="practice.user", object_id=account.object_id).exists()
    assert _dangling_records() == []
    account.refresh_from_db()
    assert (account.state, account.raw, account.notes) == ("rejected", {}, [])
    second = legacy_import(path=path, kind="satprep").report
    assert second.verify() == [] and second.source_counts == first.source_counts
    assert second.write(tmp_path / "report.json")
