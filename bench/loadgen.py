"""Realistic bulk data for benchmarks: questions, learners, sessions, items and answers via COPY,
then the derived learning tables (daily activity, stats, proficiency, snapshots, review items), and
optionally institutions: staff, classes, enrollments and assignments around learners with histories.

Used by bench/generate_load_data.py (and through it bench/dashboard.py and bench/mixed.py). Every
generated account's username starts with `load-`, so the data is easy to tell apart (and to delete).
"""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from practice.engine import spaced
from practice.engine.ability import (
    MIN_VAR,
    SKILL_SPREAD,
    SkillState,
    estimate_section,
    skill_weights,
    update_skill,
)
from practice.engine.irt import ItemParams, p_correct
from practice.engine.mastery import Level, estimate_level, next_mastery
from practice.engine.scores import predict_section, predict_total
from practice.models import (
    Answer,
    Assignment,
    AssignmentProgress,
    BadgeAward,
    Classroom,
    ClassTeacher,
    DailyActivity,
    Enrollment,
    Flashcard,
    Institution,
    LearnerStats,
    Membership,
    PracticeSession,
    Profile,
    Question,
    QuestionOption,
    ReviewItem,
    Role,
    ScoreSnapshot,
    Section,
    SessionItem,
    Skill,
    SkillProficiency,
    User,
)
from practice.rows import allocate_ids, copy_rows
from practice.services.activity import badges_for_stats
from practice.tenancy import operator_access

SESSION_LENGTH = 10
PREFIX = "load-"
FOCUS_USERNAME = "load-learner"


@dataclass(frozen=True)
class InstitutionShape:
    """Institutions to generate: each with `classes` classes of `learners_per_class` learners."""

    institutions: int = 0
    classes: int = 0
    learners_per_class: int = 0

    @property
    def learners_per_institution(self) -> int:
        return self.classes * self.learners_per_class

    @property
    def learners(self) -> int:
        return self.institutions * self.learners_per_institution


NO_INSTITUTIONS = InstitutionShape()


def _ids(cursor, sessions: int) -> dict:
    """Fresh primary keys from the models' own sequences for `sessions` sessions with their items and
    answers, handed out in order by `_answers_for`."""
    return {
        "session": iter(allocate_ids(cursor, PracticeSession, sessions)),
        "item": iter(allocate_ids(cursor, SessionItem, sessions * SESSION_LENGTH)),
        "answer": iter(allocate_ids(cursor, Answer, sessions * SESSION_LENGTH)),
    }


def _copy_answers(cursor, batch: list[tuple]) -> int:
    """COPY the sessions, items and answers `_answers_for` built; returns the number of answers."""
    copy_rows(cursor, PracticeSession, SESSION_FIELDS, (row for rows in batch for row in rows[0]))
    copy_rows(cursor, SessionItem, ITEM_FIELDS, (row for rows in batch for row in rows[1]))
    return copy_rows(cursor, Answer, ANSWER_FIELDS, (row for rows in batch for row in rows[2]))


def ensure_questions(count: int, rng: random.Random, log) -> list[tuple]:
    """Published load-test questions across every skill; returns (id, skill_id, section_id, a, b, c)."""
    have = Question.objects.filter(external_id__startswith=PREFIX).count()
    skills = list(Skill.objects.select_related("domain"))
    if have < count:
        questions = []
        for i in range(have, count):
            skill = skills[i % len(skills)]
            b = max(min(rng.gauss(0, 1.1), 3), -3)
            difficulty = "easy" if b < -0.5 else "hard" if b > 0.5 else "medium"
            questions.append(
                Question(
                    skill=skill,
                    difficulty=difficulty,
                    type="mcq",
                    stem=f"Load-test question {i}: original placeholder text for benchmarking.",
                    stem_html=f"<p>Load-test question {i}: original placeholder text for benchmarking.</p>",
                    explanation="Placeholder explanation.",
                    explanation_html="<p>Placeholder explanation.</p>",
                    status=Question.Status.PUBLISHED,
                    irt_a=round(rng.uniform(0.8, 2.0), 3),
                    irt_b=round(b, 3),
                    irt_c=0.25,
                    external_id=f"{PREFIX}{i}",
                    published_at=timezone.now(),
                )
            )
        with transaction.atomic():
            created = Question.objects.bulk_create(questions, batch_size=1000)
            QuestionOption.objects.bulk_create(
                (
                    QuestionOption(question=q, label=label, text=f"Option {label}",
                                   text_html=f"Option {label}", is_correct=label == "B")
                    for q in created
                    for label in "ABCD"
                ),
                batch_size=4000,
            )  # fmt: skip
        log(f"created {len(created)} questions")
    return list(
        Question.objects.filter(external_id__startswith=PREFIX).values_list(
            "pk", "skill_id", "skill__domain__section_id", "irt_a", "irt_b", "irt_c"
        )
    )


