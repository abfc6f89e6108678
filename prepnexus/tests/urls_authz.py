"""Toy views the security tests aim at: one scoped to its owner, one that leaks another learner's
object, and two that hand raw URL and query values to PostgreSQL."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.views.decorators.http import require_POST

from practice.models import Profile


@login_required
def scoped(request, pk):
    profile = get_object_or_404(Profile, pk=pk, user=request.user)
    return HttpResponse(profile.display_name)


@login_required
def leaky(request, pk):
    return HttpResponse(get_object_or_404(Profile, pk=pk).display_name)


@login_required
@require_POST
def leaky_post(request, pk):
    return HttpResponse(status=422)  # validates the (empty) form before checking whose object it is


@login_required
@require_POST
def scoped_post(request, pk):
    get_object_or_404(Profile, pk=pk, user=request.user)
    return HttpResponse(status=422)


urlpatterns = [
    path("", include("practice.urls.accounts")),
    path("scoped-post/<int:pk>/", scoped_post, name="scoped-post"),
    path("leaky-post/<int:pk>/", leaky_post, name="leaky-post"),
    path("scoped/<int:pk>/", scoped, name="scoped"),
    path("leaky/<int:pk>/", leaky, name="leaky"),
]


def by_name(request, name):
    return HttpResponse(str(Profile.objects.filter(display_name=name).count()))


def search(request):
    return HttpResponse(str(Profile.objects.filter(display_name=request.GET.get("q", "")).count()))


urlpatterns += [
    path("by-name/<str:name>/", by_name, name="by-name"),
    path("search/", search, name="search"),
]
