import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from practice.models import Institution, Membership
from practice.tenancy import operator_access

from ..factories import make_user

pytestmark = pytest.mark.django_db


def test_create_institution_makes_the_institution_its_admin_and_prints_a_one_time_link(capsys):
    call_command(
        "create_institution",
        "Lincoln High School",
        "--admin-email",
        "Principal@Lincoln.example.org",
        "--time-zone",
        "America/Chicago",
        "--test-date",
        "2027-03-13",
    )
    out = capsys.readouterr().out
    assert "Created Lincoln High School (slug lincoln-high-school" in out
    link = next(line for line in out.splitlines() if "/accounts/reset/" in line)
    with operator_access(reason="test", actor="tests"):
        institution = Institution.objects.get()
        membership = Membership.objects.select_related("user", "institution").get()
    assert institution.time_zone == "America/Chicago" and str(institution.default_test_date) == "2027-03-13"
    assert membership.role == "admin" and membership.institution == institution
    assert not membership.user.has_usable_password()
    # The link lets the admin choose a password, once.
    client = Client()
    path = link.split("localhost:8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    password = "a long enough passphrase 42"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302
    assert "invalid" in Client().get(path, follow=True).content.decode().lower()


def test_an_existing_account_becomes_the_admin_and_no_link_is_printed(capsys):
    user = make_user(email="head@school.example.org")
    call_command("create_institution", "Roosevelt Prep", "--admin-email", "head@school.example.org")
    out = capsys.readouterr().out
    assert "already had an account" in out and "/accounts/reset/" not in out
    with operator_access(reason="test", actor="tests"):
        assert Membership.objects.get().user == user


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--admin-email", "not-an-email"], "email"),
        (["--admin-email", "a@b.example.org", "--time-zone", "Mars/Olympus"], "time zone"),
        (["--admin-email", "a@b.example.org", "--test-date", "13/03/2027"], "--test-date"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_institution", "Bad School", *args)
    with operator_access(reason="test", actor="tests"):
        assert not Institution.objects.exists()
        assert not Membership.objects.exists()


def test_the_same_institution_twice_is_refused():
    call_command("create_institution", "Twice High", "--admin-email", "a@twice.example.org")
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_institution", "twice high", "--admin-email", "b@twice.example.org")
