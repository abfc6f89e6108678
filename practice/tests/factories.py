import functools
import io
import itertools
import json
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management import call_command

from practice.models import CROSS_TEXT_SKILL, Profile, Question, Section, Skill, User
from practice.services.questions import question_save, questions_import
from practice.services.sessions import practice_session_start

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"
SAMPLE_QUESTIONS = Path(__file__).resolve().parent / "data" / "sample_questions.json"


@functools.lru_cache(maxsize=8)
def _hashed(password: str) -> str:
    """One hash per password for the whole run: hashing costs ~30 ms (Argon2id), and tests make many users."""
    return make_password(password)


def make_user(**overrides) -> User:
    n = next(_seq)
    password = overrides.pop("password", PASSWORD)
    fields = {"username": f"learner{n}", "email": f"learner{n}@example.org"} | overrides
    user = User(**fields)
    user.password = _hashed(password) if password is not None else make_password(None)
    user.save()
    Profile.objects.get_or_create(user=user, defaults={"display_name": f"Learner {n}"})
    return user


def sample_records() -> list[dict]:
    return json.loads(SAMPLE_QUESTIONS.read_text())["questions"]


def load_sample_questions() -> list[Question]:
    """The small original fixture bank (4 Reading and Writing, 5 Math questions), published."""
    questions_import(rows=list(enumerate(sample_records(), start=1)))
    return list(Question.objects.order_by("external_id"))


def make_question(**overrides) -> Question:
    """A published multiple-choice question (B correct) unless overridden; pass type='spr' and spr_answers."""
    n = next(_seq)
    skill = overrides.pop("skill", None) or Skill.objects.get(name="Linear equations in one variable")
    options = overrides.pop("options", None)
    fields = {
        "skill": skill,
        "difficulty": "medium",
        "type": "mcq",
        "stem": f"Original test question {n}: what is {n} + 1?",
        "explanation": f"Add one: {n} + 1 = {n + 1}.",
        "status": Question.Status.PUBLISHED,
        "external_id": f"factory-{n}",
    }
    if skill.name == CROSS_TEXT_SKILL:  # its questions compare two texts
        fields |= {"passage": f"Text 1, number {n}.", "passage_b": f"Text 2, number {n}."}
    fields |= overrides
    question = Question(**fields)
    if question.type == Question.Type.MCQ and options is None:
        options = [(str(n), False), (str(n + 1), True), (str(n + 2), False), (str(n + 3), False)]
    return question_save(question=question, options=options)


def make_questions(count: int, **overrides) -> list[Question]:
    return [make_question(**overrides) for _ in range(count)]


def math() -> Section:
    return Section.objects.get(name="Math")


def reading_writing() -> Section:
    return Section.objects.get(name="Reading and Writing")


def make_session(
    learner: User, *, count: int = 5, mode: str = "practice", section: Section | None = None, **kwargs
):
    """A session over freshly made questions (Math unless given another section)."""
    section = section or math()
    if not kwargs.get("question_ids"):
        skill = Skill.objects.filter(domain__section=section).first()
        kwargs["question_ids"] = [q.pk for q in make_questions(count, skill=skill)]
    return practice_session_start(learner=learner, section=section, mode=mode, **kwargs)


def ensure_taxonomy() -> None:
    """Reload the taxonomy reference data; transactional tests flush it away after they run."""
    import importlib

    from django.apps import apps

    if not Section.objects.exists():
        importlib.import_module("practice.migrations.0003_taxonomy").load(apps, None)
    if not Skill.all_objects.filter(listed=False).exists():  # the legacy import's Unclassified skills
        importlib.import_module("practice.migrations.0007_unclassified_skills").load(apps, None)


def question_file(tmp_path, records, name="questions.json"):
    """A prepnexus-questions/1 JSON file of RECORDS in TMP_PATH."""
    path = tmp_path / name
    path.write_text(json.dumps({"format": "prepnexus-questions/1", "questions": records}))
    return path


def run_import_questions(*args) -> str:
    """manage.py import_questions ARGS; what it printed (stdout and stderr)."""
    out = io.StringIO()
    call_command("import_questions", *args, stdout=out, stderr=out)
    return out.getvalue()
