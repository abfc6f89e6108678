"""The Content-Security-Policy and Permissions-Policy that settings.py sets (kept here for its length)."""

from csp.constants import NONE, SELF

# Only this origin's files, no inline script or style anywhere (the admin included: Django 5.2's admin
# needs none on the pages we use), never framed.
_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), browsing-topics=()"
)


def content_security_policy(*, https: bool) -> dict:
    """django-csp's setting; over HTTPS it also upgrades any plain-HTTP reference."""
    return {"DIRECTIVES": {**_DIRECTIVES, **({"upgrade-insecure-requests": True} if https else {})}}
