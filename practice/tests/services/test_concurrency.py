import threading
import uuid

import pytest
from django.db import connection

from practice.models import Answer, PracticeSession
from practice.services.answers import answer_submit

from ..factories import ensure_taxonomy, make_session, make_user

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


@pytest.fixture
def wider_pool():
    """Up to 10 pooled connections (the shared server is shared), waited for up to 10 s, for this test."""
    pool = connection.settings_dict["OPTIONS"]["pool"]
    saved = dict(pool)
    connection.close_pool()
    pool.update(max_size=10, timeout=10)
    yield
    connection.close_pool()
    pool.clear()
    pool.update(saved)


def test_twenty_threads_answering_one_session_record_exactly_one_answer_per_question(wider_pool):
    ensure_taxonomy()
    learner = make_user()
    session = make_session(learner, count=5)
    items = list(session.items.select_related("question").order_by("position"))
    # Each thread answers one question; 4 threads per question. Half of them replay a shared key
    # (a double click), the others post a fresh key (a second tab); some give another answer.
    shared_keys = {item.pk: uuid.uuid4() for item in items}
    jobs = []
    for n in range(THREADS):
        item = items[n % len(items)]
        key = shared_keys[item.pk] if n % 2 == 0 else uuid.uuid4()
        jobs.append((item, key, "B" if n % 3 else "C"))
    barrier = threading.Barrier(THREADS)
    results, errors = [None] * THREADS, []

    def worker(index, item, key, given):
        try:
            barrier.wait(timeout=30)
            own = PracticeSession.objects.get(pk=session.pk)  # each thread has its own connection
            answer = answer_submit(session=own, question=item.question, given=given, key=key)
            results[index] = (item.pk, answer.pk)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    answers = list(Answer.objects.filter(session=session))
    assert len(answers) == len(items)
    assert sorted(a.item_id for a in answers) == sorted(item.pk for item in items)
    # Every thread got back the one answer recorded for its question.
    by_item = {a.item_id: a.pk for a in answers}
    assert all(answer_pk == by_item[item_pk] for item_pk, answer_pk in results)
    session.refresh_from_db()
    assert session.answered_count == len(items)
    assert session.correct_count == sum(a.is_correct for a in answers)
    assert session.status == "completed"


def test_two_imports_of_one_flashcard_file_at_once_add_each_card_once(wider_pool):
    from django.utils import timezone

    from practice.formats import flashcard_csv
    from practice.models import Flashcard
    from practice.services.flashcards import flashcards_import, study_preference_get

    learner = make_user()
    # The learner has used flashcards before: their preference row exists, so nothing but the import's
    # own lock keeps the four transactions apart.
    study_preference_get(learner=learner)
    data = "front,back\n" + "".join(f"Card {n},Answer {n}\n" for n in range(30))
    rows = flashcard_csv.parse(data.encode(), time_zone="UTC", now=timezone.now())
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(flashcards_import(owner=learner, rows=rows))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.imported for result in results) == [0, 0, 0, 30]
    assert all(result.imported + result.skipped == 30 for result in results)
    assert Flashcard.objects.filter(owner=learner).count() == 30
