"""Institution pages: the teacher's classes, class settings, an admin's institution (staff, invitations)
and its access trail; for learners, joining a class and seeing who looked at their data."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from prepnexus.ratelimit import key_user, ratelimit

from ..formats.csvsafe import escape
from ..forms.institutions import ClassForm, ClassSettingsForm, InviteForm, JoinForm
from ..models import AccessEvent, Role
from ..selectors.institutions import (
    access_events_for_institution,
    access_events_for_learner,
    admin_institution_get,
    classroom_get,
    classroom_list,
    institution_staff,
    institutions_for,
)
from ..services.institutions import (
    classroom_create,
    classroom_join,
    classroom_new_code,
    classroom_update,
    member_invite,
)
from ..tenancy import user_scope
from .teaching import teacher_view


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@teacher_view
def class_list(request):
    classes = list(classroom_list(scope=request.scope, include_archived=True))
    institutions = institutions_for(request.scope)
    context = {
        "active": [c for c in classes if not c.archived],
        "archived": [c for c in classes if c.archived],
        "admin_of": [i for i in institutions if request.scope.admin_of(i.pk)],
    }
    return render(request, "teach/class_list.html", context)


@teacher_view
def class_create(request):
    institutions = institutions_for(request.scope)
    form = ClassForm(request.POST or None)
    choices = [(i.pk, i.name) for i in institutions]
    if request.method == "POST" and form.is_valid():
        chosen = request.POST.get("institution") or (choices[0][0] if len(choices) == 1 else "")
        institution = next((i for i in institutions if str(i.pk) == str(chosen)), None)
        if institution is None:
            form.add_error(None, "Choose the institution the class belongs to.")
        else:
            try:
                classroom = classroom_create(
                    institution=institution, name=form.cleaned_data["name"], teachers=[request.user]
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    f"Class {classroom.name} created. Learners join it with code {classroom.join_code}.",
                )
                return redirect(classroom.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request, "teach/classroom_form.html", {"form": form, "institutions": institutions}, status=status
    )


@teacher_view
def class_settings(request, pk):
    classroom = classroom_get(scope=request.scope, pk=pk)
    form = ClassSettingsForm(request.POST or None, initial={"name": classroom.name})
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        try:
            if action == "rename":
                classroom_update(classroom=classroom, name=form.cleaned_data["name"])
            elif action in ("archive", "unarchive"):
                classroom_update(classroom=classroom, archived=action == "archive")
            else:
                classroom_new_code(classroom=classroom)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Class updated.")
            return redirect("teach:class-settings", pk=classroom.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "teach/classroom_settings.html", {"classroom": classroom, "form": form}, status=status
    )


@teacher_view
def institution_detail(request, pk):
    institution = admin_institution_get(scope=request.scope, pk=pk)
    form = InviteForm(request.POST or None)
    invitation = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation = member_invite(
                institution=institution,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{invitation.user.email} is now a member of {institution}.")
            form = InviteForm()
    context = {
        "institution": institution,
        "staff": institution_staff(institution=institution),
        "classes": [c for c in classroom_list(scope=request.scope) if c.institution_id == institution.pk],
        "form": form,
        "invitation": invitation,
        "set_password_url": request.build_absolute_uri(invitation.set_password_path)
        if invitation and invitation.set_password_path
        else None,
    }
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "teach/institution_detail.html", context, status=status)


@teacher_view
def access_list(request, pk):
    institution = admin_institution_get(scope=request.scope, pk=pk)
    page = Paginator(access_events_for_institution(institution=institution), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "teach/accessevent_list.html", {"institution": institution, "page": page})


@teacher_view
def access_export(request, pk):
    institution = admin_institution_get(scope=request.scope, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-trail-{institution.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "actor", "role", "action", "what", "class_id", "learner_ids", "path", "client_ip"])
    for event in access_events_for_institution(institution=institution).iterator(chunk_size=2000):
        writer.writerow(
            [
                event.at.isoformat(),
                escape(event.actor_name),
                event.actor_role,
                event.action,
                escape(event.what),
                event.classroom_id or "",
                " ".join(map(str, event.learner_ids)),
                escape(event.path),
                event.client_ip or "",
            ]
        )
    return response


@login_required
@ratelimit("class-join", key=key_user)
def class_join(request):
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            classroom, joined = classroom_join(learner=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            if joined:
                messages.success(request, f"You joined {classroom.name}.")
                return redirect("practice:dashboard")
            form.add_error("code", f"You are already in {classroom.name}; there is nothing more to do.")
            return render(request, "practice/classroom_join.html", {"form": form}, status=409)
    status = 422 if request.method == "POST" else 200
    return render(request, "practice/classroom_join.html", {"form": form}, status=status)


@login_required
def access_mine(request):
    """Every look a teacher, institution admin or staff member took at this learner's data."""
    with user_scope(request.user, roles=[Role.LEARNER]):
        page = Paginator(access_events_for_learner(learner=request.user), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request, "practice/accessevent_mine.html", {"page": page, "actions": AccessEvent.Action}
        )
