import hashlib
import sqlite3

import bcrypt
import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.urls import reverse

from practice.legacy.hashers import LegacyPasswordError, legacy_password_encode
from practice.models import User

from ..factories import make_user
from . import samples as legacy_samples

PASSWORD = "Tr0ub4dor&3-legacy"


def _bcrypt(password: str, prefix: str = "2b") -> str:
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()
    return f"${prefix}${hashed[4:]}"


def _pbkdf2(password: str, salt: str = "saltsaltsaltsalt", iterations: int = 1000) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2:sha256:{iterations}${salt}${digest}"


def _scrypt(password: str, salt: str = "saltsaltsaltsalt", n: int = 1024, r: int = 8, p: int = 1) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p)
    return f"scrypt:{n}:{r}:{p}${salt}${digest.hex()}"


@pytest.mark.parametrize("prefix", ["2b", "2a", "2y"])
def test_bcrypt_hashes_verify_under_the_legacy_prefix(prefix):
    legacy = _bcrypt(PASSWORD, prefix)
    encoded = legacy_password_encode(legacy)
    assert encoded == f"legacy_bcrypt${legacy}"
    assert identify_hasher(encoded).algorithm == "legacy_bcrypt"
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)


@pytest.mark.parametrize("make", [_pbkdf2, _scrypt], ids=["pbkdf2", "scrypt"])
def test_werkzeug_hashes_verify_under_the_legacy_prefix(make):
    legacy = make(PASSWORD)
    encoded = legacy_password_encode(legacy)
    method, salt, digest = legacy.split("$")
    assert encoded == f"legacy_werkzeug${method}${salt}${digest[:64]}"
    assert len(encoded) <= 128
    assert identify_hasher(encoded).algorithm == "legacy_werkzeug"
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)
    assert not check_password("", encoded)


def test_werkzeug_pbkdf2_with_other_digests_verifies():
    digest = hashlib.pbkdf2_hmac("sha512", b"pw", b"abc", 500).hex()
    assert check_password("pw", legacy_password_encode(f"pbkdf2:sha512:500$abc${digest}"))


def test_werkzeug_scrypt_hash_is_stored_with_its_first_256_bits_to_fit_the_password_column():
    legacy = _scrypt(PASSWORD, n=32768)  # werkzeug's default: 162 characters, the column holds 128
    assert len(legacy) > 128
    encoded = legacy_password_encode(legacy)
    assert len(encoded) <= 128
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD[:-1], encoded)
    # A shortened digest would weaken the check, so it never verifies.
    assert not check_password(PASSWORD, encoded[:-2])


def test_werkzeug_hash_with_an_oversized_salt_is_refused():
    with pytest.raises(LegacyPasswordError, match="does not fit"):
        legacy_password_encode(_pbkdf2(PASSWORD, salt="s" * 60))


def test_unicode_passwords_verify_as_utf8():
    for legacy in (_bcrypt("Zoë-日本語"), _pbkdf2("Zoë-日本語"), _scrypt("Zoë-日本語")):
        assert check_password("Zoë-日本語", legacy_password_encode(legacy))


def test_bcrypt_reads_only_the_first_72_bytes_like_the_legacy_library():
    long_password = "a" * 72
    legacy = bcrypt.hashpw(long_password.encode(), bcrypt.gensalt(4)).decode()
    encoded = legacy_password_encode(legacy)
    assert check_password(long_password + "ignored-tail", encoded)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plaintext-password",
        "md5$abc$0123456789abcdef",
        "pbkdf2_sha256$600000$salt$hash",  # a Django hash is not a legacy one
        "$2x$04$" + "a" * 53,  # buggy crypt_blowfish variant
        "$2b$04$tooshort",
        "$2b$99$" + "a" * 53,  # cost out of range
        "pbkdf2:sha256$salt$abcdef",  # iterations left to a werkzeug default we cannot know
        "pbkdf2:md4:1000$salt$abcdef",
        "pbkdf2:sha256:1000$salt$NOTHEX",
        "scrypt:1000:8:1$salt$abcdef",  # N not a power of two
        "scrypt:1073741824:8:1$salt$abcdef",  # would need 1 TiB
        "scrypt:32768:8$salt$abcdef",
    ],
)
def test_unknown_or_malformed_formats_are_refused_with_a_reason(value):
    with pytest.raises(LegacyPasswordError, match="unknown legacy password format"):
        legacy_password_encode(value)


