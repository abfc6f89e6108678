"""Account routes. Not namespaced: django.contrib.auth looks these names up as they are."""

from django.contrib.auth import views as auth_views
from django.urls import path

from prepnexus.ratelimit import key_post_field, ratelimit

from ..forms import LoginForm
from ..views import accounts as views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", ratelimit("signup")(views.signup), name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Django's own view, rate-limited per client and per address mailed (included before
    # django.contrib.auth.urls, so this one answers).
    path(
        "accounts/password_reset/",
        ratelimit("password-reset")(
            ratelimit("password-reset-email", key=key_post_field("email"))(
                views.CanonicalPasswordResetView.as_view()
            )
        ),
        name="password_reset",
    ),
    path("accounts/profile/", views.profile, name="profile"),
]
