"""Question bank writes: save questions (an edit of a published one makes a new version) and import them.

What makes a question valid is written once. `Question.clean()` holds the rules on the question's own
fields; `question_problems()` runs it and adds the options. Every way in asks `question_problems()`:
`question_save()` (and so the import and the factories), the publish action, and the admin's options
inline (the admin's question form runs the same `Question.clean()` itself). `question_from_record()`
adds what only an import record can get wrong (its field types and taxonomy names) and is what
`manage.py import_questions --dry-run` and the starter bank's test check a file with.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..formats.questions import OPTIONAL_FIELDS, RECORD_FIELDS, BadJsonCell
from ..models import MCQ_LABELS, Difficulty, Question, QuestionOption, Skill, User
from ..rendering import math_problem, render_question
from .lifecycle import (
    content_changed,
    question_event_log,
    question_options_copy,
    question_transition,
    question_version_build,
)

OPTIONS = "options"  # where question_problems() files the problems of the options


def _option_problems(question: Question, options: Sequence[QuestionOption]) -> list[str]:
    if question.type == Question.Type.SPR:
        if options:
            return ["A student-produced response question has no options; list its accepted answers instead."]
        return []
    if question.type != Question.Type.MCQ:
        return []  # the type field's own error says what is wrong
    if sorted(option.label for option in options) != list(MCQ_LABELS):
        return ["A multiple-choice question needs exactly four options, labelled A, B, C and D."]
    problems, first_with = [], {}
    for option in sorted(options, key=lambda option: option.label):
        text = option.text.strip()
        if not text:
            problems.append(f"Option {option.label} is empty.")
        elif text in first_with:
            problems.append(f"Options {first_with[text]} and {option.label} are the same.")
        elif problem := math_problem(text, inline=True):
            problems.append(f"Option {option.label}, {problem}")
        first_with.setdefault(text, option.label)
    correct = sum(bool(option.is_correct) for option in options)
    if correct != 1:
        problems.append(f"Exactly one option must be marked correct (now {correct}).")
    return problems


def question_problems(
    question: Question, options: Sequence[QuestionOption] | None = None, *, skill_checked: bool = False
) -> dict[str, list[str]]:
    """Every rule the question breaks, by field (its options' under OPTIONS); empty when it is valid.

    `options` None checks the question alone (its options are not being changed); [] means it has none.
    `skill_checked`: the caller took `question.skill` from the database itself, so the query Django's
    foreign-key check makes per question is skipped (a batch of variants checks hundreds at once).
    """
    exclude = ["author", "skill"] if skill_checked else ["author"]
    try:
        question.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        problems = {}
    except ValidationError as exc:
        problems = exc.message_dict
    if options is not None and (found := _option_problems(question, options)):
        problems[OPTIONS] = found
    return problems


def problem_lines(problems: dict[str, list[str]]) -> list[str]:
    """One line per problem, led by its field: "spr_answers: “3 1/2” is not a valid answer: ...", or
    "stem, line 2: unknown LaTeX command \\frca" for a problem on one line of the field. A message that
    already starts with its field's path ("figure.points[3].x: ...") is left as it is."""
    return [
        message
        if name == NON_FIELD_ERRORS or message.startswith((f"{name}.", f"{name}:"))
        else f"{name}{', ' if message.startswith('line ') else ': '}{message}"
        for name, messages in problems.items()
        for message in messages
    ]


def _option_objects(pairs: list[tuple[str, bool]]) -> list[QuestionOption]:
    # Labelled A, B, C, ... in order; question_problems() refuses anything but exactly A-D.
    return [
        QuestionOption(label=chr(ord("A") + index), text=text, is_correct=correct)
        for index, (text, correct) in enumerate(pairs)
    ]


def _same_options(stored: Question, options: list[tuple[str, bool]] | None) -> bool:
    return options is None or [(o.text, o.is_correct) for o in stored.options.order_by("label")] == options


@transaction.atomic
def question_save(
    *,
    question: Question,
    options: list[tuple[str, bool]] | None = None,
    actor: User | None = None,
    note: str = "",
) -> Question:
    """Validate and save a question; `options`, (text, correct) pairs for A, B, C, D, replace its options.

    Returns the saved question: for an edit of a published or retired question, a new draft version (the
    old row, which learners answered, is left as it was), or the stored row unchanged when nothing changed.
    The status changes only through the workflow (`services.workflow`); a new question may start in any
    status (the import's publishing step, docs/question-format.md). `actor` is who made the change.
    """
    copy_options_from = None
    if question.pk is not None:
        stored = Question.objects.select_for_update().get(pk=question.pk)
        if question.status != stored.status:
            raise ValidationError(
                {"status": "The status changes only through the workflow (submit, publish, retire)."}
            )
        if stored.status in (Question.Status.PUBLISHED, Question.Status.RETIRED):
            question.fill_defaults()
            if not content_changed(stored, question) and _same_options(stored, options):
                return stored
            question = question_version_build(stored=stored, edited=question, author=actor)
            note = note or f"version {question.version}, edited from version {stored.version}"
            copy_options_from = stored if options is None else None
    built = None if options is None else _option_objects(options)
    checked = built
    if checked is None and question.status == Question.Status.PUBLISHED:
        checked = list(question.options.all()) if question.pk else []
    # question_problems() leaves the constraints to PostgreSQL (checking each in Python would cost a
    # query apiece), except the external id, whose clash deserves a clear message.
    problems = question_problems(question, checked)
    if problems:
        raise ValidationError(problems)
    if (
        question.external_id
        and Question.objects.filter(external_id=question.external_id)
        .exclude(family_id=question.family_id or question.pk or 0)
        .exists()
    ):
        raise ValidationError(
            {"external_id": f"Another question already has the external id {question.external_id}."}
        )
    if question.status == Question.Status.PUBLISHED and question.published_at is None:
        question.published_at = timezone.now()
    created = question.pk is None
    question.save()
    if created:
        question_event_log(
            question=question, actor=actor, from_status="", to_status=question.status, note=note or "created"
        )
    if copy_options_from is not None:
        question_options_copy(source=copy_options_from, target=question)
    if built is not None:
        question.options.all().delete()
        for option in built:
            option.question = question
            option.text_html = render_question(option.text, inline=True)
        QuestionOption.objects.bulk_create(built)
    return question


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


def question_from_record(
    record: dict, *, skills: dict, status: str = Question.Status.DRAFT
) -> tuple[Question, list[tuple[str, bool]]]:
    """Build an unsaved question and its (text, correct) options from one import record.

    Raises ValidationError listing the problems: the record's own (its fields, their types, the
    taxonomy names, `correct`) and then, when it has none, every rule question_problems() finds.
    `skills` comes from the taxonomy index; `status` applies unless the record names one.
    """
    if not isinstance(record, dict):
        raise ValidationError("each question must be an object")
    unknown = set(record) - set(RECORD_FIELDS) - set(OPTIONAL_FIELDS)
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
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        errors.append("options must be a list of text")
        options = []
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        errors.append("answers must be a list of text")
        answers = []
    if qtype == Question.Type.MCQ:
        if correct not in MCQ_LABELS:
            errors.append(f"correct must be one of A, B, C, D, not “{correct}”")
    elif qtype == Question.Type.SPR:
        if correct not in (None, ""):
            errors.append("correct must be empty (null) for a student-produced response question")
    else:
        errors.append(f"type must be mcq or spr, not “{qtype}”")
    record_status = _text(record, "status")
    if record_status and record_status not in Question.Status.values:
        errors.append(f"status must be one of {', '.join(Question.Status.values)}")
    version = record.get("version")  # the export's, for information: the bank numbers versions itself
    if version not in (None, "") and not str(version).isdigit():
        errors.append(f"version must be a whole number, not “{version}”")
    external_id = _text(record, "external_id")
    if not external_id:
        errors.append("external_id is required")
    figure = record.get("figure")
    if isinstance(figure, BadJsonCell):
        errors.append(f"figure: {figure}")
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
        spr_answers=[answer.strip() for answer in answers],
        external_id=external_id,
        status=record_status or status,
        figure=figure,
    )
    pairs = [(text.strip(), chr(ord("A") + index) == correct) for index, text in enumerate(options)]
    problems = question_problems(question, _option_objects(pairs))
    if problems:
        raise ValidationError(problem_lines(problems))
    return question, pairs


