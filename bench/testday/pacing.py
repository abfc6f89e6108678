"""How a test-taker paces the full-length test, shared by the Locust users and the rates run.py prints."""

# The real pacing of the Digital SAT: 32 minutes for 27 RW questions, 35 for 22 Math questions.
PACE = {"rw": 71.0, "math": 95.0}
QUESTIONS = {"rw": 2 * 27, "math": 2 * 22}
TEACHER_REFRESH = 30.0
REVIEW_THINK = 20.0  # on each module's review page, before submitting
BREAK_THINK = 30.0  # on the break page before resuming early, and on the report before the next test
CHANGE_ANSWER = 0.15  # a second save with another answer
FLAG = 0.1
DOUBLE_SEND = 0.03  # the same save posted twice (a retry): must change nothing


def requests_per_second(time_scale: float) -> dict:
    """Mean requests per second of one test-taker over a whole test, and of one teacher."""
    saves = 1 + CHANGE_ANSWER
    per_question = 1 + saves * (1 + DOUBLE_SEND)  # the page, then its save(s)
    questions = sum(QUESTIONS.values())
    requests = questions * per_question + 4 * 2 + 2 + 1  # reviews and submits, the break, the report
    seconds = sum(QUESTIONS[s] * PACE[s] for s in PACE) + 4 * REVIEW_THINK + 2 * BREAK_THINK
    return {
        "requests_per_test": round(requests, 1),
        "seconds_per_test": round(seconds / time_scale, 1),
        "per_test_taker": requests / seconds * time_scale,
        "saves_per_test_taker": questions * saves * (1 + DOUBLE_SEND) / seconds * time_scale,
        "per_teacher": time_scale / TEACHER_REFRESH,
    }