def _learners(count: int, log) -> list[int]:
    existing = set(
        User.objects.filter(username__startswith=f"{PREFIX}user").values_list("username", flat=True)
    )
    password = make_password(None)  # unusable
    new = [
        User(username=f"{PREFIX}user{i}", email=f"{PREFIX}user{i}@load.invalid", password=password)
        for i in range(count)
        if f"{PREFIX}user{i}" not in existing
    ]
    User.objects.bulk_create(new, batch_size=2000)
    Profile.objects.bulk_create([Profile(user=u) for u in new], batch_size=2000, ignore_conflicts=True)
    if new:
        log(f"created {len(new)} learners")
    return list(
        User.objects.filter(username__startswith=f"{PREFIX}user").values_list("pk", flat=True)[:count]
    )


def _answers_for(learner_id, n_answers, questions_by_section, theta, start, days, rng, ids):
    """Sessions, items and answers for one learner, spread over `days` days ending today."""
    sessions, items, answers = [], [], []
    n_sessions = n_answers // SESSION_LENGTH
    section_ids = list(questions_by_section)
    for s in range(n_sessions):
        section_id = section_ids[s % len(section_ids)]
        pool = questions_by_section[section_id]
        began = start + timedelta(days=days * s / n_sessions, minutes=rng.randint(0, 600))
        picked = rng.sample(pool, SESSION_LENGTH)
        session_id = next(ids["session"])
        correct = 0
        t = began
        for pos, (qid, _skill, _sec, a, b, c) in enumerate(picked, start=1):
            ok = rng.random() < p_correct(theta, ItemParams(a, b, c))
            correct += ok
            spent = int(rng.lognormvariate(4.1, 0.5) * 1000)
            item_id = next(ids["item"])
            items.append((item_id, session_id, qid, pos, False, t))
            t += timedelta(milliseconds=spent)
            answers.append(
                (
                    next(ids["answer"]),
                    session_id,
                    item_id,
                    qid,
                    learner_id,
                    "B" if ok else "A",
                    ok,
                    spent,
                    uuid.uuid4(),
                    t,
                )
            )
        sessions.append(
            (session_id, learner_id, section_id, "practice", "mixed", "Mixed", SESSION_LENGTH, "completed",
             SESSION_LENGTH, correct, began, t)
        )  # fmt: skip
    return sessions, items, answers


SESSION_FIELDS = ["id", "learner_id", "section_id", "mode", "difficulty", "scope", "length", "status",
                  "answered_count", "correct_count", "started_at", "completed_at"]  # fmt: skip
ITEM_FIELDS = ["id", "session_id", "question_id", "position", "flagged", "shown_at"]
ANSWER_FIELDS = ["id", "session_id", "item_id", "question_id", "learner_id", "given", "is_correct",
                 "time_spent_ms", "key", "answered_at"]  # fmt: skip
BATCH = 50  # learners whose rows are built, then COPYed, together


