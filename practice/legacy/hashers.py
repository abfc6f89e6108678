"""Password hashers for accounts imported from the two legacy apps.

The legacy hash is kept verbatim behind a Django algorithm prefix, so an imported learner logs in with the
old password. Neither hasher is ever the preferred one, so Django re-hashes the password with the default
hasher on the first successful login (``AbstractBaseUser.check_password`` does this).

- SAT Prep Suite stored bcrypt: ``$2b$12$<22 salt><31 hash>`` -> ``legacy_bcrypt$$2b$12$...``
- The Leitner app stored werkzeug's formats: ``pbkdf2:sha256:600000$salt$hex`` and
  ``scrypt:32768:8:1$salt$hex`` -> ``legacy_werkzeug$pbkdf2:sha256:600000$salt$hex``

Django's ``password`` column holds 128 characters, and a werkzeug scrypt hash alone is 162 (its digest is
64 bytes). So a werkzeug digest longer than 32 bytes is stored as its first 32 bytes, and verification
compares that prefix of the recomputed digest: 256 bits, as strong as Django's own pbkdf2_sha256, and no
schema change to the user table.
"""

import hashlib
import hmac
import re

import bcrypt
from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_noop as _

BCRYPT_ALGORITHM = "legacy_bcrypt"
WERKZEUG_ALGORITHM = "legacy_werkzeug"

# $2a$ and $2b$ are what the SAT Prep Suite wrote; $2y$ (PHP's name for the same thing) verifies the same.
# $2x$ marks hashes from the buggy pre-2011 crypt_blowfish and is refused.
_BCRYPT_RE = re.compile(
    r"\A\$2[aby]\$(?P<cost>0[4-9]|[12]\d|3[01])\$(?P<salt>[./A-Za-z0-9]{22})[./A-Za-z0-9]{31}\Z"
)
# The 22-character salt encodes 16 bytes (128 bits) in 132 bits: its last character carries 2 bits, so
# only these four are canonical. The bcrypt library raises ValueError on any other at every login.
_BCRYPT_SALT_LAST = frozenset(".Oeu")
_PBKDF2_RE = re.compile(
    r"\Apbkdf2:(?P<digest>[a-z0-9_]+):(?P<iterations>[1-9]\d{0,8})\$(?P<salt>[^$]+)\$(?P<hex>[0-9a-f]+)\Z"
)
_SCRYPT_RE = re.compile(
    r"\Ascrypt:(?P<n>[1-9]\d{0,9}):(?P<r>[1-9]\d{0,3}):(?P<p>[1-9]\d{0,3})\$(?P<salt>[^$]+)\$(?P<hex>[0-9a-f]+)\Z"
)
# Werkzeug computes pbkdf2 with these hashlib digests; anything else is not a werkzeug hash we know.
_PBKDF2_DIGESTS = {"sha1", "sha224", "sha256", "sha384", "sha512"}
# Django's AbstractBaseUser.password is a CharField(max_length=128).
_PASSWORD_COLUMN_LENGTH = 128
_KEPT_DIGEST_HEX = 64
# Work factors beyond these would let one stored row tie up a worker (or its memory) on every login: a
# bcrypt cost of 31 is days of CPU. A hash above its cap is not imported (the account must reset).
BCRYPT_MAX_COST = 14
PBKDF2_MAX_ITERATIONS = 2_000_000
SCRYPT_MAX_MEMORY = 128 * 1024 * 1024  # scrypt needs 128 * N * r * p bytes
# bcrypt only ever read the first 72 bytes; the legacy library truncated silently, bcrypt>=5 refuses.
_BCRYPT_MAX_BYTES = 72


class LegacyPasswordError(ValueError):
    """A stored password is not in a format the legacy hashers understand, or costs too much to check."""


def _bcrypt_problem(match: re.Match) -> str | None:
    """Why a well-formed bcrypt hash is still refused (too costly, or a salt bcrypt raises on), or None."""
    if int(match["cost"]) > BCRYPT_MAX_COST:
        return f"its bcrypt cost {int(match['cost'])} is above the cap of {BCRYPT_MAX_COST}"
    if match["salt"][-1] not in _BCRYPT_SALT_LAST:
        return "its bcrypt salt is not canonical (its last character must be one of . O e u)"
    return None


