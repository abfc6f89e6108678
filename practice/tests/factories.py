import itertools

from practice.models import Profile, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def make_user(**overrides) -> User:
    n = next(_seq)
    password = overrides.pop("password", PASSWORD)
    fields = {"username": f"learner{n}", "email": f"learner{n}@example.org"} | overrides
    user = User(**fields)
    user.set_password(password)
    user.save()
    Profile.objects.get_or_create(user=user, defaults={"display_name": f"Learner {n}"})
    return user
