"""Operator alert settings (docs/monitoring.md#alerts), read from the environment for prepnexus/settings.py.

Who is mailed: ALERT_EMAILS, or when it is empty the addresses in Django's ADMINS. How often: each kind of
alert at most once per ALERT_RATE_MINUTES. When: the thresholds of the periodic checks (monitoring/alerts.py).
"""

from email.utils import parseaddr

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email


def _address(name: str, value: str) -> tuple[str, str]:
    """("Name", "address") from "Name <address>" or a bare address; a bad one stops the start-up."""
    value = value.strip()
    display, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        raise ImproperlyConfigured(f"{name}: {value!r} is not an email address") from None
    return display or address, address


def alert_recipients(env: environ.Env) -> tuple[list[tuple[str, str]], list[str], int]:
    """ADMINS (Django's (name, address) pairs), ALERT_EMAILS and ALERT_RATE_MINUTES."""
    admins = [_address("ADMINS", value) for value in env.list("ADMINS", default=[])]
    emails = [_address("ALERT_EMAILS", value)[1] for value in env.list("ALERT_EMAILS", default=[])]
    rate_minutes = env.int("ALERT_RATE_MINUTES", default=60)
    if rate_minutes < 1:
        raise ImproperlyConfigured("ALERT_RATE_MINUTES must be at least 1.")
    return admins, emails, rate_minutes


def alert_thresholds(env: environ.Env) -> tuple[float, float]:
    """ALERT_DB_CONNECTIONS_RATIO (of max_connections) and BACKUP_MAX_AGE_HOURS (0: not checked)."""
    ratio = env.float("ALERT_DB_CONNECTIONS_RATIO", default=0.8)
    max_age = env.float("BACKUP_MAX_AGE_HOURS", default=26)
    if not 0 < ratio <= 1 or max_age < 0:
        raise ImproperlyConfigured("ALERT_DB_CONNECTIONS_RATIO must be in (0, 1]; BACKUP_MAX_AGE_HOURS >= 0.")
    return ratio, max_age
