from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from prepnexus.loginlimit import login_limited

# The admin's login behind the learner login's limits, checked before any password is hashed; set
# before admin.site.urls below builds the admin's routes from it.
admin.site.login = login_limited(admin.site.login)

urlpatterns = [
    path("", include("practice.urls.accounts")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("practice.urls")),
    path("teach/", include("practice.urls.teaching")),
    path("", include("blog.urls")),
    path("", include("monitoring.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "prepnexus.views.bad_request"
handler403 = "prepnexus.views.permission_denied"
handler404 = "prepnexus.views.page_not_found"
handler500 = "prepnexus.views.server_error"
