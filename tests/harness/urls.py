"""The site's URLs plus test-only routes; mounted by tests/harness/settings.py."""

from django.urls import path

from prepnexus.urls import handler400, handler403, handler404, handler500
from prepnexus.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    path("_test/profile-name/<int:user_id>/", views.profile_name),
    path("_test/rename-then-read/", views.rename_then_read),
    path("_test/math-tools/", views.math_tools),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
