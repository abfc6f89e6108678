"""The project's settings with Django's default PBKDF2 as the preferred hasher, as before the switch to
Argon2id: the baseline of bench/login_storm.py. Never used outside the benchmarks."""

from prepnexus.checks import refuse_outside_tests
from prepnexus.settings import *  # noqa: F403
from prepnexus.settings import HTTPS, PASSWORD_HASHERS

refuse_outside_tests(__name__, https=HTTPS)

PASSWORD_HASHERS = [h for h in PASSWORD_HASHERS if "PBKDF2PasswordHasher" in h] + [
    h for h in PASSWORD_HASHERS if "PBKDF2PasswordHasher" not in h
]
