"""Account pages: the home page, signup, the learner's profile and deleting the account."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from prepnexus.ratelimit import ratelimit

from ..forms import AccountDeleteForm, ProfileForm, SignupForm, add_validation_errors
from ..selectors.mail import mail_wanted
from ..services.accounts import account_delete, learner_signup, profile_get_or_create, profile_update


def home(request):
    return render(request, "home.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = learner_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else ("password1" if field == "password" else None)
                for error in errors:
                    form.add_error(target, error)
        else:
            login(request, user, backend="practice.backends.EmailOrUsernameBackend")
            messages.success(request, "Welcome to PrepNexus! Your account is ready.")
            return redirect("home")
    status = 422 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    learner_profile = profile_get_or_create(user=request.user)
    reminders = mail_wanted(user=request.user, kind="reminder")
    form = ProfileForm(request.POST or None, instance=learner_profile, initial={"reminders": reminders})
    if request.method == "POST":
        if form.is_valid():
            profile_update(profile=learner_profile, **{name: form.cleaned_data[name] for name in form.fields})
            messages.success(request, "Profile saved.")
            return redirect("profile")
        # ModelForm validation mutated the instance; reload so the page shows what is stored.
        learner_profile.refresh_from_db()
        return render(request, "practice/profile_form.html", {"form": form}, status=422)
    return render(request, "practice/profile_form.html", {"form": form})


@ratelimit("account-delete", key="user")
@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request):
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                account_delete(user=request.user)
            except ValidationError as exc:
                add_validation_errors(form, exc)
                return render(request, "practice/user_confirm_delete.html", {"form": form}, status=409)
            logout(request)
            messages.success(request, "Your account and everything in it have been deleted.")
            return redirect("home")
        return render(request, "practice/user_confirm_delete.html", {"form": form}, status=422)
    return render(request, "practice/user_confirm_delete.html", {"form": form})


class CanonicalPasswordResetView(PasswordResetView):
    """Django's reset view, with links on SITE_URL: a forged Host header cannot redirect the token."""

    def form_valid(self, form):
        # The form would take the domain and scheme from the request; its extra context wins over both.
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"domain": site.netloc, "protocol": site.scheme, "site_name": "PrepNexus"}
        return super().form_valid(form)
