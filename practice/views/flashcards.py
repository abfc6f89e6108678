"""Flashcard pages: list and search, create, edit, delete, review, CSV import and export, scheduler."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepnexus.ratelimit import ratelimit

from ..formats import flashcard_csv
from ..forms import (
    FlashcardForm,
    FlashcardImportForm,
    FlashcardRatingForm,
    FlashcardSearchForm,
    SchedulerForm,
    add_validation_errors,
)
from ..models import Flashcard
from ..selectors.flashcards import (
    flashcard_due_count,
    flashcard_get,
    flashcard_list,
    flashcard_next_due,
    learner_time_zone,
)
from ..services.flashcards import (
    flashcard_create,
    flashcard_delete,
    flashcard_review,
    flashcard_update,
    flashcards_import,
    study_preference_get,
    study_preference_set,
)

FLASHCARDS_PER_PAGE = 20


@login_required
def flashcard_list_view(request):
    search = FlashcardSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    cards = flashcard_list(learner=request.user, query=query)
    page = Paginator(cards, FLASHCARDS_PER_PAGE).get_page(request.GET.get("page"))
    due = flashcard_due_count(learner=request.user)
    return render(
        request,
        "practice/flashcard_list.html",
        {"page": page, "search": search, "query": query, "due": due},
    )


@ratelimit("flashcard-write", key="user")
@login_required
@require_http_methods(["GET", "POST"])
def flashcard_create_view(request):
    form = FlashcardForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                flashcard_create(owner=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "Card added.")
                return redirect("practice:flashcard-list")
        return render(request, "practice/flashcard_form.html", {"form": form}, status=422)
    return render(request, "practice/flashcard_form.html", {"form": form})


@ratelimit("flashcard-write", key="user")
@login_required
@require_http_methods(["GET", "POST"])
def flashcard_update_view(request, pk):
    card = flashcard_get(learner=request.user, pk=pk)
    form = FlashcardForm(request.POST or None, instance=Flashcard(front=card.front, back=card.back))
    if request.method == "POST":
        if form.is_valid():
            try:
                flashcard_update(card=card, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "Card saved.")
                return redirect("practice:flashcard-list")
        return render(request, "practice/flashcard_form.html", {"form": form, "card": card}, status=422)
    return render(request, "practice/flashcard_form.html", {"form": form, "card": card})


@login_required
@require_http_methods(["GET", "POST"])
def flashcard_delete_view(request, pk):
    card = flashcard_get(learner=request.user, pk=pk)
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
        time_zone=learner_time_zone(learner=request.user),
        too_large=getattr(request, "upload_too_large", False),
    )
    if form.is_valid():
        try:
            result = flashcards_import(owner=request.user, rows=form.rows)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"{result.imported} imported, {result.skipped} skipped as duplicates.")
            return redirect("practice:flashcard-list")
    return render(request, "practice/flashcard_import.html", context | {"form": form}, status=400)


@login_required
def flashcard_review_next(request):
    card = flashcard_next_due(learner=request.user)
    due = flashcard_due_count(learner=request.user) if card else 0
    return render(request, "practice/flashcard_review.html", {"card": card, "due": due})


@login_required
@require_POST
def flashcard_rate(request, pk):
    card = flashcard_get(learner=request.user, pk=pk)
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
