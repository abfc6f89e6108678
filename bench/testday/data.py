"""The test day's data: the starter bank with its published forms, one school's learners and teachers.

Called by bench/testday/run.py on its throwaway PostgreSQL; `python -m bench.testday.data --password`
(run there with the app's environment) gives the school's learners and teachers the bench password.
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-learner-passphrase-2026"
PER_CLASS = 200
SCHOOL = "load-inst0-"
ASSIGNMENT_TITLE = "Test day: full-length practice test"


def shape(learners: int) -> tuple[int, int]:
    """(classes, learners per class) for at least `learners` learners: classes of up to 200."""
    classes = max(1, math.ceil(learners / PER_CLASS))
    return classes, math.ceil(learners / classes)


def build(app, learners: int, seed: int, log=print) -> dict:
    """Migrate, load the bank and its forms (seed_demo), generate the school (bench/loadgen.py, COPY) with a
    short history per learner, and give its people the bench password. `app` is a harness Gunicorn."""
    started = time.monotonic()
    app.manage("migrate", "--noinput")
    app.manage("collectstatic", "--noinput", "-v", "0")
    log("==> seed_demo --no-accounts: question bank, published forms A, B and C")
    app.manage("seed_demo", "--no-accounts")
    classes, per_class = shape(learners)
    total = classes * per_class
    log(f"==> generate_load_data: 1 institution, {classes} classes x {per_class} learners")
    app.python(
        "-m",
        "bench.generate_load_data",
        "--learners=0",
        f"--answers={20 * total + 10}",
        "--learner-answers=10",
        "--questions=60",
        "--institutions=1",
        f"--classes-per-institution={classes}",
        f"--learners-per-class={per_class}",
        f"--seed={seed}",
    )
    app.python("-m", "bench.testday.data", "--password", "--assign")
    data = {"classes": classes, "learners_per_class": per_class, **people(app.env["DATABASE_URL"])}
    data["seconds"] = round(time.monotonic() - started, 1)
    log(
        f"    {len(data['learners']):,} learners, {len(data['teachers'])} teachers, "
        f"{data['published_forms']} published forms ({data['seconds']:.0f} s)"
    )
    return data


def people(database_url: str) -> dict:
    """The school's learners in class order, and each teacher with the class they teach (read as the
    database owner: row-level security does not bind it)."""
    with psycopg.connect(database_url) as conn:
        learners = [
            name
            for (name,) in conn.execute(
                "SELECT username FROM practice_user WHERE username LIKE %s ORDER BY id", [f"{SCHOOL}learner%"]
            )
        ]
        teachers = conn.execute(
            """SELECT u.username, ct.classroom_id FROM practice_classteacher ct
                 JOIN practice_user u ON u.id = ct.teacher_id
                WHERE u.username LIKE %s ORDER BY ct.classroom_id""",
            [f"{SCHOOL}teacher%"],
        ).fetchall()
        (forms,) = conn.execute(
            "SELECT count(*) FROM practice_testform WHERE status = 'published'"
        ).fetchone()
        progress = dict(
            conn.execute(
                """SELECT u.username, p.id FROM practice_assignmentprogress p
                     JOIN practice_assignment a ON a.id = p.assignment_id
                     JOIN practice_user u ON u.id = p.learner_id
                    WHERE a.kind = 'full_test' AND a.title = %s""",
                [ASSIGNMENT_TITLE],
            ).fetchall()
        )
    return {
        "learners": learners,
        "teachers": [list(t) for t in teachers],
        "published_forms": forms,
        "progress": progress,
    }


def set_password() -> int:
    """One PBKDF2 hash of PASSWORD for every learner and teacher of the school (hashing each would take
    minutes)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from practice.models import User

    return User.objects.filter(username__startswith=SCHOOL).update(password=make_password(PASSWORD))


def assign() -> int:
    """Each class's teacher assigns the full-length test (each learner's next unseen form), open now and
    due tomorrow, through the app's service: one progress row per learner."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from practice.models import Assignment, ClassTeacher
    from practice.services.assignments import assignment_create
    from practice.tenancy import operator_access

    now = timezone.now()
    with operator_access(reason="bench testday", actor="operator"):
        links = list(
            ClassTeacher.objects.filter(teacher__username__startswith=SCHOOL).select_related(
                "classroom", "teacher"
            )
        )
        for link in links:
            assignment_create(
                classroom=link.classroom,
                created_by=link.teacher,
                title=ASSIGNMENT_TITLE,
                kind=Assignment.Kind.FULL_TEST,
                opens_at=now - timedelta(hours=1),
                due_at=now + timedelta(days=1),
            )
    return len(links)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--password", action="store_true", help="set the bench password on the school")
    parser.add_argument("--assign", action="store_true", help="each class is assigned the full test")
    options = parser.parse_args()
    if options.password:
        print(f"{set_password()} accounts can log in with the bench password")
    if options.assign:
        print(f"{assign()} classes are assigned the full-length test")
