"""Bench-local learner generator: N learners with profiles, one precomputed password hash, bulk inserted.

    DATABASE_URL=... .venv/bin/python bench/users.py --count 10000

Safe to re-run (existing bench learners are kept). Usernames are bench00001..; emails bench00001@example.org.
Hashing one password costs ~0.3 s (PBKDF2), so every learner shares the same hash and the same password.
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
    return f"bench{n:05d}"


def generate(count: int, out=sys.stdout) -> int:
    """Insert up to `count` bench learners and their profiles; return how many exist afterwards."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from practice.models import Profile, User

    started = time.monotonic()
    password = make_password(PASSWORD)
    for first in range(1, count + 1, BATCH):
        numbers = range(first, min(first + BATCH, count + 1))
        with transaction.atomic():
            User.objects.bulk_create(
                [
                    User(username=username(n), email=f"{username(n)}@example.org", password=password)
                    for n in numbers
                ],
                ignore_conflicts=True,
            )
            ids = User.objects.filter(username__in=[username(n) for n in numbers]).values_list(
                "id", "username"
            )
            Profile.objects.bulk_create(
                [Profile(user_id=pk, display_name=f"Learner {name[5:]}") for pk, name in ids],
                ignore_conflicts=True,
            )
        print(f"  learners: {numbers[-1]}/{count}", file=out, flush=True)
    total = User.objects.filter(username__startswith="bench").count()
    print(f"{total} bench learners in {time.monotonic() - started:.1f}s", file=out)
    return total


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    generate(parser.parse_args().count)
