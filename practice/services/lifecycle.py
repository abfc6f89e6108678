"""The question workflow's core: the allowed status changes, the event log, and new versions.

A question moves draft → in review → published → retired (docs/question-format.md). Every change goes
through `question_transition()`, which locks the row, checks the move and the reviewer rule, logs a
`QuestionEvent` and, when a version is published, retires the family's previous published version in
the same transaction. It checks no content: `services.workflow` (the staff actions) and
`services.questions` (saves and the import) validate before they call it. This module imports neither,
so both can use it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Question, QuestionEvent, QuestionOption, User

Status = Question.Status

# Staff moves. Published goes back to draft only as a new version (editing a published question).
ALLOWED = {
    Status.DRAFT: {Status.IN_REVIEW, Status.RETIRED},
    Status.IN_REVIEW: {Status.DRAFT, Status.PUBLISHED, Status.RETIRED},
    Status.PUBLISHED: {Status.RETIRED},
    Status.RETIRED: set(),
}
# An import has no reviewer: the import itself is the publishing step, so it may publish a draft.
ALLOWED_TO_IMPORTS = {**ALLOWED, Status.DRAFT: {Status.IN_REVIEW, Status.PUBLISHED, Status.RETIRED}}

_HINTS = {
    (Status.DRAFT, Status.PUBLISHED): "submit it for review first",
    (Status.PUBLISHED, Status.DRAFT): "edit it instead: the edit becomes a new draft version",
    (Status.PUBLISHED, Status.IN_REVIEW): "edit it instead: the edit becomes a new draft version",
}

# Not content: a new version gets its own values of these, and an edit that changes only them is no edit.
BOOKKEEPING = {
    "id",
    "family",
    "version",
    "status",
    "author",
    "published_by",
    "published_at",
    "created_at",
    "updated_at",
}


def question_event_log(
    *, question: Question, actor: User | None, from_status: str, to_status: str, note: str = ""
) -> QuestionEvent:
    return QuestionEvent.objects.create(
        question=question, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


def transition_refusal(question: Question, to_status: str, *, actor: User | None, by_import: bool) -> str:
    """Why `question` may not move to `to_status` (empty when it may)."""
    allowed = (ALLOWED_TO_IMPORTS if by_import else ALLOWED)[question.status]
    if to_status not in allowed:
        hint = _HINTS.get((question.status, to_status)) or (
            f"a {Status(question.status).label.lower()} question can go to: "
            + ", ".join(Status(s).label.lower() for s in sorted(allowed))
            if allowed
            else "a retired question stays retired; editing it makes a new draft version"
        )
        here, there = Status(question.status).label.lower(), Status(to_status).label.lower()
        return f"cannot go from {here} to {there} ({hint})."
    if (
        to_status == Status.PUBLISHED
        and not by_import
        and actor is not None
        and question.author_id == actor.pk
    ):
        return "the reviewer who publishes must not be its author; ask another reviewer to publish it."
    return ""


@transaction.atomic
def question_transition(
    *, question: Question, to_status: str, actor: User | None, note: str = "", by_import: bool = False
) -> Question:
    """Move a question to `to_status` (locked, checked, logged); publishing retires the previous version.

    `actor` None is the system (an import without an operator account); `by_import` allows the import's
    own publishing step (draft → published). Raises ValidationError with the reason when refused.
    """
    locked = Question.objects.select_for_update().get(pk=question.pk)
    refusal = transition_refusal(locked, to_status, actor=actor, by_import=by_import)
    if refusal:
        raise ValidationError(f"{locked}: {refusal}")
    from_status, fields = locked.status, ["status", "updated_at"]
    if to_status == Status.PUBLISHED:
        previous = (
            Question.objects.select_for_update()
            .filter(family_id=locked.family_id, status=Status.PUBLISHED)
            .exclude(pk=locked.pk)
        )
        for old in previous:  # at most one; retired first, as the database allows one published per family
            old.status = Status.RETIRED
            old.save(update_fields=["status", "updated_at"])
            question_event_log(
                question=old,
                actor=actor,
                from_status=Status.PUBLISHED,
                to_status=Status.RETIRED,
                note=f"replaced by version {locked.version}",
            )
        locked.published_by = None if by_import else actor  # an import has no reviewer
        locked.published_at = timezone.now()
        fields += ["published_by", "published_at"]
    locked.status = to_status
    locked.save(update_fields=fields)
    question_event_log(question=locked, actor=actor, from_status=from_status, to_status=to_status, note=note)
    return locked


def content_changed(stored: Question, edited: Question) -> bool:
    """Whether `edited` differs from `stored` in anything but bookkeeping (any field, even later ones)."""
    return any(
        getattr(stored, field.attname) != getattr(edited, field.attname)
        for field in Question._meta.concrete_fields
        if field.name not in BOOKKEEPING and field.editable
    )


def question_version_build(*, stored: Question, edited: Question, author: User | None) -> Question:
    """An unsaved new draft version of `stored`'s family with `edited`'s content; locks the family.

    Every concrete field is copied, so fields other parts of the bank add come along.
    """
    family_id = stored.family_id or stored.pk
    if stored.family_id is None:  # a row written in bulk without its family
        Question.objects.filter(pk=stored.pk).update(family_id=family_id)
    versions = Question.objects.select_for_update().filter(family_id=family_id).order_by()
    latest = versions.aggregate(latest=Max("version"))["latest"] or stored.version
    new = Question()
    for field in Question._meta.concrete_fields:
        if not field.primary_key:
            setattr(new, field.attname, getattr(edited, field.attname))
    new.family_id, new.version, new.status = family_id, latest + 1, Status.DRAFT
    new.author, new.published_by, new.published_at = author, None, None
    new.created_at = new.updated_at = None
    return new


def question_options_copy(*, source: Question, target: Question) -> None:
    """Copy `source`'s options to `target`, every concrete field but the ids."""
    copies = []
    for option in source.options.all():
        copy = QuestionOption()
        for field in QuestionOption._meta.concrete_fields:
            if not field.primary_key:
                setattr(copy, field.attname, getattr(option, field.attname))
        copy.question = target
        copies.append(copy)
    QuestionOption.objects.bulk_create(copies)
