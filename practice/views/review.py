"""Review of mistakes: the due queue, answering an item, and the attempt's feedback."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..forms import ReviewAnswerForm, add_validation_errors
from ..selectors.review import review_attempt_get, review_item_get, review_next_due, review_queue
from ..services.review import review_answer_submit

REVIEW_TOKEN_MAX_AGE = 24 * 3600
REVIEW_TIME_CAP_MS = 30 * 60 * 1000


@login_required
def review_list(request):
    return render(
        request,
        "practice/reviewitem_list.html",
        {"items": review_queue(learner=request.user), "next_due": review_next_due(learner=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_item(request, pk):
    item = review_item_get(learner=request.user, pk=pk)
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
                    add_validation_errors(form, exc)
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
    attempt = review_attempt_get(learner=request.user, pk=pk)
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
