"""Account routes. Not namespaced: django.contrib.auth looks these names up as they are."""

from django.contrib.auth import views as auth_views
from django.urls import path

from prepnexus.loginlimit import login_limited
from prepnexus.ratelimit import key_post_field, ratelimit

from ..forms import LegacyAwarePasswordResetForm, LoginForm
from ..views import accounts as views
from ..views import verification

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", ratelimit("signup")(views.signup), name="signup"),
    # Limited before any password is hashed (prepnexus/loginlimit.py); axes locks (address, account).
    path(
        "accounts/login/",
        login_limited(
            auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    # Django's own view, rate-limited per client and per address mailed (included before
    # django.contrib.auth.urls, so this one answers); its form also mails legacy must-reset accounts.
    path(
        "accounts/password_reset/",
        ratelimit("password-reset")(
            ratelimit("password-reset-email", key=key_post_field("email"))(
                views.CanonicalPasswordResetView.as_view(form_class=LegacyAwarePasswordResetForm)
            )
        ),
        name="password_reset",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/delete/", views.account_delete_view, name="account-delete"),
    path("accounts/email/", verification.email_change, name="email-change"),
    path("accounts/verify/send/", verification.email_verify_resend, name="email-verify-resend"),
    path("accounts/verify/<str:token>/", verification.email_verify_view, name="email-verify"),
]
