import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepnexus.ratelimit import ratelimit

from . import selectors, services
from .forms import AnswerForm, ProfileForm, SessionStartForm, SignupForm
from .models import Question, SessionItem
from .services import learner_signup, profile_get_or_create, profile_update


def home(request):
    return render(request, "home.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = learner_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else ("password1" if field == "password" else None)
                for error in errors:
                    form.add_error(target, error)
        else:
            login(request, user, backend="practice.backends.EmailOrUsernameBackend")
            messages.success(request, "Welcome to PrepNexus! Your account is ready.")
            return redirect("home")
    status = 422 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    learner_profile = profile_get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=learner_profile)
    if request.method == "POST":
        if form.is_valid():
            profile_update(profile=learner_profile, **{name: form.cleaned_data[name] for name in form.fields})
            messages.success(request, "Profile saved.")
            return redirect("profile")
        # ModelForm validation mutated the instance; reload so the page shows what is stored.
        learner_profile.refresh_from_db()
        return render(request, "practice/profile_form.html", {"form": form}, status=422)
    return render(request, "practice/profile_form.html", {"form": form})


# --- Practice sessions ---

HISTORY_PAGE_SIZE = 10


def _start_form(data=None) -> SessionStartForm:
    return SessionStartForm(data, skills=list(selectors.skills_for_choice()))


def _session_list_context(request, form):
    paginator = Paginator(selectors.practice_session_list(learner=request.user), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "form": form,
        "page_obj": page,
        "open_sessions": selectors.practice_session_open_list(learner=request.user),
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
            session = services.practice_session_start(
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
    return next((item.position for item in items if not _answered(item)), items[-1].position if items else 1)


def _answered(item) -> bool:
    return selectors._has_answer(item)


@login_required
@require_GET
def session_detail(request, pk):
    """Resume: go to the first unanswered question, or to the results once the session is over."""
    session = selectors.practice_session_get(learner=request.user, pk=pk)
    services.practice_session_expire_if_due(session=session)
    if not session.is_open:
        return redirect("practice:session-results", pk=session.pk)
    items = selectors.session_items(session=session)
    return redirect("practice:item-detail", pk=session.pk, position=_current_position(items))


def _minutes_seconds(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def _question_page(request, session, position, form=None, status=200):
    items = selectors.session_items(session=session)
    if not 1 <= position <= len(items):
        raise Http404("No such question in this session.")
    item = items[position - 1]
    answered = _answered(item)
    if not session.is_open and (session.is_timed or not answered):
        return redirect("practice:session-results", pk=session.pk)
    question = Question.objects.select_related("skill__domain").get(pk=item.question_id)
    options = selectors.question_options(question=question)
    if session.is_open and not answered:
        services.session_item_mark_shown(item=item)
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
            "answered_count": sum(1 for i in items if _answered(i)),
            "seconds_left": session.seconds_left(),
            "time_left": _minutes_seconds(session.seconds_left()),
        },
        status=status,
    )


@login_required
@require_GET
def item_detail(request, pk, position):
    session = selectors.practice_session_get(learner=request.user, pk=pk)
    services.practice_session_expire_if_due(session=session)
    return _question_page(request, session, position)


@login_required
@require_POST
@ratelimit("answer", key="user")
def answer_create(request, pk, position):
    """Record the answer (exactly once per idempotency key), then redirect (Post/Redirect/Get)."""
    item = selectors.session_item_for_answer(learner=request.user, session_pk=pk, position=position)
    session = item.session
    services.practice_session_expire_if_due(session=session)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if "key" in form.errors:
            return HttpResponseBadRequest(
                "The answer form is missing its key. Reload the page and answer again."
            )
        return _question_page(request, session, position, form=form, status=422)
    try:
        services.answer_submit(
            session=session,
            question=item.question,
            item=item,
            given=form.cleaned_data["given"],
            key=form.cleaned_data["key"],
        )
    except services.SessionClosed as exc:
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
    session = selectors.practice_session_get(learner=request.user, pk=pk)
    item = get_object_or_404(SessionItem, session=session, position=position)
    services.session_item_flag(item=item, flagged=request.POST.get("flagged") == "1")
    return redirect("practice:item-detail", pk=session.pk, position=position)


@login_required
@require_POST
def session_finish(request, pk):
    session = selectors.practice_session_get(learner=request.user, pk=pk)
    services.practice_session_finish(session=session)
    return redirect("practice:session-results", pk=session.pk)


@login_required
@require_GET
def session_results(request, pk):
    session = selectors.practice_session_get(learner=request.user, pk=pk)
    services.practice_session_expire_if_due(session=session)
    if session.is_open:
        messages.info(request, "This session is still open. Finish it to see your results.")
        return redirect(session)
    results = selectors.session_results(session=session)
    return render(request, "practice/practicesession_results.html", {"session": session, "results": results})


@login_required
@require_POST
def session_mistakes(request, pk):
    """Start a practice-mode session from this session's wrong and omitted questions."""
    session = selectors.practice_session_get(learner=request.user, pk=pk)
    try:
        retry = services.practice_session_from_mistakes(session=session)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect("practice:session-results", pk=session.pk)
    return redirect(retry)