def generate(
    *,
    answers: int,
    learner_answers: int,
    learners: int,
    questions: int,
    seed: int,
    log,
    shape: InstitutionShape = NO_INSTITUTIONS,
) -> User:
    """Build the data set; returns the focus learner (the one whose dashboard is benchmarked).

    The answers beyond the focus learner's are shared evenly by the plain learners and the institutions'
    learners."""
    rng = random.Random(seed)
    focus = User.objects.filter(username=FOCUS_USERNAME).first()
    if focus is not None:
        if shape.institutions and not _institutions_exist():
            raise CommandError(
                f"{FOCUS_USERNAME} exists but the institutions do not: generate them on a fresh database."
            )
        log(f"{FOCUS_USERNAME} exists already; nothing to do")
        return focus
    bank = ensure_questions(questions, rng, log)
    by_section: dict[int, list] = {}
    for row in bank:
        by_section.setdefault(row[2], []).append(row)
    others = _learners(learners, log)
    members = _institution_learners(shape, rng, log)
    in_institution = set(members)
    others += members
    skill_of = {row[0]: row[1] for row in bank}
    focus = User.objects.create(username=FOCUS_USERNAME, email=f"{FOCUS_USERNAME}@load.invalid")
    focus.set_password("load-learner-password")
    focus.save(update_fields=["password"])
    Profile.objects.create(user=focus, display_name="Load Learner", time_zone="America/New_York")
    now = timezone.now()
    # Whole sessions of 10, spread so the total comes out exactly (up to rounding to sessions).
    other_sessions = (answers - learner_answers) // SESSION_LENGTH
    base, extra = divmod(other_sessions, max(len(others), 1))
    sessions_of = [base + (i < extra) for i in range(len(others))]
    with transaction.atomic(), connection.cursor() as cursor:
        focus_rows = _answers_for(
            focus.pk,
            learner_answers,
            by_section,
            0.4,
            now - timedelta(days=300),
            300,
            rng,
            _ids(cursor, learner_answers // SESSION_LENGTH),
        )
        total = _copy_answers(cursor, [focus_rows])
        for first in range(0, len(others), BATCH):
            learner_ids, sessions = others[first : first + BATCH], sessions_of[first : first + BATCH]
            ids = _ids(cursor, sum(sessions))
            batch, proficiencies = [], []
            for learner_id, count in zip(learner_ids, sessions, strict=True):
                theta = rng.gauss(0, 1)
                if learner_id in in_institution:
                    # Learners of a class are not all alike: some stopped practising weeks ago.
                    span = rng.randint(30, 120)
                    idle = 0 if rng.random() < 0.8 else rng.randint(8, 40)
                    start, days = now - timedelta(days=idle + span), span - 1
                else:
                    start, days = now - timedelta(days=120), 119
                rows = _answers_for(
                    learner_id, count * SESSION_LENGTH, by_section, theta, start, days, rng, ids
                )
                batch.append(rows)
                if learner_id in in_institution:
                    proficiencies += _proficiency_rows(learner_id, rows[2], skill_of, theta, rng)
            total += _copy_answers(cursor, batch)
            copy_rows(cursor, SkillProficiency, PROFICIENCY_FIELDS, proficiencies)
            if (first // BATCH) % 20 == 0 or first + BATCH >= len(others):
                log(f"  {total:,} answers")
        _derive_activity(cursor, log)
        _derive_focus(focus, focus_rows, bank, rng, now)
        if shape.institutions:
            _build_institutions(cursor, shape, members, rng, now, log)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(f"{total:,} answers in all, {learner_answers:,} of them {FOCUS_USERNAME}'s")
    return focus


def _derive_activity(cursor, log) -> None:
    """Daily activity and running totals for every generated learner, aggregated in SQL."""
    table = {
        model.__name__: connection.ops.quote_name(model._meta.db_table)
        for model in (Answer, DailyActivity, LearnerStats, PracticeSession, Profile, User)
    }
    cursor.execute(
        f"""
        INSERT INTO {table["DailyActivity"]} (learner_id, day, answers, correct, time_spent_ms, reviews)
        SELECT a.learner_id, (a.answered_at AT TIME ZONE COALESCE(p.time_zone, 'UTC'))::date,
               count(*), count(*) FILTER (WHERE a.is_correct), sum(a.time_spent_ms), 0
        FROM {table["Answer"]} a
        JOIN {table["User"]} u ON u.id = a.learner_id AND u.username LIKE %s
        LEFT JOIN {table["Profile"]} p ON p.user_id = a.learner_id
        GROUP BY 1, 2
        ON CONFLICT (learner_id, day) DO NOTHING
        """,
        [PREFIX + "%"],
    )
    cursor.execute(
        f"""
        INSERT INTO {table["LearnerStats"]} (learner_id, answers, correct, reviews, sessions_completed,
                                             current_streak, longest_streak, last_active_day)
        SELECT d.learner_id, sum(d.answers), sum(d.correct), 0,
               (SELECT count(*) FROM {table["PracticeSession"]} s WHERE s.learner_id = d.learner_id),
               1, 1, max(d.day)
        FROM {table["DailyActivity"]} d
        JOIN {table["User"]} u ON u.id = d.learner_id AND u.username LIKE %s
        GROUP BY d.learner_id
        ON CONFLICT (learner_id) DO NOTHING
        """,
        [PREFIX + "%"],
    )
    log("derived daily activity and stats")


def _derive_focus(focus, rows, bank, rng, now) -> None:
    """Replay the focus learner's answers through the engine: proficiency, snapshots, reviews, badges."""
    sessions, _items, answer_rows = rows
    params = {q[0]: q for q in bank}
    skills = list(Skill.objects.select_related("domain__section"))
    domains_by_section: dict[int, dict] = {}
    for skill in skills:
        d = domains_by_section.setdefault(skill.domain.section_id, {})
        d.setdefault(skill.domain_id, (float(skill.domain.weight), []))[1].append(skill.pk)
    weights = {sec: skill_weights(d) for sec, d in domains_by_section.items()}
    section_of = {s.pk: s.domain.section_id for s in skills}
    slug = {s.domain.section_id: s.domain.section.slug for s in skills}
    states: dict[int, SkillState] = {}
    mastery: dict[int, tuple] = {}
    snapshots = []
    missed: dict[int, tuple] = {}
    by_session: dict[int, list] = {}
    for row in answer_rows:
        by_session.setdefault(row[1], []).append(row)
    for session in sessions:
        for _id, _s, _i, qid, _l, _g, ok, spent, _k, at in by_session[session[0]]:
            q = params[qid]
            state = update_skill(states.get(q[1], SkillState()), ItemParams(q[3], q[4], q[5]), ok)
            states[q[1]] = state
            prev = mastery.get(q[1], (0, None, None))
            mastery[q[1]] = next_mastery(
                state=state, correct=ok, now=at, proficient_since=prev[1], mastered_at=prev[2]
            )
            if not ok or spent > 1.5 * 80_000:
                missed[qid] = (at, ok, spent)
        ests = {
            slug[sec]: estimate_section({k: v for k, v in states.items() if section_of[k] == sec}, w)
            for sec, w in weights.items()
        }
        rw, ma = ests["reading-and-writing"], ests["math"]
        prw, pma, tot = predict_section(rw), predict_section(ma), predict_total(rw, ma)
        snapshots.append(
            ScoreSnapshot(
                learner=focus, session_id=session[0], taken_at=session[11],
                reading_writing=prw.score, reading_writing_low=prw.low, reading_writing_high=prw.high,
                math=pma.score, math_low=pma.low, math_high=pma.high,
                total=tot.score, total_low=tot.low, total_high=tot.high,
            )
        )  # fmt: skip
    SkillProficiency.objects.bulk_create(
        SkillProficiency(
            learner=focus, skill_id=k, mean=s.mean, var=s.var, answers=s.n, correct=s.n_correct,
            level=mastery[k][0], proficient_since=mastery[k][1], mastered_at=mastery[k][2], updated_at=now,
        )
        for k, s in states.items()
    )  # fmt: skip
    ScoreSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    review_items = []
    for qid, (at, ok, spent) in missed.items():
        rating = spaced.rating_for_answer(correct=ok, time_spent_ms=spent, pace_seconds=80)
        state, due = spaced.fsrs_review(spaced.fsrs_new(qid, at), rating, at)
        review_items.append(
            ReviewItem(learner=focus, question_id=qid, reason="missed" if not ok else "slow",
                       fsrs_state=state, due=due, last_reviewed_at=at, created_at=at)
        )  # fmt: skip
    ReviewItem.objects.bulk_create(review_items, batch_size=2000)
    Flashcard.objects.bulk_create(
        Flashcard(
            owner=focus, front=f"Card {i}", back=f"Back {i}", front_html=f"<p>Card {i}</p>",
            back_html=f"<p>Back {i}</p>", due=now + timedelta(hours=rng.randint(-48, 400)),
        )
        for i in range(300)
    )  # fmt: skip
    stats = LearnerStats.objects.get(learner=focus)
    stats.current_streak = stats.longest_streak = 12
    stats.save(update_fields=["current_streak", "longest_streak"])
    BadgeAward.objects.bulk_create(
        [BadgeAward(learner=focus, code=c) for c in badges_for_stats(stats)], ignore_conflicts=True
    )


PROFICIENCY_FIELDS = ["learner_id", "skill_id", "mean", "var", "answers", "correct", "level",
                      "proficient_since", "mastered_at", "updated_at"]  # fmt: skip
# Roughly the precision one answer to a medium item adds to a skill's estimate.
PRECISION_PER_ANSWER = 0.45
FIRST_NAMES = ["Avery", "Jordan", "Maya", "Liam", "Sofia", "Noah", "Aisha", "Ethan", "Chloe", "Mateo"]
LAST_NAMES = ["Kim", "Garcia", "Patel", "Nguyen", "Smith", "Okafor", "Rossi", "Cohen", "Silva", "Tanaka"]


def _proficiency_rows(learner_id, answer_rows, skill_of, theta, rng) -> list[tuple]:
    """SkillProficiency rows for a learner's answers: the counts are exact; the estimate is drawn around
    the learner's ability with the precision that many answers give (replaying every answer through the
    engine would cost about a minute per million answers). The level comes from the engine's rule."""
    per_skill: dict[int, tuple] = {}
    for row in answer_rows:
        n, k, _last = per_skill.get(skill_of[row[3]], (0, 0, None))
        per_skill[skill_of[row[3]]] = (n + 1, k + row[6], row[9])
    rows = []
    for skill_id, (n, k, last) in per_skill.items():
        precision = PRECISION_PER_ANSWER * n
        mean = (theta + rng.gauss(0, SKILL_SPREAD)) * precision / (1 + precision)
        var = max(1 / (1 + precision), MIN_VAR)
        level = estimate_level(SkillState(mean, var, n, k))
        since = last if level >= Level.PROFICIENT else None
        rows.append((learner_id, skill_id, mean, var, n, k, int(level), since, None, last))
    return rows


def _institutions_exist() -> bool:
    with operator_access(reason="generate_load_data", actor="operator"):
        return Institution.objects.filter(slug__startswith=PREFIX).exists()


def _institution_learners(shape: InstitutionShape, rng: random.Random, log) -> list[int]:
    """The institutions' learners (`load-inst<i>-learner<n>`), with profiles that name a target score and
    a test date; ids in class order (the first `learners_per_class` are class 0's, and so on)."""
    if not shape.learners:
        return []
    password = make_password(None)  # unusable
    users = [
        User(username=f"{PREFIX}inst{i}-learner{n}", email=f"{PREFIX}inst{i}-learner{n}@load.invalid",
             password=password)
        for i in range(shape.institutions)
        for n in range(shape.learners_per_institution)
    ]  # fmt: skip
    created = User.objects.bulk_create(users, batch_size=2000)
    today = timezone.localdate()
    Profile.objects.bulk_create(
        [
            Profile(
                user=user,
                display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                target_score=rng.randrange(1000, 1560, 10) if rng.random() < 0.9 else None,
                test_date=today + timedelta(days=rng.randint(14, 200)) if rng.random() < 0.85 else None,
                time_zone="America/Chicago",
            )
            for user in created
        ],
        batch_size=2000,
    )
    log(f"created {len(created)} institution learners")
    return [user.pk for user in created]


def _staff(institution: Institution, names: list[str]) -> list[User]:
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=name, email=f"{name}@load.invalid", password=password) for name in names
    )
    Profile.objects.bulk_create(Profile(user=u, time_zone=institution.time_zone) for u in users)
    return users


