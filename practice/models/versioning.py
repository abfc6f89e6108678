"""The database's rules for question versions and the reviewer, kept beside `bank.Question`'s own.

A family (the first version) numbers its versions from 1, no two alike; at most one version of a family
is published; every version of a question carries the family's external id (unique with the version);
and whoever published a version did not write it. `bank.Question.Meta` lists these with its others.
"""

from django.db import models

VERSION_CONSTRAINTS = [
    models.UniqueConstraint(
        fields=["external_id", "version"],
        condition=~models.Q(external_id=""),
        name="question_external_id_version_unique",
    ),
    models.UniqueConstraint(fields=["family", "version"], name="question_family_version_unique"),
    models.UniqueConstraint(
        fields=["family"],
        condition=models.Q(status="published"),
        name="question_one_published_per_family",
    ),
    models.CheckConstraint(condition=models.Q(version__gte=1), name="question_version_positive"),
    models.CheckConstraint(
        condition=models.Q(published_by__isnull=True)
        | models.Q(author__isnull=True)
        | ~models.Q(published_by=models.F("author")),
        name="question_publisher_not_author",
    ),
]