_COMPARED = (
    "skill_id",
    "difficulty",
    "type",
    "passage",
    "passage_b",
    "stem",
    "explanation",
    "spr_answers",
    "figure",
)


IMPORTED = "imported from a question file"


def _import_update(
    current: Question, incoming: Question, options: list[tuple[str, bool]], *, author: User | None
) -> bool:
    """Bring a family's latest version in line with its record; False when it already is.

    A changed published (or retired) question becomes a new version, moved to the record's status: the
    import is the publishing step, which retires the version learners saw until now.
    """
    changed = [name for name in _COMPARED if getattr(current, name) != getattr(incoming, name)]
    options_changed = [(o.text, o.is_correct) for o in current.options.all()] != options
    if not changed and not options_changed and incoming.status == current.status:
        return False
    question = current
    if changed or options_changed:
        for name in changed:
            setattr(current, name, getattr(incoming, name))
        question = question_save(
            question=current, options=options if options_changed else None, actor=author, note=IMPORTED
        )
    if question.status != incoming.status:
        question_transition(
            question=question, to_status=incoming.status, actor=author, note=IMPORTED, by_import=True
        )
    return True


def _record_external_id(record) -> str:
    value = record.get("external_id") if isinstance(record, dict) else None
    return value.strip() if isinstance(value, str) else ""


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
    existing = {  # by external id, each family's latest version (what the file's row describes)
        q.external_id: q
        for q in Question.objects.filter(external_id__in=[_record_external_id(record) for _, record in rows])
        .latest_versions()
        .prefetch_related("options")
    }
    parsed, errors, seen = [], [], {}
    for row, record in rows:
        current = existing.get(_record_external_id(record))
        try:
            question, options = question_from_record(
                record, skills=skills, status=current.status if current else status
            )
        except ValidationError as exc:
            errors.extend(f"row {row}: {message}" for message in exc.messages)
            continue
        if question.external_id in seen:
            errors.append(
                f"row {row}: external_id {question.external_id} repeats row {seen[question.external_id]}"
            )
            continue
        seen[question.external_id] = row
        parsed.append((row, question, options))
    if errors:
        raise ImportFailed(errors)
    report = ImportReport(dry_run=dry_run)
    for row, incoming, options in parsed:
        current = existing.get(incoming.external_id)
        try:
            with transaction.atomic():
                if current is None:
                    incoming.author = author
                    question_save(question=incoming, options=options, actor=author, note=IMPORTED)
                    report.created += 1
                elif _import_update(current, incoming, options, author=author):
                    report.updated += 1
                else:
                    report.unchanged += 1
        except ValidationError as exc:
            lines = problem_lines(exc.message_dict) if hasattr(exc, "error_dict") else exc.messages
            errors.extend(f"row {row}: {line}" for line in lines)
        except IntegrityError as exc:
            errors.append(f"row {row}: refused by the database ({str(exc).splitlines()[0]})")
        report.external_ids.append(incoming.external_id)
    if errors:
        raise ImportFailed(errors)
    if dry_run:
        transaction.set_rollback(True)
    return report