def test_refusal_never_echoes_the_whole_hash():
    secret = "md5$" + "f" * 32
    with pytest.raises(LegacyPasswordError) as caught:
        legacy_password_encode(secret)
    assert secret not in str(caught.value)


def test_non_text_is_refused():
    with pytest.raises(LegacyPasswordError, match="must be text"):
        legacy_password_encode(None)


def test_tampered_stored_hash_does_not_verify():
    encoded = legacy_password_encode(_pbkdf2(PASSWORD))
    assert not check_password(PASSWORD, encoded[:-1] + ("0" if encoded[-1] != "0" else "1"))
    assert not check_password(PASSWORD, "legacy_werkzeug$garbage")
    assert not check_password(PASSWORD, "legacy_bcrypt$garbage")


# --- the real legacy files and the real login view ---------------------------------------------------


def _legacy_accounts(db_path, kind):
    """(username, email, stored hash, password) for every account with a known plaintext password."""
    column = "hashed_password" if kind == "satprep" else "password_hash"
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        accounts = []
        for row in legacy_samples.credentials(db_path):
            found = connection.execute(
                f"SELECT username, email, {column} FROM users WHERE username = ?",
                (row["username"],),
            ).fetchone()
            assert found, f"{row['username']} from the credentials file is not in {db_path.name}"
            accounts.append((found[0], found[1], found[2], row["password"]))
        return accounts
    finally:
        connection.close()


def _import_account(username, email, legacy_hash) -> User:
    """An account as the legacy import leaves it: the old hash stored, wrapped for its hasher."""
    user = make_user(username=username, email=email or f"{username}@legacy.invalid")
    user.password = legacy_password_encode(legacy_hash)
    user.save(update_fields=["password"])
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["satprep", "leitner"])
def test_every_known_legacy_password_from_the_sample_and_generated_files_verifies(kind):
    # The generated file (seed 7) has scrypt accounts among those with known passwords; the sample has none.
    accounts = _legacy_accounts(legacy_samples.sample(kind), kind)
    accounts += _legacy_accounts(legacy_samples.generated(kind, 5), kind)
    assert len(accounts) == 10
    prefixes = set()
    for _username, _email, legacy_hash, password in accounts:
        encoded = legacy_password_encode(legacy_hash)
        prefixes.add(legacy_hash.split("$")[1] if kind == "satprep" else legacy_hash.split(":")[0])
        assert check_password(password, encoded)
        assert not check_password(password + "!", encoded)
    expected = {"2b"} if kind == "satprep" else {"pbkdf2", "scrypt"}
    assert prefixes == expected


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["satprep", "leitner"])
def test_every_stored_hash_in_the_sample_files_is_a_known_format(kind):
    column = "hashed_password" if kind == "satprep" else "password_hash"
    for path in (legacy_samples.sample(kind), legacy_samples.generated(kind, 5)):
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        hashes = [value for (value,) in connection.execute(f"SELECT {column} FROM users")]
        connection.close()
        assert hashes
        for value in hashes:
            assert legacy_password_encode(value).startswith("legacy_")


def _source(kind, source):
    return legacy_samples.sample(kind) if source == "sample" else legacy_samples.generated(kind, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["sample", "generated"])
@pytest.mark.parametrize("kind", ["satprep", "leitner"])
def test_old_password_logs_in_through_the_login_view_and_is_upgraded_once(client, kind, source):
    accounts = _legacy_accounts(_source(kind, source), kind)
    for username, email, legacy_hash, password in accounts:
        user = _import_account(username, email, legacy_hash)
        login_name = email or username

        response = client.post(reverse("login"), {"username": login_name, "password": "not-" + password})
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.password.startswith("legacy_"), "a failed login must not touch the stored hash"

        response = client.post(reverse("login"), {"username": login_name, "password": password})
        assert response.status_code == 302, f"{username} could not log in with the legacy password"
        assert int(client.session["_auth_user_id"]) == user.pk
        user.refresh_from_db()
        assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
        assert user.check_password(password)
        client.logout()

        # The upgraded hash keeps working and is not rewritten again.
        upgraded = user.password
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.password == upgraded
        client.logout()
