"""Bench learners who can log in: the learners bench/generate_load_data.py makes, with one shared password.

    DATABASE_URL=... .venv/bin/python bench/users.py --count 10000

The load generator gives its learners (`load-user0`, `load-user1`, ...) history but unusable passwords.
This sets one precomputed hash of PASSWORD on the first `count` of them, so a benchmark can log in as the
same learners whose sessions and answers are in the database. Learners that are missing (when it runs
without the generator) are created with profiles. One hash for all: a PBKDF2 hash costs ~0.4 s of CPU.
Safe to re-run.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-learner-passphrase-2026"
BATCH = 2000


def username(n: int) -> str:
    """The n-th learner (from 0), named as bench/loadgen.py names them."""
    return f"load-user{n}"


def generate(count: int, out=sys.stdout) -> int:
    """Give the first `count` generated learners the bench password (creating missing ones); return count."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from practice.models import Profile, User

    started = time.monotonic()
    password = make_password(PASSWORD)
    for first in range(0, count, BATCH):
        names = [username(n) for n in range(first, min(first + BATCH, count))]
        with transaction.atomic():
            User.objects.bulk_create(
                [User(username=name, email=f"{name}@load.invalid", password=password) for name in names],
                ignore_conflicts=True,
            )
            User.objects.filter(username__in=names).update(password=password)
            ids = User.objects.filter(username__in=names).values_list("id", flat=True)
            Profile.objects.bulk_create([Profile(user_id=pk) for pk in ids], ignore_conflicts=True)
        print(f"  learners: {first + len(names)}/{count}", file=out, flush=True)
    total = User.objects.filter(username__in=[username(n) for n in range(count)], password=password).count()
    seconds = time.monotonic() - started
    print(f"{total} learners can log in with the bench password ({seconds:.1f}s)", file=out)
    return total


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    generate(parser.parse_args().count)
