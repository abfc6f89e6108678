import hashlib
import shutil
import sqlite3

import bcrypt
import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.urls import reverse

from practice.legacy import hashers
from practice.legacy.hashers import LegacyPasswordError, legacy_password_encode
from practice.legacy.importer import legacy_import
from practice.models import LegacyRecord, User

from ..factories import make_user
from ..jobs import run_jobs
from ..mails import text
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


# --- work-factor caps and non-canonical bcrypt salts ------------------------------------------------

# Well formed, canonical salt (its 22nd character is one of . O e u); the checksum need not match anything.
_SALT = "abcdefghijklmnopqrstuu"
_CHECKSUM = "0123456789abcdefghijklmnopqrstu"


def _bcrypt_shape(cost: int, salt: str = _SALT) -> str:
    return f"$2b${cost:02d}${salt}{_CHECKSUM}"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (_bcrypt_shape(15), "bcrypt cost 15 is above the cap of 14"),
        (_bcrypt_shape(31), "bcrypt cost 31 is above the cap of 14"),
        ("pbkdf2:sha256:2000001$salt$abcdef", "2,000,001 pbkdf2 iterations are above the cap of 2,000,000"),
        ("scrypt:262144:8:1$salt$abcdef", "scrypt would need 256 MiB, above the cap of 128 MiB"),
        ("scrypt:1073741824:8:1$salt$abcdef", "scrypt would need 1,048,576 MiB"),
        ("scrypt:32768:8:16$salt$abcdef", "scrypt would need 512 MiB"),
    ],
)
def test_a_work_factor_above_the_cap_is_refused_with_the_cap_named(value, problem):
    with pytest.raises(LegacyPasswordError, match="refused: ") as caught:
        legacy_password_encode(value)
    assert problem in str(caught.value)
    assert value not in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [_bcrypt_shape(14), "pbkdf2:sha256:2000000$salt$abcdef", "scrypt:131072:8:1$salt$abcdef"],
    ids=["bcrypt-14", "pbkdf2-2M", "scrypt-128MiB"],
)
def test_a_work_factor_at_the_cap_is_imported(value):
    assert legacy_password_encode(value).startswith("legacy_")


@pytest.mark.parametrize(
    "encoded",
    [
        f"legacy_bcrypt${_bcrypt_shape(31)}",
        "legacy_werkzeug$pbkdf2:sha256:999999999$salt$" + "0" * 64,
        "legacy_werkzeug$scrypt:1048576:8:1$salt$" + "0" * 64,
    ],
    ids=["bcrypt-31", "pbkdf2-1G", "scrypt-1GiB"],
)
def test_a_stored_hash_above_the_cap_is_a_refused_login_without_hashing(monkeypatch, encoded):
    # Stored before the caps existed (or by hand): the login is refused before any CPU is spent.
    def expensive(*args, **kwargs):
        raise AssertionError("the password was hashed")

    monkeypatch.setattr(hashers.bcrypt, "checkpw", expensive)
    monkeypatch.setattr(hashers.hashlib, "pbkdf2_hmac", expensive)
    monkeypatch.setattr(hashers.hashlib, "scrypt", expensive)
    assert not check_password(PASSWORD, encoded)


def _non_canonical(legacy: str) -> str:
    """The same bcrypt hash with the salt's last character changed to one carrying stray low bits."""
    last = legacy[28]
    return legacy[:28] + ("/" if last != "/" else "A") + legacy[29:]


def test_a_bcrypt_hash_with_a_non_canonical_salt_is_refused_at_import():
    legacy = _non_canonical(_bcrypt(PASSWORD))
    with pytest.raises(LegacyPasswordError, match="salt is not canonical"):
        legacy_password_encode(legacy)


@pytest.mark.django_db
def test_a_stored_bcrypt_hash_with_a_non_canonical_salt_is_a_refused_login_not_a_500(client):
    user = make_user(username="oddsalt", email="oddsalt@example.com")
    user.password = "legacy_bcrypt$" + _non_canonical(_bcrypt(PASSWORD))
    user.save(update_fields=["password"])
    assert not check_password(PASSWORD, user.password)

    response = client.post(reverse("login"), {"username": "oddsalt", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_costly_and_non_canonical_hashes_import_as_accounts_that_must_reset(tmp_path):
    path = tmp_path / "hashes.db"
    shutil.copy(legacy_samples.sample("satprep"), path)
    db = sqlite3.connect(path)
    canonical = db.execute("SELECT hashed_password FROM users WHERE id = 2").fetchone()[0]
    db.execute("UPDATE users SET hashed_password = ? WHERE id = 1", (_bcrypt_shape(31),))
    db.execute("UPDATE users SET hashed_password = ? WHERE id = 2", (_non_canonical(canonical),))
    db.commit()
    db.close()

    report = legacy_import(path=path, kind="satprep").report
    assert report.verify() == []
    notes = {note["legacy_id"]: note["note"] for note in report.notes["users"] if "password" in note["note"]}
    assert "bcrypt cost 31 is above the cap of 14" in notes[1]
    assert "salt is not canonical" in notes[2]
    assert all(note.endswith("the account must reset it") for note in notes.values())
    for legacy_id in (1, 2):
        record = LegacyRecord.objects.get(table="users", legacy_id=legacy_id)
        assert record.state == "imported"
        assert not User.objects.get(pk=record.object_id).has_usable_password()


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
        assert identify_hasher(user.password).algorithm == "argon2"
        assert user.check_password(password)
        client.logout()

        # The upgraded hash keeps working and is not rewritten again.
        upgraded = user.password
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.password == upgraded
        client.logout()


# --- accounts whose legacy hash could not be kept reset their password --------------------------------


@pytest.mark.django_db
def test_an_account_imported_without_its_password_resets_it_by_email_and_logs_in(
    client, smtp_server, tmp_path
):
    doctored = tmp_path / "must-reset.db"
    shutil.copy(legacy_samples.sample("satprep"), doctored)
    db = sqlite3.connect(doctored)
    db.execute("UPDATE users SET hashed_password = 'md5$abc', email = 'lost-hash@example.com' WHERE id = 1")
    db.commit()
    db.close()
    legacy_import(path=doctored, kind="satprep")
    user = User.objects.get(pk=LegacyRecord.objects.get(table="users", legacy_id=1).object_id)
    assert not user.has_usable_password()
    # Another unusable password (not a legacy must-reset one) is still skipped, as Django does.
    other = make_user(username="no-password", email="no-password@example.com")
    other.set_unusable_password()
    other.save(update_fields=["password"])

    response = client.post(reverse("password_reset"), {"email": "LOST-HASH@example.com"})
    assert response.status_code == 302
    client.post(reverse("password_reset"), {"email": "no-password@example.com"})
    run_jobs()
    [mail] = smtp_server.messages
    assert mail["To"] == "lost-hash@example.com"

    link = next(line for line in text(mail).splitlines() if "/reset/" in line)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    new_password = "correct-horse-battery-staple-42"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": "lost-hash@example.com", "password": new_password})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
