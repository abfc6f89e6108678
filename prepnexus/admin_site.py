"""The staff admin's site: staff requests to institution-owned models pass the institution policies through
the one explicit, logged path (practice.tenancy.operator_access), and every page that shows learners'
data is recorded in the access trail."""

from functools import wraps

from django.contrib import admin

from practice.services.institutions import access_record
from practice.tenancy import operator_access

from .clientip import client_address


def _record_staff_access(request, response) -> None:
    """One trail row for an admin list or form that showed learners' data (ModelAdmin.audit_learner_field)."""
    data = getattr(response, "context_data", None) or {}
    changelist, original = data.get("cl"), data.get("original")
    model_admin = (
        changelist.model_admin if changelist else getattr(data.get("adminform"), "model_admin", None)
    )
    field = getattr(model_admin, "audit_learner_field", None)
    if field is None or request.method != "GET":
        return
    shown = list(changelist.result_list) if changelist else [original] if original is not None else []
    learner_ids = [value for value in (getattr(obj, field, None) for obj in shown) if value]
    if not learner_ids:
        return
    institutions = {getattr(obj, "institution_id", None) for obj in shown}
    access_record(
        actor=request.user,
        role="staff",
        institution_id=institutions.pop() if len(institutions) == 1 else None,
        what=f"admin: {model_admin.model._meta.verbose_name_plural}",
        learner_ids=learner_ids,
        path=request.get_full_path(),
        client_ip=str(client_address(request)),
    )


class PrepNexusAdminSite(admin.AdminSite):
    site_header = "PrepNexus staff"
    site_title = "PrepNexus staff"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        model_admin = getattr(view, "__self__", None)
        model = getattr(model_admin, "model", None)
        # Institution-owned models need the policies passed; pages of learners' data need the trail row
        # (which, for staff, names no institution, so also goes through the operator path). Other admin
        # pages (questions, posts) run as they are, at no extra cost.
        guarded = model is not None and (
            model._meta.label == "practice.Institution"
            or any(f.attname == "institution_id" for f in model._meta.concrete_fields)
            or getattr(model_admin, "audit_learner_field", None) is not None
        )
        if not guarded:
            return inner

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if not (request.user.is_active and request.user.is_staff):
                return inner(request, *args, **kwargs)
            with operator_access(
                reason=f"staff admin {request.method} {request.path}", actor=request.user.username
            ):
                response = inner(request, *args, **kwargs)
                # Admin pages render lazily; render here, where the policies admit staff.
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                _record_staff_access(request, response)
            return response

        return wrapper
