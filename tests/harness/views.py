"""Views only test servers mount (tests/harness/settings.py).

profile_name and rename_then_read show which database served a read (the scale-out tests); math_tools
shows the full test's Math tools on their own (the calculator's browser test).
"""

from django.contrib.auth.decorators import login_required
from django.db import connections, router
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from practice.models import Profile


def _served_by(alias: str) -> dict:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        (in_recovery,) = cursor.fetchone()
    return {"alias": alias, "replica": in_recovery}


@require_GET
def profile_name(request, user_id: int):
    """A plain ORM read of one learner's display name, as any page would make it."""
    alias = router.db_for_read(Profile)
    name = Profile.objects.filter(user_id=user_id).values_list("display_name", flat=True).first()
    if name is None:
        raise Http404
    return JsonResponse({"display_name": name, **_served_by(alias)})


@login_required
@require_POST
def rename_then_read(request):
    """Write, then read back in the same request: the read must see the write."""
    Profile.objects.filter(user=request.user).update(display_name=request.POST["display_name"])
    alias = router.db_for_read(Profile)
    name = Profile.objects.filter(user=request.user).values_list("display_name", flat=True).get()
    return JsonResponse({"display_name": name, **_served_by(alias)})


@require_GET
def math_tools(request):
    """The calculator and reference sheet partials on one page, as the test's Math page includes them."""
    return render(request, "practice/fulltest/_tools_demo.html")
