"""Verified email: following the mailed link, asking for a new one, and changing the address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prepnexus.ratelimit import ratelimit

from ..forms import EmailChangeForm, add_validation_errors
from ..services.verification import (
    VerifyLinkInvalid,
    email_verification_send,
    email_verify,
    user_email_change,
    verify_link_check,
    verify_token_read,
)


def _invalid(request, reason: str):
    return render(request, "registration/email_verify_invalid.html", {"reason": reason}, status=400)


@require_http_methods(["GET", "POST"])
def email_verify_view(request, token):
    """GET shows what the link verifies and a button; POST (signed in as that account) verifies it."""
    try:
        verify_token_read(token)
    except VerifyLinkInvalid as exc:
        return _invalid(request, str(exc))
    if not request.user.is_authenticated:
        # Only the account's owner may confirm: someone who signed up with another person's address
        # cannot have that person's click verify it for them.
        return redirect_to_login(request.get_full_path())
    if request.method == "GET":
        try:
            verify_link_check(token=token, user=request.user)
        except VerifyLinkInvalid as exc:
            return _invalid(request, str(exc))
        if request.user.email_verified_at is not None:
            messages.info(request, "Your email address is already verified.")
            return redirect("profile")
        return render(request, "registration/email_verify_confirm.html", {"token": token})
    try:
        email_verify(token=token, user=request.user)
    except VerifyLinkInvalid as exc:
        return _invalid(request, str(exc))
    messages.success(request, "Thank you: your email address is verified.")
    return redirect("profile")


@ratelimit("email-verify", key="user")
@login_required
@require_POST
def email_verify_resend(request):
    if request.user.email_verified_at is not None:
        messages.info(request, "Your email address is already verified.")
    else:
        email_verification_send(user=request.user)
        messages.success(
            request, f"We sent a new verification link to {request.user.email}. It may take a few minutes."
        )
    return redirect("profile")


@ratelimit("email-verify", key="user")
@login_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    form = EmailChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = user_email_change(user=request.user, email=form.cleaned_data["email"])
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(
                    request, f"Your address is now {user.email}. Follow the link mailed there to verify it."
                )
                return redirect("profile")
        return render(request, "practice/user_email_form.html", {"form": form}, status=422)
    return render(request, "practice/user_email_form.html", {"form": form})
