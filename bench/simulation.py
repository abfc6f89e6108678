"""Simulated learners practising through the real services on the database.

Each learner has a known section ability and skill abilities around it. They take "matched to me"
sessions built by `practice_session_start`, answer through `answer_submit` (2PL: a correct answer with
probability 1 / (1 + exp(-a (theta - b)))), and the predicted scores are read back with the same
selector the dashboard uses. Used by bench/simulate_learners.py (and through it `bench/simulate.py --db`).
"""

import math
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from practice.engine.irt import ItemParams, p_correct
from practice.engine.scores import scale_section
from practice.models import Profile, Question, QuestionOption, Section, Skill, User
from practice.selectors.progress import predicted_scores, section_progress, skill_rows
from practice.services.answers import answer_submit
from practice.services.sessions import practice_session_start, session_item_mark_shown

PREFIX = "sim-"


@dataclass
class SimulationResult:
    learners: int
    items: int
    rmse: float
    coverage: float
    rows: list


def ensure_bank(*, per_skill: int, seed: int) -> int:
    """A published 2PL bank (c = 0) of `per_skill` questions for every skill."""
    if Question.objects.filter(external_id__startswith=PREFIX).exists():
        return Question.objects.filter(external_id__startswith=PREFIX).count()
    rng = random.Random(seed)
    questions = []
    for skill in Skill.objects.all():
        for j in range(per_skill):
            text = f"Simulation question {skill.pk}-{j}: original placeholder."
            questions.append(
                Question(
                    skill=skill,
                    type="mcq",
                    stem=text,
                    stem_html=f"<p>{text}</p>",
                    explanation="Placeholder.",
                    explanation_html="<p>Placeholder.</p>",
                    status=Question.Status.PUBLISHED,
                    irt_a=round(rng.uniform(0.8, 2.0), 3),
                    irt_b=round(max(min(rng.gauss(0, 1.3), 3), -3), 3),
                    irt_c=0.0,
                    external_id=f"{PREFIX}{skill.pk}-{j}",
                )
            )
    with transaction.atomic():
        created = Question.objects.bulk_create(questions)
        QuestionOption.objects.bulk_create(
            QuestionOption(question=q, label=label, text=label, text_html=label, is_correct=label == "B")
            for q in created
            for label in "ABCD"
        )
    return len(created)


def simulate(
    *, learners: int, items: int, session_length: int = 10, seed: int = 7, log=print
) -> SimulationResult:
    """Run `learners` simulated learners for `items` matched items per section; RMSE and coverage."""
    rng = random.Random(seed)
    sections = list(Section.objects.all())
    sq = covered = n = 0
    rows = []
    for i in range(learners):
        user = User.objects.create(
            username=f"{PREFIX}{uuid.uuid4().hex[:12]}", email=f"{PREFIX}{i}@sim.invalid"
        )
        Profile.objects.create(user=user)
        theta = {s.pk: rng.gauss(0, 1) for s in sections}
        truth = {
            skill.pk: theta[skill.domain.section_id] + rng.gauss(0, 0.3)
            for skill in Skill.objects.select_related("domain")
        }
        now = timezone.now() - timedelta(days=30)
        for section in sections:
            for _ in range(math.ceil(items / session_length)):
                session = practice_session_start(
                    learner=user, section=section, difficulty="matched", length=session_length
                )
                for item in session.items.select_related("question").order_by("position"):
                    q = item.question
                    ok = rng.random() < p_correct(truth[q.skill_id], ItemParams(q.irt_a, q.irt_b, 0.0))
                    now += timedelta(seconds=60)
                    session_item_mark_shown(item=item, now=now - timedelta(seconds=50))
                    answer_submit(
                        session=session, question=q, given="B" if ok else "A", key=uuid.uuid4(), now=now
                    )
        progress = section_progress(skill_rows(learner=user))
        scores = predicted_scores(learner=user)
        for section in sections:
            weights = progress[section.slug].weights
            true_score = scale_section(sum(w * truth[k] for k, w in weights.items()))
            pred = scores["reading_writing" if section.slug == "reading-and-writing" else "math"]
            sq += (pred.score - true_score) ** 2
            covered += pred.low <= true_score <= pred.high
            n += 1
            rows.append((section.name, true_score, pred.score, pred.low, pred.high))
        log(
            f"  learner {i + 1}/{learners}: "
            + ", ".join(f"{r[0]} true {r[1]} predicted {r[2]}" for r in rows[-2:])
        )
    return SimulationResult(learners, items, math.sqrt(sq / n), covered / n, rows)
