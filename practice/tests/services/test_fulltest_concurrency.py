"""Races on a full test: two tabs and double clicks saving one item, a save racing the module's end,
two starts at once. Real threads, each with its own connection."""

import threading

import pytest
from django.db import connection

from practice.models import TestAttempt, TestResponse
from practice.services.fulltests import TestClosed, fulltest_module_submit, fulltest_save, fulltest_start

from ..factories import make_user
from ..fulltest_factories import make_full_form
from .test_concurrency import wider_pool  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def _run(workers):
    barrier = threading.Barrier(len(workers))
    results, errors = [None] * len(workers), []

    def run(index, work):
        try:
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_concurrent_saves_to_one_item_keep_the_newest(wider_pool):  # noqa: F811
    make_full_form()
    learner = make_user()
    attempt = fulltest_start(learner=learner).attempt

    def save(seq):
        given = "ABCD"[seq % 4]
        return fulltest_save(
            learner=learner, attempt_id=attempt.pk, phase="rw1", position=4, changes={"given": given}, seq=seq
        )

    # Each seq is sent twice (a retry or double click); the largest must win, whatever the order.
    seqs = [1000 + n // 2 for n in range(THREADS)]
    _results, errors = _run([lambda s=s: save(s) for s in seqs])
    assert not errors, errors
    response = TestResponse.objects.get(module_attempt__attempt=attempt, position=4)
    assert response.seq == max(seqs) and response.given == "ABCD"[max(seqs) % 4]
    assert TestResponse.objects.filter(module_attempt__attempt=attempt, position=4).count() == 1


def test_a_save_racing_the_module_end_is_either_kept_or_refused(wider_pool):  # noqa: F811
    make_full_form()
    learner = make_user()
    attempt = fulltest_start(learner=learner).attempt

    def save(position):
        return fulltest_save(
            learner=learner, attempt_id=attempt.pk, phase="rw1", position=position, changes={"given": "B"}
        )

    workers = [lambda p=p: save(p) for p in range(1, THREADS)] + [
        lambda: fulltest_module_submit(attempt=attempt, phase="rw1")
    ]
    results, errors = _run(workers)
    assert all(isinstance(e, TestClosed) for e in errors), errors
    acknowledged = {p for p, r in zip(range(1, THREADS), results, strict=False) if r is not None}
    stored = set(
        TestResponse.objects.filter(module_attempt__attempt=attempt, module_attempt__phase="rw1")
        .exclude(given="")
        .values_list("position", flat=True)
    )
    # Every acknowledged save is in the closed module's record; nothing refused slipped in.
    assert stored == acknowledged
    marked = TestResponse.objects.filter(
        module_attempt__attempt=attempt, module_attempt__phase="rw1", is_correct__isnull=True
    )
    assert not marked.exists()


def test_two_starts_at_once_make_one_test(wider_pool):  # noqa: F811
    make_full_form()
    learner = make_user()
    results, errors = _run([lambda: fulltest_start(learner=learner) for _ in range(6)])
    assert not errors, errors
    assert TestAttempt.objects.filter(learner=learner).count() == 1
    assert sum(1 for r in results if r.created) == 1
    assert len({r.attempt.pk for r in results}) == 1
