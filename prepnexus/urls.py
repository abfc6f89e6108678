from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "PrepNexus staff"
admin.site.site_title = "PrepNexus staff"

urlpatterns = [
    path("", include("practice.urls.accounts")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("practice.urls")),
    path("", include("blog.urls")),
    path("", include("monitoring.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "prepnexus.views.bad_request"
handler403 = "prepnexus.views.permission_denied"
handler404 = "prepnexus.views.page_not_found"
handler500 = "prepnexus.views.server_error"
