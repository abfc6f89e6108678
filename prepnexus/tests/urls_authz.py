"""Two toy views over a learner's profile: one scoped to its owner, one that leaks. The authorization
tests use them to show that their checks catch a leak."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from practice.models import Profile


@login_required
def scoped(request, pk):
    profile = get_object_or_404(Profile, pk=pk, user=request.user)
    return HttpResponse(profile.display_name)


@login_required
def leaky(request, pk):
    return HttpResponse(get_object_or_404(Profile, pk=pk).display_name)


urlpatterns = [
    path("", include("practice.accounts_urls")),
    path("scoped/<int:pk>/", scoped, name="scoped"),
    path("leaky/<int:pk>/", leaky, name="leaky"),
]
