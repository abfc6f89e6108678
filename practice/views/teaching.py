"""What every teacher and institution-admin page shares: entering the user's institution context, and
recording each look at learners' data in the access trail."""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from prepnexus.clientip import client_address

from ..services.institutions import access_record
from ..tenancy import STAFF_ROLES, user_scope


def teacher_view(view):
    """Log in required; the view runs in one transaction that sees only the institutions where the user
    teaches or administers (`request.scope`). Users who teach nowhere get a 403 page that says so."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with user_scope(request.user, roles=STAFF_ROLES) as scope:
            if not scope.roles:
                return render(request, "teach/not_a_teacher.html", status=403)
            request.scope = scope
            return view(request, *args, **kwargs)

    return wrapped


def record_access(
    request, *, what: str, institution_id: int, learner_ids: Iterable[int], classroom_id=None, export=False
) -> None:
    """One row in the access trail for this page, naming every learner it showed."""
    access_record(
        actor=request.user,
        role=request.scope.roles.get(institution_id, "staff"),
        institution_id=institution_id,
        what=what,
        learner_ids=list(learner_ids),
        classroom_id=classroom_id,
        action="export" if export else "view",
        path=request.get_full_path(),
        client_ip=str(client_address(request)),
    )
