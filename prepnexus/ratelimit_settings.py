"""The RATELIMITS setting: each scope's "COUNT/SECONDS" from its environment variable, or its default.

Read by prepnexus/settings.py; the limits are applied by prepnexus/ratelimit.py and prepnexus/loginlimit.py.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

# scope: (environment variable, default "COUNT/SECONDS"); per client address unless the scope's
# decorator keys on the user.
SCOPES = {
    "signup": ("RATELIMIT_SIGNUP", "10/3600"),
    "password-reset": ("RATELIMIT_PASSWORD_RESET", "5/3600"),
    "password-reset-email": ("RATELIMIT_PASSWORD_RESET_EMAIL", "3/3600"),
    "answer": ("RATELIMIT_ANSWER", "120/60"),
    "flashcard-import": ("RATELIMIT_FLASHCARD_IMPORT", "30/3600"),
    "flashcard-write": ("RATELIMIT_FLASHCARD_WRITE", "60/600"),
    "account-delete": ("RATELIMIT_ACCOUNT_DELETE", "10/3600"),
    # Class codes: a learner's join attempts (per account), so codes cannot be guessed by trying.
    "class-join": ("RATELIMIT_CLASS_JOIN", "10/900"),
    # Roster uploads (preview or commit) per teacher or admin.
    "roster-upload": ("RATELIMIT_ROSTER_UPLOAD", "30/3600"),
    # Verification links mailed per learner (resends and address changes; each sends a mail).
    "email-verify": ("RATELIMIT_EMAIL_VERIFY", "3/3600"),
    # Logins (prepnexus/loginlimit.py): POSTs and failures per client address, failures per account.
    "login": ("RATELIMIT_LOGIN", "100/300"),
    "login-failures": ("RATELIMIT_LOGIN_FAILURES", "30/900"),
    "login-account": ("RATELIMIT_LOGIN_ACCOUNT", "10/300"),
}


def parse_rate(name: str, value: str, default: str) -> tuple[int, int]:
    count, _, seconds = value.partition("/")
    if not (count.isdigit() and seconds.isdigit() and int(seconds) > 0):
        raise ImproperlyConfigured(f"{name} must look like COUNT/SECONDS, e.g. {default}")
    return int(count), int(seconds)


def rate_limits(env: environ.Env) -> dict[str, tuple[int, int]]:
    """Every scope's (count, seconds), from the environment."""
    return {
        scope: parse_rate(name, env.str(name, default=default), default)
        for scope, (name, default) in SCOPES.items()
    }
