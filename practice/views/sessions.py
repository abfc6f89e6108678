"""Practice session pages: start, resume, answer, flag, finish, results and mistakes."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from prepnexus.ratelimit import ratelimit

from ..forms import AnswerForm, SessionStartForm
from ..selectors.questions import question_for_display, question_options, skills_for_choice
from ..selectors.sessions import (
    item_has_answer,
    practice_session_get,
    practice_session_list,
    practice_session_open_list,
    session_item_for_answer,
    session_item_get,
    session_items,
)
from ..selectors.sessions import (
    session_results as results_for_session,
)
from ..services.answers import answer_submit
from ..services.sessions import (
    SessionClosed,
    practice_session_expire_if_due,
    practice_session_finish,
    practice_session_from_mistakes,
    practice_session_start,
    session_item_flag,
    session_item_mark_shown,
)

HISTORY_PAGE_SIZE = 10


def _start_form(data=None) -> SessionStartForm:
    return SessionStartForm(data, skills=list(skills_for_choice()))


def _session_list_context(request, form):
    paginator = Paginator(practice_session_list(learner=request.user), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "form": form,
        "page_obj": page,
        "open_sessions": practice_session_open_list(learner=request.user),
    }


@login_required
@require_GET
def session_list(request):
    """Start a session, resume an unfinished one, or look back through the history."""
    return render(
        request, "practice/practicesession_list.html", _session_list_context(request, _start_form())
    )


@login_required
@require_POST
def session_create(request):
    form = _start_form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = practice_session_start(
                learner=request.user,
                section=data["section"],
                mode=data["mode"],
                difficulty=data["difficulty"],
                length=data["length"],
                domains=data["domains"],
                skills=data["skills"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if session.length < data["length"]:
                messages.info(
                    request,
                    f"Only {session.length} questions match these choices, so this session has "
                    f"{session.length}.",
                )
            return redirect(session)
    return render(
        request, "practice/practicesession_list.html", _session_list_context(request, form), status=422
    )


def _current_position(items) -> int:
    return next(
        (item.position for item in items if not item_has_answer(item)), items[-1].position if items else 1
    )


@login_required
@require_GET
def session_detail(request, pk):
    """Resume: go to the first unanswered question, or to the results once the session is over."""
    session = practice_session_get(learner=request.user, pk=pk)
    practice_session_expire_if_due(session=session)
    if not session.is_open:
        return redirect("practice:session-results", pk=session.pk)
    items = session_items(session=session)
    return redirect("practice:item-detail", pk=session.pk, position=_current_position(items))


def _minutes_seconds(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def _question_page(request, session, position, form=None, status=200):
    items = session_items(session=session)
    if not 1 <= position <= len(items):
        raise Http404("No such question in this session.")
    item = items[position - 1]
    answered = item_has_answer(item)
    if not session.is_open and (session.is_timed or not answered):
        return redirect("practice:session-results", pk=session.pk)
    question = question_for_display(pk=item.question_id)
    options = question_options(question=question)
    if session.is_open and not answered:
        session_item_mark_shown(item=item)
    answer = item.answer if answered else None
    show_feedback = answered and not session.is_timed
    if form is None:
        form = AnswerForm(initial={"key": uuid.uuid4()})
    return render(
        request,
        "practice/sessionitem_detail.html",
        {
            "session": session,
            "item": item,
            "items": items,
            "question": question,
            "options": options,
            "answer": answer,
            "show_feedback": show_feedback,
            "answerable": session.is_open and not answered,
            "correct_label": next((o.label for o in options if o.is_correct), ""),
            "form": form,
            "previous_position": position - 1 if position > 1 else None,
            "next_position": position + 1 if position < len(items) else None,
            "answered_count": sum(1 for i in items if item_has_answer(i)),
            "seconds_left": session.seconds_left(),
            "time_left": _minutes_seconds(session.seconds_left()),
        },
        status=status,
    )


@login_required
@require_GET
def item_detail(request, pk, position):
    session = practice_session_get(learner=request.user, pk=pk)
    practice_session_expire_if_due(session=session)
    return _question_page(request, session, position)


@login_required
@require_POST
@ratelimit("answer", key="user")
def answer_create(request, pk, position):
    """Record the answer (exactly once per idempotency key), then redirect (Post/Redirect/Get)."""
    item = session_item_for_answer(learner=request.user, session_pk=pk, position=position)
    session = item.session
    practice_session_expire_if_due(session=session)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if "key" in form.errors:
            return HttpResponseBadRequest(
                "The answer form is missing its key. Reload the page and answer again."
            )
        return _question_page(request, session, position, form=form, status=422)
    try:
        answer_submit(
            session=session,
            question=item.question,
            item=item,
            given=form.cleaned_data["given"],
            key=form.cleaned_data["key"],
        )
    except SessionClosed as exc:
        messages.warning(request, exc.messages[0])
        return redirect("practice:session-results", pk=session.pk)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("given", message)
        return _question_page(request, session, position, form=form, status=422)
    if session.is_timed and position < session.length:
        return redirect("practice:item-detail", pk=session.pk, position=position + 1)
    return redirect("practice:item-detail", pk=session.pk, position=position)


@login_required
@require_POST
def item_flag(request, pk, position):
    session = practice_session_get(learner=request.user, pk=pk)
    item = session_item_get(session=session, position=position)
    session_item_flag(item=item, flagged=request.POST.get("flagged") == "1")
    return redirect("practice:item-detail", pk=session.pk, position=position)


@login_required
@require_POST
def session_finish(request, pk):
    session = practice_session_get(learner=request.user, pk=pk)
    practice_session_finish(session=session)
    return redirect("practice:session-results", pk=session.pk)


@login_required
@require_GET
def session_results(request, pk):
    session = practice_session_get(learner=request.user, pk=pk)
    practice_session_expire_if_due(session=session)
    if session.is_open:
        messages.info(request, "This session is still open. Finish it to see your results.")
        return redirect(session)
    results = results_for_session(session=session)
    return render(request, "practice/practicesession_results.html", {"session": session, "results": results})


@login_required
@require_POST
def session_mistakes(request, pk):
    """Start a practice-mode session from this session's wrong and omitted questions."""
    session = practice_session_get(learner=request.user, pk=pk)
    try:
        retry = practice_session_from_mistakes(session=session)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect("practice:session-results", pk=session.pk)
    return redirect(retry)
