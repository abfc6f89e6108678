import pytest

from practice.tests.factories import make_user


@pytest.fixture
def learner(db):
    return make_user()


@pytest.fixture
def other_learner(db):
    return make_user()


@pytest.fixture
def staff(db):
    return make_user(is_staff=True, is_superuser=True)
