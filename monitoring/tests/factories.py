from django.contrib.auth import get_user_model

_counter = iter(range(1, 10**9))


def make_user(**overrides):
    n = next(_counter)
    fields = {"username": f"user{n}", "email": f"user{n}@example.org", "password": "Not-a-real-pw-8842"}
    fields.update(overrides)
    password = fields.pop("password")
    return get_user_model().objects.create_user(password=password, **fields)


def make_staff(**overrides):
    return make_user(is_staff=True, **overrides)