def _werkzeug_problem(parts: dict) -> str | None:
    """Why a well-formed werkzeug hash is still refused (its work factor is above the cap), or None."""
    if parts["method"] == "pbkdf2":
        iterations = int(parts["iterations"])
        if iterations > PBKDF2_MAX_ITERATIONS:
            return f"its {iterations:,} pbkdf2 iterations are above the cap of {PBKDF2_MAX_ITERATIONS:,}"
        return None
    memory = 128 * int(parts["n"]) * int(parts["r"]) * int(parts["p"])
    if memory > SCRYPT_MAX_MEMORY:
        return f"scrypt would need {memory // 2**20:,} MiB, above the cap of {SCRYPT_MAX_MEMORY // 2**20} MiB"
    return None


def _werkzeug_parts(legacy: str) -> dict | None:
    """The parts of a well-formed werkzeug hash (whatever its work factor), or None."""
    if match := _PBKDF2_RE.match(legacy):
        if match["digest"] not in _PBKDF2_DIGESTS:
            return None
        return {"method": "pbkdf2", **match.groupdict()}
    if match := _SCRYPT_RE.match(legacy):
        n = int(match["n"])
        if n < 2 or n & (n - 1):  # scrypt's N must be a power of two
            return None
        return {"method": "scrypt", **match.groupdict()}
    return None


def _checkable_werkzeug_parts(legacy: str) -> dict | None:
    """The parts of a werkzeug hash this hasher will verify: well formed and within the caps."""
    parts = _werkzeug_parts(legacy)
    return parts if parts is not None and _werkzeug_problem(parts) is None else None


def _checkable_bcrypt(legacy: str) -> bool:
    match = _BCRYPT_RE.match(legacy)
    return match is not None and _bcrypt_problem(match) is None


def legacy_password_encode(raw_legacy_hash: str) -> str:
    """Map a legacy app's stored hash onto the form Django keeps in ``User.password``.

    Raises LegacyPasswordError for anything that is neither bcrypt nor a werkzeug pbkdf2/scrypt hash,
    so the importer can reject the account with a reason instead of storing an unusable password.
    """
    if not isinstance(raw_legacy_hash, str):
        raise LegacyPasswordError(f"password hash must be text, not {type(raw_legacy_hash).__name__}")
    value = raw_legacy_hash.strip()
    if match := _BCRYPT_RE.match(value):
        if problem := _bcrypt_problem(match):
            raise LegacyPasswordError(f"legacy password hash {mask_hash(value, show=4)!r} refused: {problem}")
        return f"{BCRYPT_ALGORITHM}${value}"
    if parts := _werkzeug_parts(value):
        if problem := _werkzeug_problem(parts):
            raise LegacyPasswordError(f"legacy password hash {mask_hash(value, show=4)!r} refused: {problem}")
        method = value.split("$", 1)[0]
        encoded = f"{WERKZEUG_ALGORITHM}${method}${parts['salt']}${parts['hex'][:_KEPT_DIGEST_HEX]}"
        if len(encoded) > _PASSWORD_COLUMN_LENGTH:
            raise LegacyPasswordError(
                f"legacy werkzeug hash {mask_hash(value, show=4)!r} does not fit the"
                f" {_PASSWORD_COLUMN_LENGTH} characters Django stores (its salt is too long)"
            )
        return encoded
    if value.startswith("$2"):
        reason = "a malformed or unsupported bcrypt hash (expected $2a$/$2b$/$2y$, cost 04-31, 53 characters)"
    elif value.startswith(("pbkdf2:", "scrypt:")):
        reason = (
            "a malformed werkzeug hash (expected pbkdf2:<digest>:<iterations>$salt$hex"
            " or scrypt:N:r:p$salt$hex)"
        )
    else:
        reason = "not a bcrypt ($2a$/$2b$) or werkzeug (pbkdf2:/scrypt:) hash"
    raise LegacyPasswordError(f"unknown legacy password format {mask_hash(value, show=4)!r}: {reason}")


