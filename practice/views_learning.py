"""Learner pages for progress: dashboard, badges, review of mistakes, flashcards, export."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepnexus.ratelimit import ratelimit

from . import charts, exports, flashcard_csv
from .badges import BY_CODE, CATALOGUE
from .forms_learning import (
    FlashcardForm,
    FlashcardImportForm,
    FlashcardRatingForm,
    FlashcardSearchForm,
    ReviewAnswerForm,
    SchedulerForm,
)
from .models import BadgeAward, Flashcard, Profile, ReviewAttempt, ReviewItem
from .selectors_progress import (
    latest_badges,
    learner_summary,
    predicted_scores,
    review_queue,
    score_history,
    skill_rows,
    weekly_activity,
)
from .services_learning import (
    flashcard_create,
    flashcard_delete,
    flashcard_review,
    flashcard_update,
    flashcards_import,
    local_date,
    progress_version,
    progress_version_key,
    streak_current,
    study_preference_get,
    study_preference_set,
)
from .services_progress import review_answer_submit

FLASHCARDS_PER_PAGE = 20
REVIEW_TOKEN_MAX_AGE = 24 * 3600
DASHBOARD_CACHE_SECONDS = 24 * 3600
REVIEW_TIME_CAP_MS = 30 * 60 * 1000


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- Dashboard and badges ---


@login_required
def dashboard(request):
    summary = learner_summary(learner=request.user)
    request._learning_due = {"reviews_due": summary.reviews_due, "cards_due": summary.cards_due}
    today = local_date(summary.time_zone)
    # The navigation shows the display name: reuse the summary's instead of querying the profile.
    request.user._state.fields_cache.setdefault(
        "profile",
        Profile(user_id=request.user.pk, display_name=summary.display_name, time_zone=summary.time_zone),
    )
    # The charts, scores, mastery and badges change only when the learner's progress does (every
    # learning write replaces the version token), so their HTML is cached with the version it was
    # built for, per learner, day and time zone. One cache round trip reads both.
    key = f"learning:dashboard:{request.user.pk}:{today}:{summary.time_zone}"
    version_key = progress_version_key(request.user.pk)
    cached = cache.get_many([version_key, key])
    version = cached.get(version_key) or progress_version(request.user.pk)
    stored = cached.get(key)
    if stored is not None and stored[0] == version:
        body = stored[1]
    else:
        body = render_to_string(
            "practice/includes/_dashboard_body.html", _dashboard_body_context(request.user, today), request
        )
        cache.set(key, (version, body), DASHBOARD_CACHE_SECONDS)
    context = {
        "summary": summary,
        "stats": summary.stats,
        "streak": streak_current(summary.stats, today),
        "body": mark_safe(body),  # noqa: S308  our own rendered, autoescaped template
    }
    return render(request, "practice/dashboard_detail.html", context)


def _dashboard_body_context(learner, today) -> dict:
    scores = predicted_scores(learner=learner, rows=skill_rows(learner=learner))
    history = score_history(learner=learner)
    weeks = weekly_activity(learner=learner, today=today)
    bands = charts.band_bars(
        [
            ("Total", scores["total"]),
            ("Reading and Writing", scores["reading_writing"]),
            ("Math", scores["math"]),
        ]
    )
    return {
        "scores": scores,
        "bands": bands,
        "bands_svg": charts.bands_svg(bands),
        "history": history,
        "trend_svg": charts.trend_svg(history),
        "weeks": weeks,
        "weeks_svg": charts.weeks_svg(weeks),
        "badges": [(award, BY_CODE.get(award.code)) for award in latest_badges(learner=learner)],
    }


@login_required
def badge_list(request):
    earned = {award.code: award for award in BadgeAward.objects.filter(learner=request.user)}
    badges = [(spec, earned.get(spec.code)) for spec in CATALOGUE]
    return render(request, "practice/badge_list.html", {"badges": badges, "earned_count": len(earned)})


# --- Review of mistakes ---


@login_required
def review_list(request):
    items = review_queue(learner=request.user)
    upcoming = (
        ReviewItem.objects.filter(learner=request.user, due__gt=timezone.now())
        .order_by("due")
        .values("due")[:1]
    )
    return render(
        request,
        "practice/reviewitem_list.html",
        {"items": items, "next_due": upcoming[0]["due"] if upcoming else None},
    )


def _review_item_for(request, pk) -> ReviewItem:
    return get_object_or_404(
        ReviewItem.objects.select_related("question__skill__domain__section").prefetch_related(
            "question__options"
        ),
        pk=pk,
        learner=request.user,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_item(request, pk):
    item = _review_item_for(request, pk)
    if request.method == "POST":
        form = ReviewAnswerForm(request.POST)
        if form.is_valid():
            try:
                payload = signing.loads(
                    form.cleaned_data["token"], salt="review-shown", max_age=REVIEW_TOKEN_MAX_AGE
                )
                if payload.get("item") != item.pk:
                    raise signing.BadSignature
            except signing.BadSignature:
                form.add_error(None, "This form has expired. Answer the question again.")
            else:
                elapsed = int(timezone.now().timestamp() * 1000) - int(payload["t"])
                try:
                    attempt = review_answer_submit(
                        item=item,
                        given=form.cleaned_data["given"],
                        key=form.cleaned_data["key"],
                        time_spent_ms=min(max(elapsed, 0), REVIEW_TIME_CAP_MS),
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    return redirect("practice:review-attempt", pk=attempt.pk)
        status = 422
    else:
        form = ReviewAnswerForm(initial={"key": uuid.uuid4()})
        status = 200
    token = signing.dumps({"item": item.pk, "t": int(timezone.now().timestamp() * 1000)}, salt="review-shown")
    return render(
        request,
        "practice/reviewitem_detail.html",
        {"item": item, "question": item.question, "form": form, "token": token},
        status=status,
    )


@login_required
def review_attempt(request, pk):
    attempt = get_object_or_404(
        ReviewAttempt.objects.select_related("item__question__skill__domain__section").prefetch_related(
            "item__question__options"
        ),
        pk=pk,
        learner=request.user,
    )
    next_item = review_queue(learner=request.user, limit=1)
    return render(
        request,
        "practice/reviewattempt_detail.html",
        {
            "attempt": attempt,
            "question": attempt.item.question,
            "next_item": next_item[0] if next_item else None,
        },
    )


# --- Flashcards ---


@login_required
def flashcard_list(request):
    search = FlashcardSearchForm(request.GET or None)
    cards = Flashcard.objects.owned_by(request.user).order_by("-created_at", "-pk")
    query = ""
    if search.is_valid():
        query = search.cleaned_data["q"].strip()
        if query:
            cards = cards.filter(Q(front__icontains=query) | Q(back__icontains=query))
    page = Paginator(cards, FLASHCARDS_PER_PAGE).get_page(request.GET.get("page"))
    due = Flashcard.objects.due_for(request.user).count()
    return render(
        request,
        "practice/flashcard_list.html",
        {"page": page, "search": search, "query": query, "due": due},
    )


@login_required
@require_http_methods(["GET", "POST"])
def flashcard_create_view(request):
    form = FlashcardForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                flashcard_create(owner=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Card added.")
                return redirect("practice:flashcard-list")
        return render(request, "practice/flashcard_form.html", {"form": form}, status=422)
    return render(request, "practice/flashcard_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def flashcard_update_view(request, pk):
    card = get_object_or_404(Flashcard, pk=pk, owner=request.user)
    form = FlashcardForm(request.POST or None, instance=Flashcard(front=card.front, back=card.back))
    if request.method == "POST":
        if form.is_valid():
            try:
                flashcard_update(card=card, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Card saved.")
                return redirect("practice:flashcard-list")
        return render(request, "practice/flashcard_form.html", {"form": form, "card": card}, status=422)
    return render(request, "practice/flashcard_form.html", {"form": form, "card": card})


@login_required
@require_http_methods(["GET", "POST"])
def flashcard_delete_view(request, pk):
    card = get_object_or_404(Flashcard, pk=pk, owner=request.user)
    if request.method == "POST":
        flashcard_delete(card=card)
        messages.success(request, "Card deleted.")
        return redirect("practice:flashcard-list")
    return render(request, "practice/flashcard_confirm_delete.html", {"card": card})


@login_required
@require_GET
def flashcard_export(request):
    response = StreamingHttpResponse(
        flashcard_csv.export_lines(request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="prepnexus-flashcards.csv"'
    response["Cache-Control"] = "no-store"
    return response


@ratelimit("flashcard-import", key="user")
@login_required
@require_http_methods(["GET", "POST"])
def flashcard_import_view(request):
    context = {"max_rows": f"{flashcard_csv.MAX_ROWS:,}"}
    if request.method != "POST":
        return render(request, "practice/flashcard_import.html", context | {"form": FlashcardImportForm()})
    form = FlashcardImportForm(
        request.POST,
        request.FILES,
        time_zone=_time_zone(request.user),
        too_large=getattr(request, "upload_too_large", False),
    )
    if form.is_valid():
        try:
            result = flashcards_import(owner=request.user, rows=form.rows)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{result.imported} imported, {result.skipped} skipped as duplicates.")
            return redirect("practice:flashcard-list")
    return render(request, "practice/flashcard_import.html", context | {"form": form}, status=400)


def _time_zone(user) -> str:
    try:
        return user.profile.time_zone or "UTC"
    except Profile.DoesNotExist:
        return "UTC"


@login_required
def flashcard_review_next(request):
    card = Flashcard.objects.due_for(request.user).order_by("due", "pk").first()
    due = Flashcard.objects.due_for(request.user).count() if card else 0
    return render(request, "practice/flashcard_review.html", {"card": card, "due": due})


@login_required
@require_POST
def flashcard_rate(request, pk):
    card = get_object_or_404(Flashcard, pk=pk, owner=request.user)
    form = FlashcardRatingForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "practice/flashcard_review.html",
            {"card": card, "due": 1, "error": "Choose Again, Hard, Good or Easy."},
            status=422,
        )
    flashcard_review(card=card, rating=form.cleaned_data["rating"])
    return redirect("practice:flashcard-review")


@login_required
@require_http_methods(["GET", "POST"])
def flashcard_settings(request):
    pref = study_preference_get(learner=request.user)
    form = SchedulerForm(request.POST or None, initial={"flashcard_scheduler": pref.flashcard_scheduler})
    if request.method == "POST":
        if form.is_valid():
            study_preference_set(learner=request.user, scheduler=form.cleaned_data["flashcard_scheduler"])
            messages.success(request, "Scheduler saved.")
            return redirect("practice:flashcard-list")
        return render(request, "practice/studypreference_form.html", {"form": form}, status=422)
    return render(request, "practice/studypreference_form.html", {"form": form})


# --- Export ---


@login_required
def export_index(request):
    return render(request, "practice/export_index.html")


@login_required
def export_download(request, fmt):
    if fmt == "zip":
        response = StreamingHttpResponse(exports.zip_stream(request.user), content_type="application/zip")
        name = "prepnexus-export.zip"
    elif fmt == "json":
        response = StreamingHttpResponse(exports.json_stream(request.user), content_type="application/json")
        name = "prepnexus-export.json"
    else:
        raise Http404("Unknown export format.")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
