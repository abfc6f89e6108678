"""The full-length adaptive test's pages: start or resume, a module's questions, the review grid, the break
and the score report. Saves answer JSON to the page's script and redirect plain forms (no JavaScript).
"""

import json
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .. import charts
from ..models import MODULE_PHASES, Phase, TestAttempt
from ..selectors.fulltests import (
    attempt_get,
    attempt_history,
    attempt_report,
    forms_available,
    module_attempt_get,
    module_responses,
    question_with_options,
)
from ..services.fulltests import (
    NOTE_MAX_CHARS,
    TestClosed,
    TestNotFound,
    fulltest_break_end,
    fulltest_module_submit,
    fulltest_save,
    fulltest_start,
    fulltest_sync,
)
from ..services.sessions import DEADLINE_GRACE

SAVE_BODY_MAX = 16_384
FIVE_MINUTES = 300
MODULE_NUMBERS = {Phase.RW1: 1, Phase.RW2: 2, Phase.MATH1: 1, Phase.MATH2: 2}


def _wants_json(request) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _phase_url(attempt: TestAttempt) -> str:
    if attempt.phase == Phase.DONE:
        return reverse("practice:fulltest-report", args=[attempt.pk])
    if attempt.phase == Phase.BREAK:
        return reverse("practice:fulltest-break", args=[attempt.pk])
    return reverse("practice:fulltest-question", args=[attempt.pk, attempt.phase, 1])


def _seconds_left(deadline, now=None) -> int:
    return max(0, int((deadline - (now or timezone.now())).total_seconds()))


def _clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@login_required
@require_GET
def fulltest_list(request):
    """The full test's front page: what it is, start or resume, and the learner's history and trend."""
    history = attempt_history(learner=request.user)
    completed = [a for a in history if a.status == TestAttempt.Status.COMPLETED]
    points = [
        SimpleNamespace(
            taken_at=a.completed_at, total=a.total_score, total_low=a.total_low, total_high=a.total_high
        )
        for a in reversed(completed)
    ]
    trend = charts.trend(points, noun="tests", title="Total score on each full-length test") if points else {}
    return render(
        request,
        "practice/fulltest/list.html",
        {
            "open_attempt": next((a for a in history if a.is_open), None),
            "history": history,
            "trend": trend,
            "best": max((a.total_score for a in completed), default=None),
            "forms_available": bool(forms_available()),
        },
    )


@login_required
@require_POST
def fulltest_start_view(request):
    """Start a test, or resume the open one (a learner has one open test at a time)."""
    try:
        started = fulltest_start(learner=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("practice:fulltest-list")
    if not started.created:
        messages.info(request, "You already have a test in progress; it is resumed where you left it.")
    return redirect(_phase_url(started.attempt))


def _synced(request, pk) -> TestAttempt:
    attempt = attempt_get(learner=request.user, pk=pk)
    return fulltest_sync(attempt=attempt)


@login_required
@require_GET
def fulltest_detail(request, pk):
    """Resume: the current module's first question, the break, or the report."""
    return redirect(_phase_url(_synced(request, pk)))


def _module_context(attempt, phase):
    module_attempt = module_attempt_get(attempt=attempt, phase=phase)
    responses = module_responses(module_attempt=module_attempt)
    seconds_left = _seconds_left(module_attempt.deadline)
    return (
        module_attempt,
        responses,
        {
            "attempt": attempt,
            "module_attempt": module_attempt,
            "phase": phase,
            "phase_label": module_attempt.get_phase_display(),
            "section_name": module_attempt.module.section.name,
            "module_number": MODULE_NUMBERS[phase],
            "is_math": phase in (Phase.MATH1, Phase.MATH2),
            "responses": responses,
            "count": len(responses),
            "answered_count": sum(1 for r in responses if r.given),
            "seconds_left": seconds_left,
            "time_left": _clock(seconds_left),
            "timer_forced": seconds_left <= FIVE_MINUTES,
        },
    )


def _closed_redirect(request, attempt, phase):
    """A closed or not-yet-started module's page sends the learner where the test is now."""
    if phase in {p.value for p in MODULE_PHASES} and attempt.phase != phase:
        messages.info(request, "That module has ended; the test has moved on.")
    return redirect(_phase_url(attempt))


@login_required
@require_GET
def fulltest_question(request, pk, phase, position):
    return _question_page(request, _synced(request, pk), phase, position)


def _question_page(request, attempt, phase, position, errors=None, status=200, posted=None):
    """The item's page. `posted` is a refused plain-form save: the page shows what the learner entered
    (answer, flag, struck options, note) next to the errors, not the state saved before, so nothing typed
    is lost."""
    if attempt.phase != phase:
        if phase not in {p.value for p in MODULE_PHASES}:
            raise Http404("No such module.")
        return _closed_redirect(request, attempt, phase)
    _module_attempt, responses, context = _module_context(attempt, phase)
    if not 1 <= position <= len(responses):
        raise Http404("No such question in this module.")
    response = responses[position - 1]
    shown = SimpleNamespace(
        given=response.given, flagged=response.flagged, eliminated=response.eliminated, note=response.note
    )
    for name, value in (posted or {}).items():
        if hasattr(shown, name):
            setattr(shown, name, value)
    question, options = question_with_options(pk=response.slot.question_id)
    struck = set(shown.eliminated)
    for option in options:
        option.struck = option.label in struck
    context.update(
        {
            "position": position,
            "response": response,
            "shown": shown,
            "question": question,
            "options": options,
            "previous_position": position - 1 if position > 1 else None,
            "next_position": position + 1 if position < len(responses) else None,
            "errors": errors or {},
            "note_max": NOTE_MAX_CHARS,
            "save_url": reverse("practice:fulltest-save", args=[attempt.pk, phase, position]),
            "highlights": response.highlights,
        }
    )
    return render(request, "practice/fulltest/question.html", context, status=status)


def _save_changes(request) -> tuple[dict, int | None, str]:
    """The fields a save carries: JSON from the page's script, or the plain form (which sends them all)."""
    if request.content_type == "application/json":
        if len(request.body) > SAVE_BODY_MAX:
            raise ValidationError({"body": "The save is too large."})
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise ValidationError({"body": "The save is not valid JSON."}) from exc
        if not isinstance(data, dict):
            raise ValidationError({"body": "The save must be a JSON object."})
        changes = {
            name: data[name]
            for name in ("given", "flagged", "eliminated", "note", "highlights")
            if name in data
        }
        if "given" in changes and not isinstance(changes["given"], str | None):
            raise ValidationError({"given": "The answer must be text."})
        for name in ("eliminated", "note"):
            if name in changes and not isinstance(changes[name], str):
                raise ValidationError({name: "Must be text."})
        seq = data.get("seq")
        if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool)):
            raise ValidationError({"seq": "The save's sequence number must be an integer."})
        return changes, seq, ""
    post = request.POST
    changes = {"given": post.get("given", ""), "flagged": post.get("flagged") == "1"}
    changes["eliminated"] = "".join(post.getlist("eliminated"))
    if "note" in post:
        changes["note"] = post.get("note", "")
    return changes, None, post.get("go", "")