class LegacyBCryptHasher(BasePasswordHasher):
    """Verifies the SAT Prep Suite's raw bcrypt hashes (no SHA-256 pre-hash, unlike Django's bcrypt)."""

    algorithm = BCRYPT_ALGORITHM
    library = "bcrypt"
    rounds = 12

    def salt(self):
        return bcrypt.gensalt(self.rounds).decode("ascii")

    def encode(self, password, salt):
        hashed = bcrypt.hashpw(self._secret(password), salt.encode("ascii")).decode("ascii")
        return f"{self.algorithm}${hashed}"

    def decode(self, encoded):
        algorithm, legacy = encoded.split("$", 1)
        assert algorithm == self.algorithm
        _, variant, cost, rest = legacy.split("$", 3)
        return {
            "algorithm": algorithm,
            "hash": rest[22:],
            "salt": rest[:22],
            "work_factor": int(cost),
            "variant": variant,
            "legacy": legacy,
        }

    def verify(self, password, encoded):
        try:
            algorithm, legacy = encoded.split("$", 1)
        except ValueError:
            return False
        # The caps hold at login too, for a hash stored before they existed.
        if algorithm != self.algorithm or not _checkable_bcrypt(legacy):
            return False
        try:
            # checkpw compares in constant time.
            return bcrypt.checkpw(self._secret(password), legacy.encode("ascii"))
        except ValueError:  # a salt or hash the library refuses is a refused login, never a 500
            return False

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("work factor"): decoded["work_factor"],
            _("salt"): mask_hash(decoded["salt"]),
            _("checksum"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass

    @staticmethod
    def _secret(password) -> bytes:
        data = password.encode("utf-8") if isinstance(password, str) else bytes(password)
        return data[:_BCRYPT_MAX_BYTES]


class LegacyWerkzeugHasher(BasePasswordHasher):
    """Verifies the Leitner app's werkzeug hashes (pbkdf2 and scrypt) with hashlib; no werkzeug needed."""

    algorithm = WERKZEUG_ALGORITHM
    iterations = 600_000

    def salt(self):
        return get_random_string(16)

    def encode(self, password, salt, iterations=None):
        iterations = iterations or self.iterations
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
        return f"{self.algorithm}$pbkdf2:sha256:{iterations}${salt}${digest}"

    def decode(self, encoded):
        algorithm, legacy = encoded.split("$", 1)
        assert algorithm == self.algorithm
        parts = _werkzeug_parts(legacy)
        if parts is None:
            raise LegacyPasswordError("not a werkzeug hash")
        return {"algorithm": algorithm, "hash": parts["hex"], "salt": parts["salt"], **parts}

    def verify(self, password, encoded):
        try:
            algorithm, legacy = encoded.split("$", 1)
        except ValueError:
            return False
        # The caps hold at login too, for a hash stored before they existed.
        parts = _checkable_werkzeug_parts(legacy) if algorithm == self.algorithm else None
        if parts is None:
            return False
        secret = password.encode("utf-8") if isinstance(password, str) else bytes(password)
        salt = parts["salt"].encode("utf-8")
        if parts["method"] == "pbkdf2":
            computed = hashlib.pbkdf2_hmac(parts["digest"], secret, salt, int(parts["iterations"]))
        else:
            n, r, p = int(parts["n"]), int(parts["r"]), int(parts["p"])
            try:
                # The same memory ceiling werkzeug passes: 132 * N * r * p bytes.
                computed = hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=132 * n * r * p)
            except (ValueError, MemoryError):
                return False
        expected = computed.hex()[:_KEPT_DIGEST_HEX]
        # A stored digest shorter than what we keep would weaken the check: it never verifies.
        return len(parts["hex"]) == len(expected) and hmac.compare_digest(expected, parts["hex"])

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        summary = {_("algorithm"): decoded["algorithm"], _("method"): decoded["method"]}
        if decoded["method"] == "pbkdf2":
            summary[_("iterations")] = decoded["iterations"]
        else:
            summary[_("work factor")] = f"N={decoded['n']} r={decoded['r']} p={decoded['p']}"
        summary[_("salt")] = mask_hash(decoded["salt"])
        summary[_("hash")] = mask_hash(decoded["hash"])
        return summary

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass
