"""Question bank writes: save, publish and retire questions, and import them from question files."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..formats.questions import RECORD_FIELDS
from ..models import MCQ_LABELS, Difficulty, Question, QuestionOption, Skill, User
from ..rendering import render_markdown


class QuestionRefused(ValidationError):
    """A question cannot move to the requested status; the message says why."""


def _option_problem(question: Question, options: list[QuestionOption] | None = None) -> str | None:
    if question.type != Question.Type.MCQ:
        return None
    options = list(question.options.all()) if options is None else options
    labels = sorted(option.label for option in options)
    if labels != list(MCQ_LABELS):
        return f"needs exactly four options A-D (has {len(options)})"
    correct = sum(option.is_correct for option in options)
    if correct != 1:
        return f"needs exactly one correct option (has {correct})"
    return None


def question_publish_problem(question: Question, options: list[QuestionOption] | None = None) -> str | None:
    """Why this question cannot be published, or None when it can."""
    if not question.explanation.strip():
        return "needs an explanation"
    return _option_problem(question, options)


@transaction.atomic
def question_save(
    *,
    question: Question,
    options: list[tuple[str, bool]] | None = None,
) -> Question:
    """Validate and save a question; for multiple choice, replace its options with (text, correct) pairs."""
    # Field rules and clean() give the messages; the constraints are PostgreSQL's to enforce on save
    # (checking each in Python would cost a query apiece).
    question.full_clean(exclude=["author"], validate_unique=False, validate_constraints=False)
    if (
        question.external_id
        and Question.objects.filter(external_id=question.external_id).exclude(pk=question.pk).exists()
    ):
        raise ValidationError(
            {"external_id": f"Another question already has the external id {question.external_id}."}
        )
    built = None
    if question.type == Question.Type.MCQ and options is not None:
        built = [
            QuestionOption(label=label, text=text, is_correct=correct)
            for label, (text, correct) in zip(MCQ_LABELS, options, strict=False)
        ]
        if len(options) != len(MCQ_LABELS) or sum(correct for _, correct in options) != 1:
            raise ValidationError({"options": "Give exactly four options with exactly one correct."})
        for option in built:
            if not option.text.strip():
                raise ValidationError({"options": f"Option {option.label} is empty."})
    if question.status == Question.Status.PUBLISHED:
        current = built if built is not None else (list(question.options.all()) if question.pk else [])
        problem = question_publish_problem(question, current)
        if problem:
            raise QuestionRefused(f"Cannot publish: the question {problem}.")
        if question.published_at is None:
            question.published_at = timezone.now()
    question.save()
    if built is not None:
        question.options.all().delete()
        for option in built:
            option.question = question
            option.text_html = render_markdown(option.text, inline=True)
        QuestionOption.objects.bulk_create(built)
    return question


@transaction.atomic
def question_publish_many(*, questions) -> tuple[int, list[str]]:
    """Publish the given questions; return how many were published and why the others were not."""
    published, refusals = 0, []
    now = timezone.now()
    ids = list(questions.values_list("pk", flat=True))
    for question in Question.objects.filter(pk__in=ids).select_for_update().prefetch_related("options"):
        problem = question_publish_problem(question)
        if problem:
            refusals.append(f"{question}: {problem}")
            continue
        if question.status != Question.Status.PUBLISHED:
            question.status = Question.Status.PUBLISHED
            question.published_at = question.published_at or now
            question.save(update_fields=["status", "published_at", "updated_at"])
            published += 1
    return published, refusals


@transaction.atomic
def question_retire_many(*, questions) -> int:
    """Retire questions: they leave new sessions but keep their answers and statistics."""
    ids = list(questions.values_list("pk", flat=True))
    return (
        Question.objects.filter(pk__in=ids)
        .exclude(status=Question.Status.RETIRED)
        .update(status=Question.Status.RETIRED, updated_at=timezone.now())
    )


# --- Import (format "prepnexus-questions/1", docs/question-format.md) ---


class ImportFailed(Exception):
    """The file has errors; nothing was written. `errors` holds one message per problem, with its row."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    external_ids: list[str] = field(default_factory=list)


def _skill_index() -> dict[tuple[str, str, str], Skill]:
    return {
        (skill.domain.section.name, skill.domain.name, skill.name): skill
        for skill in Skill.objects.select_related("domain__section")
    }


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be text")
    return value.strip()