@login_required
@require_POST
def fulltest_save_view(request, pk, phase, position):
    """Save one item's state. JSON in, JSON out for the page's script; a plain form redirects onward."""
    as_json = _wants_json(request)
    changes = {}
    try:
        changes, seq, go = _save_changes(request)
        saved = fulltest_save(
            learner=request.user, attempt_id=pk, phase=phase, position=position, changes=changes, seq=seq
        )
    except TestNotFound as exc:
        if as_json:
            return JsonResponse({"error": str(exc)}, status=404)
        raise Http404(str(exc)) from exc
    except TestClosed as exc:
        attempt = attempt_get(learner=request.user, pk=pk)
        if as_json:
            return JsonResponse({"error": exc.messages[0], "redirect": _phase_url(attempt)}, status=409)
        messages.warning(request, exc.messages[0])
        return redirect(_phase_url(attempt))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"given": exc.messages}
        if as_json:
            return JsonResponse({"errors": errors}, status=422)
        attempt = attempt_get(learner=request.user, pk=pk)
        return _question_page(request, attempt, phase, position, errors=errors, status=422, posted=changes)
    if as_json:
        return JsonResponse(
            {
                "given": saved.given,
                "flagged": saved.flagged,
                "eliminated": saved.eliminated,
                "applied": saved.applied,
            }
        )
    if go == "review":
        return redirect("practice:fulltest-review", pk=pk, phase=phase)
    if go.isdigit():
        return redirect("practice:fulltest-question", pk=pk, phase=phase, position=int(go))
    if go == "next":
        return redirect("practice:fulltest-question", pk=pk, phase=phase, position=position + 1)
    if go == "back" and position > 1:
        return redirect("practice:fulltest-question", pk=pk, phase=phase, position=position - 1)
    return redirect("practice:fulltest-question", pk=pk, phase=phase, position=position)


@login_required
@require_GET
def fulltest_review(request, pk, phase):
    """The check-your-work page: every item's state, then submit the module."""
    attempt = _synced(request, pk)
    if attempt.phase != phase:
        if phase not in {p.value for p in MODULE_PHASES}:
            raise Http404("No such module.")
        return _closed_redirect(request, attempt, phase)
    _, _, context = _module_context(attempt, phase)
    return render(request, "practice/fulltest/review.html", context)


@login_required
@require_POST
def fulltest_submit(request, pk, phase):
    attempt = attempt_get(learner=request.user, pk=pk)
    if phase not in {p.value for p in MODULE_PHASES}:
        raise Http404("No such module.")
    try:
        attempt = fulltest_module_submit(attempt=attempt, phase=phase)
    except TestClosed as exc:
        return _conflict(request, attempt_get(learner=request.user, pk=pk), exc)
    return redirect(_phase_url(attempt))


def _conflict(request, attempt, exc):
    return render(
        request,
        "practice/fulltest/conflict.html",
        {"attempt": attempt, "message": exc.messages[0], "next_url": _phase_url(attempt)},
        status=409,
    )


@login_required
@require_GET
def fulltest_break(request, pk):
    attempt = _synced(request, pk)
    if attempt.phase != Phase.BREAK:
        return redirect(_phase_url(attempt))
    seconds_left = _seconds_left(attempt.phase_deadline + DEADLINE_GRACE)
    return render(
        request,
        "practice/fulltest/break.html",
        {"attempt": attempt, "seconds_left": seconds_left, "time_left": _clock(seconds_left)},
    )


@login_required
@require_POST
def fulltest_break_end_view(request, pk):
    attempt = attempt_get(learner=request.user, pk=pk)
    attempt = fulltest_break_end(attempt=attempt)
    return redirect(_phase_url(attempt))


@login_required
@require_GET
def fulltest_report(request, pk):
    attempt = _synced(request, pk)
    if attempt.is_open:
        messages.info(request, "Your score report is ready when you finish the test.")
        return redirect(_phase_url(attempt))
    report = attempt_report(attempt=attempt)
    return render(request, "practice/fulltest/report.html", {"attempt": attempt, "report": report})
