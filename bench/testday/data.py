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
    app.python("-m", "bench.testday.data", "--password")
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
    return {"learners": learners, "teachers": [list(t) for t in teachers], "published_forms": forms}


def set_password() -> int:
    """One PBKDF2 hash of PASSWORD for every learner and teacher of the school (hashing each would take
    minutes)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from practice.models import User

    return User.objects.filter(username__startswith=SCHOOL).update(password=make_password(PASSWORD))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--password", action="store_true", help="set the bench password on the school")
    if parser.parse_args().password:
        print(f"{set_password()} accounts can log in with the bench password")