def _question_from_record(record: dict, skills: dict) -> tuple[Question, list[tuple[str, bool]] | None]:
    """Build an unsaved Question (and its options) from one record, or raise ValidationError."""
    if not isinstance(record, dict):
        raise ValidationError("each question must be an object")
    unknown = set(record) - set(RECORD_FIELDS) - {"status"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    errors = []
    key = (_text(record, "section"), _text(record, "domain"), _text(record, "skill"))
    skill = skills.get(key)
    if skill is None:
        sections = {k[0] for k in skills}
        domains = {k[1] for k in skills if k[0] == key[0]}
        if key[0] not in sections:
            errors.append(f"section “{key[0]}” is not one of: {', '.join(sorted(sections))}")
        elif key[1] not in domains:
            errors.append(f"domain “{key[1]}” is not a domain of {key[0]}")
        else:
            errors.append(f"skill “{key[2]}” is not a skill of {key[1]}")
    difficulty = _text(record, "difficulty")
    if difficulty not in Difficulty.values:
        errors.append(f"difficulty must be one of {', '.join(Difficulty.values)}, not “{difficulty}”")
    qtype = _text(record, "type")
    options = record.get("options") or []
    answers = record.get("answers") or []
    correct = record.get("correct")
    option_pairs = None
    if qtype == Question.Type.MCQ:
        if not isinstance(options, list) or len(options) != 4 or not all(isinstance(o, str) for o in options):
            errors.append("a multiple-choice question needs exactly 4 options (text)")
        elif any(not o.strip() for o in options):
            errors.append("options must not be empty")
        if correct not in MCQ_LABELS:
            errors.append(f"correct must be one of A, B, C, D, not “{correct}”")
        if answers:
            errors.append("answers must be empty for a multiple-choice question")
        if not errors:
            option_pairs = [
                (text.strip(), label == correct) for label, text in zip(MCQ_LABELS, options, strict=True)
            ]
    elif qtype == Question.Type.SPR:
        if options:
            errors.append("options must be empty for a student-produced response question")
        if correct not in (None, ""):
            errors.append("correct must be empty (null) for a student-produced response question")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
            errors.append("a student-produced response question needs at least one answer")
            answers = []
    else:
        errors.append(f"type must be mcq or spr, not “{qtype}”")
    status = _text(record, "status")
    if status and status not in Question.Status.values:
        errors.append(f"status must be one of {', '.join(Question.Status.values)}")
    if errors:
        raise ValidationError(errors)
    question = Question(
        skill=skill,
        difficulty=difficulty,
        type=qtype,
        passage=_text(record, "passage"),
        passage_b=_text(record, "passage_b"),
        stem=_text(record, "stem"),
        explanation=_text(record, "explanation"),
        spr_answers=[a.strip() for a in answers] if qtype == Question.Type.SPR else [],
        external_id=_text(record, "external_id"),
        status=status or Question.Status.DRAFT,
    )
    if not question.external_id:
        raise ValidationError("external_id is required")
    try:
        question.full_clean(
            exclude=["author", "status", "external_id"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise ValidationError(
            [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        ) from exc
    return question, option_pairs


_COMPARED = ("skill_id", "difficulty", "type", "passage", "passage_b", "stem", "explanation", "spr_answers")


@transaction.atomic
def questions_import(
    *,
    rows: list[tuple[int, dict]],
    dry_run: bool = False,
    status: str = Question.Status.PUBLISHED,
    author: User | None = None,
) -> ImportReport:
    """Create or update questions by external id; all rows are validated first and any error writes nothing.

    `rows` pairs each record with its row number in the file, for error messages. New questions get
    `status` unless the record names one; existing questions keep theirs unless the record names one.
    """
    skills = _skill_index()
    parsed, errors, seen = [], [], {}
    for row, record in rows:
        try:
            question, options = _question_from_record(record, skills)
        except ValidationError as exc:
            errors.extend(f"row {row}: {message}" for message in exc.messages)
            continue
        if question.external_id in seen:
            errors.append(
                f"row {row}: external_id {question.external_id} repeats row {seen[question.external_id]}"
            )
            continue
        seen[question.external_id] = row
        parsed.append((row, record, question, options))
    if errors:
        raise ImportFailed(errors)
    existing = {
        q.external_id: q
        for q in Question.objects.filter(external_id__in=list(seen)).prefetch_related("options")
    }
    report = ImportReport(dry_run=dry_run)
    for row, record, incoming, options in parsed:
        current = existing.get(incoming.external_id)
        try:
            with transaction.atomic():
                if current is None:
                    incoming.author = author
                    incoming.status = _text(record, "status") or status
                    question_save(question=incoming, options=options)
                    report.created += 1
                else:
                    old_options = [(o.text, o.is_correct) for o in current.options.all()]
                    new_status = _text(record, "status") or current.status
                    changed = [
                        name for name in _COMPARED if getattr(current, name) != getattr(incoming, name)
                    ]
                    if new_status != current.status:
                        changed.append("status")
                    options_changed = options is not None and old_options != options
                    if not changed and not options_changed:
                        report.unchanged += 1
                        continue
                    for name in changed:
                        setattr(current, name, getattr(incoming, name) if name != "status" else new_status)
                    if current.type == Question.Type.SPR:
                        current.options.all().delete()
                    question_save(question=current, options=options if options_changed else None)
                    report.updated += 1
        except ValidationError as exc:
            errors.extend(f"row {row}: {message}" for message in exc.messages)
        except IntegrityError as exc:
            errors.append(f"row {row}: refused by the database ({str(exc).splitlines()[0]})")
        report.external_ids.append(incoming.external_id)
    if errors:
        raise ImportFailed(errors)
    if dry_run:
        transaction.set_rollback(True)
    return report
