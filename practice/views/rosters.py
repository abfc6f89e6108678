"""Roster upload pages: an institution admin (any class) or a teacher (their classes) uploads a roster CSV,
sees a preview of what each row would do, and commits it all or nothing; new accounts' one-time
set-password links are shown once and offered as a CSV download.

Between the preview and the commit the checked rows wait in the cache (Redis) under a random token bound
to the user, the institution and the class page, for PREVIEW_SECONDS; the commit uses exactly those rows
(no second upload, which a browser would make the user pick again and which could be a different file),
re-plans them and compares the plan's digest with the one the preview showed. A token is single use.
"""

import csv
import re
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from prepnexus.ratelimit import key_user, ratelimit

from ..formats import roster
from ..formats.csvsafe import escape
from ..forms.rosters import RosterCommitForm, RosterUploadForm
from ..selectors.institutions import admin_institution_get, classroom_get
from ..services.rosters import ACTION_LABELS, roster_commit, roster_plan
from .teaching import record_access, teacher_view

PREVIEW_SECONDS = 30 * 60
RESULT_SECONDS = 15 * 60
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
ROW_FIELDS = ("row", "email", "name", "class_name", "external_id", "problem")


@ratelimit("roster-upload", key=key_user)
@teacher_view
@require_http_methods(["GET", "POST"])
def roster_upload(request, pk):
    """An admin's roster upload for the whole institution: the class column names each row's class."""
    institution = admin_institution_get(scope=request.scope, pk=pk)
    return _roster_page(request, institution=institution, classroom=None)


@ratelimit("roster-upload", key=key_user)
@teacher_view
@require_http_methods(["GET", "POST"])
def class_roster_upload(request, pk):
    """A class's roster upload: a blank class column means this class."""
    classroom = classroom_get(scope=request.scope, pk=pk)
    return _roster_page(request, institution=classroom.institution, classroom=classroom)


def _binding(request, institution, classroom) -> dict:
    return {
        "user_id": request.user.pk,
        "institution_id": institution.pk,
        "classroom_id": classroom.pk if classroom else None,
    }


def _key(kind: str, token: str) -> str:
    return f"roster-{kind}:{token}"


def _stored(request, kind: str, token: str, binding: dict) -> dict | None:
    # Tokens are secrets.token_urlsafe(24): anything else is not looked up (nor made into a cache key).
    stored = cache.get(_key(kind, token)) if TOKEN.fullmatch(token) else None
    if not stored or any(stored.get(name) != value for name, value in binding.items()):
        return None
    return stored


def _roster_page(request, *, institution, classroom):
    context = {
        "institution": institution,
        "classroom": classroom,
        "upload_url": request.path,
        "max_rows": f"{roster.MAX_ROWS:,}",
        "max_mb": roster.MAX_BYTES // (1024 * 1024),
    }
    binding = _binding(request, institution, classroom)
    if request.method == "GET":
        if "download" in request.GET:
            return _download(request, request.GET["download"], binding, institution, classroom)
        return render(request, "teach/roster_upload.html", context | {"form": RosterUploadForm()})
    if "token" in request.POST:
        return _commit(request, binding, institution, classroom, context)
    form = RosterUploadForm(
        request.POST,
        request.FILES,
        class_required=classroom is None,
        too_large=getattr(request, "upload_too_large", False),
    )
    if not form.is_valid():
        status = 413 if form.too_large else 422
        return render(request, "teach/roster_upload.html", context | {"form": form}, status=status)
    return _preview(request, form.roster.rows, form.roster.ignored_columns, binding, context)


def _preview(request, rows, ignored_columns, binding, context, *, errors=(), status=200):
    institution, classroom = context["institution"], context["classroom"]
    try:
        plan = roster_plan(
            institution=institution, actor=request.user, rows=rows, default_classroom=classroom
        )
    except ValidationError as exc:
        return render(
            request,
            "teach/roster_upload.html",
            context | {"form": RosterUploadForm(), "errors": exc.messages},
            status=422,
        )
    token = secrets.token_urlsafe(24)
    cache.set(
        _key("preview", token),
        binding
        | {
            "rows": [tuple(getattr(row, name) for name in ROW_FIELDS) for row in rows],
            "ignored": ignored_columns,
        },
        PREVIEW_SECONDS,
    )
    counts = plan.counts
    context |= {
        "form": RosterUploadForm(),
        "plan": plan,
        "counts": [(ACTION_LABELS[action], count) for action, count in counts.items()],
        "refused": counts["refuse"],
        "commit_form": RosterCommitForm(initial={"token": token, "digest": plan.digest}),
        "ignored_columns": ignored_columns,
        "errors": list(errors),
        "preview_minutes": PREVIEW_SECONDS // 60,
    }
    return render(request, "teach/roster_upload.html", context, status=status)


def _commit(request, binding, institution, classroom, context):
    form = RosterCommitForm(request.POST)
    stored = _stored(request, "preview", form.data.get("token", ""), binding) if form.is_valid() else None
    if stored is None:
        message = "This preview has expired or was already committed. Upload the file again."
        return render(
            request,
            "teach/roster_upload.html",
            context | {"form": RosterUploadForm(), "errors": [message]},
            status=422,
        )
    rows = [roster.RosterRow(**dict(zip(ROW_FIELDS, values, strict=True))) for values in stored["rows"]]
    try:
        result = roster_commit(
            institution=institution,
            actor=request.user,
            rows=rows,
            digest=form.cleaned_data["digest"],
            default_classroom=classroom,
        )
    except ValidationError as exc:
        cache.delete(_key("preview", form.cleaned_data["token"]))
        return _preview(request, rows, stored["ignored"], binding, context, errors=exc.messages, status=422)
    cache.delete(_key("preview", form.cleaned_data["token"]))
    created = [
        {
            "row": account.row,
            "email": account.email,
            "name": account.name,
            "class_name": account.class_name,
            "user_id": account.user_id,
            "link": request.build_absolute_uri(account.set_password_path),
        }
        for account in result.created
    ]
    token = secrets.token_urlsafe(24)
    if created:
        cache.set(_key("result", token), binding | {"created": created}, RESULT_SECONDS)
    record_access(
        request,
        what="roster upload result",
        institution_id=institution.pk,
        learner_ids=result.learner_ids,
        classroom_id=classroom.pk if classroom else None,
    )
    context |= {
        "created": created,
        "matched": len(result.matched_ids),
        "already": len(result.already_ids),
        "download_url": f"{request.path}?download={token}" if created else None,
        "result_minutes": RESULT_SECONDS // 60,
        "back_url": classroom.get_absolute_url()
        if classroom
        else reverse("teach:institution-detail", args=[institution.pk]),
    }
    return render(request, "teach/roster_result.html", context)


def _download(request, token, binding, institution, classroom):
    stored = _stored(request, "result", token, binding)
    if stored is None:
        raise Http404("This download has expired. The links were shown once on the result page.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-accounts-{institution.slug}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["row", "email", "name", "class", "set_password_link"])
    for account in stored["created"]:
        writer.writerow(
            [
                account["row"],
                escape(account["email"]),
                escape(account["name"]),
                escape(account["class_name"]),
                account["link"],
            ]
        )
    record_access(
        request,
        what="roster new accounts",
        institution_id=institution.pk,
        learner_ids=[account["user_id"] for account in stored["created"]],
        classroom_id=classroom.pk if classroom else None,
        export=True,
    )
    return response