def _build_institutions(cursor, shape: InstitutionShape, members: list[int], rng, now, log) -> None:
    """Institutions with an admin, a teacher per class, the classes, enrollments (and learner
    memberships) of `members`, and three assignments per class with every learner's progress. Written
    past row-level security, as an operator: COPY runs in the same transaction as the bypass."""
    sections = list(Section.objects.order_by("pk"))
    lengths = {"past": 20, "current": 10, "new": 10}
    # (opens, due) relative to now, and how learners stand: (completed, in progress) shares.
    windows = {
        "past": (timedelta(days=-14), timedelta(days=-7), 0.8, 0.1),
        "current": (timedelta(days=-3), timedelta(days=4), 0.4, 0.3),
        "new": (timedelta(hours=-1), timedelta(days=10), 0.1, 0.1),
    }
    with operator_access(reason="generate_load_data", actor="operator"):
        for i in range(shape.institutions):
            learners = members[i * shape.learners_per_institution : (i + 1) * shape.learners_per_institution]
            institution = Institution.objects.create(
                name=f"Load High School {i}",
                slug=f"{PREFIX}inst{i}",
                time_zone="America/Chicago",
                default_test_date=timezone.localdate() + timedelta(days=90),
            )
            admin, *teachers = _staff(
                institution,
                [f"{PREFIX}inst{i}-admin"] + [f"{PREFIX}inst{i}-teacher{c}" for c in range(shape.classes)],
            )
            Membership.objects.bulk_create(
                [Membership(institution=institution, user=admin, role=Role.ADMIN)]
                + [Membership(institution=institution, user=t, role=Role.TEACHER) for t in teachers]
            )
            classes = Classroom.objects.bulk_create(
                Classroom(institution=institution, name=f"SAT Prep, period {c + 1:02d}")
                for c in range(shape.classes)
            )
            ClassTeacher.objects.bulk_create(
                ClassTeacher(institution=institution, classroom=classroom, teacher=teacher)
                for classroom, teacher in zip(classes, teachers, strict=True)
            )
            joined = now - timedelta(days=150)
            copy_rows(
                cursor,
                Membership,
                ["institution_id", "user_id", "role", "external_id", "created_at"],
                ((institution.pk, pk, Role.LEARNER, f"S{n:06d}", joined) for n, pk in enumerate(learners)),
                policies=True,
            )
            roster = [
                (classroom, learners[c * shape.learners_per_class : (c + 1) * shape.learners_per_class])
                for c, classroom in enumerate(classes)
            ]
            copy_rows(
                cursor,
                Enrollment,
                ["institution_id", "classroom_id", "learner_id", "source", "created_at"],
                (
                    (institution.pk, classroom.pk, pk, Enrollment.Source.ROSTER, joined)
                    for classroom, pks in roster
                    for pk in pks
                ),
                policies=True,
            )
            assignments = Assignment.objects.bulk_create(
                Assignment(
                    institution=institution,
                    classroom=classroom,
                    created_by=teacher,
                    title=f"{kind.capitalize()} set: {section.name}",
                    section=section,
                    length=lengths[kind],
                    opens_at=now + windows[kind][0],
                    due_at=now + windows[kind][1],
                    created_at=now + windows[kind][0],
                )
                for classroom, teacher in zip(classes, teachers, strict=True)
                for n, kind in enumerate(windows)
                for section in [sections[n % len(sections)]]
            )
            progress = []
            for assignment, kind in zip(assignments, [k for _ in classes for k in windows], strict=True):
                opens, due, done, started = windows[kind]
                length = lengths[kind]
                for pk in dict(roster)[assignment.classroom]:
                    draw = rng.random()
                    # Most start within the window; a few after the due date (late), none in the future.
                    began = now + opens + (due - opens) * rng.uniform(0.05, 1.1)
                    began = min(began, now - timedelta(minutes=5))
                    if draw < done:
                        answered, finished = length, min(began + timedelta(minutes=rng.randint(8, 40)), now)
                        status, late = AssignmentProgress.Status.COMPLETED, finished > now + due
                    elif draw < done + started:
                        answered, finished = rng.randint(1, length - 1), None
                        status, late = AssignmentProgress.Status.IN_PROGRESS, False
                    else:
                        answered, finished, began = 0, None, None
                        status, late = AssignmentProgress.Status.NOT_STARTED, False
                    correct = sum(rng.random() < 0.65 for _ in range(answered))
                    progress.append(
                        (institution.pk, assignment.pk, pk, status, answered, correct, began, finished, late)
                    )
            copy_rows(
                cursor,
                AssignmentProgress,
                ["institution_id", "assignment_id", "learner_id", "status", "answered", "correct",
                 "started_at", "completed_at", "late"],
                progress,
                policies=True,
            )  # fmt: skip
            log(
                f"institution {institution.slug}: {len(classes)} classes, {len(learners):,} learners, "
                f"{len(teachers)} teachers, {len(assignments)} assignments, {len(progress):,} progress rows"
            )
