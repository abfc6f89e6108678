"""The one-click unsubscribe link of non-essential mails (RFC 8058; docs/email.md). No login: the signed
token is the authority. GET only shows a button (mail scanners prefetch links); POST turns the kind off,
whether from that button or from a mail client's List-Unsubscribe-Post."""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..models import User
from ..services.mail import mail_preference_set, unsubscribe_token_read

_KIND_NAMES = {"reminder": "study reminders", "digest": "the weekly digest"}


@csrf_exempt  # mail clients post the one-click without a CSRF token; the signed token is the check
@require_http_methods(["GET", "POST"])
def mail_unsubscribe(request, token: str):
    try:
        user_id, kind = unsubscribe_token_read(token)
    except signing.BadSignature:
        return render(request, "practice/mail_unsubscribe_invalid.html", status=400)
    user = User.objects.filter(pk=user_id).only("pk").first()
    if user is None:
        return render(request, "practice/mail_unsubscribe_invalid.html", status=400)
    context = {"token": token, "kind": kind, "kind_name": _KIND_NAMES.get(kind, f"{kind} emails")}
    if request.method == "POST":
        mail_preference_set(user=user, kind=kind, enabled=False, via="unsubscribe-link")
        return render(request, "practice/mail_unsubscribed.html", context)
    return render(request, "practice/mail_unsubscribe.html", context)
