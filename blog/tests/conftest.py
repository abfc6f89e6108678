import pytest

from blog.cache import local_pages


@pytest.fixture(autouse=True)
def _fresh_local_pages():
    """Each test starts without pages a previous test left in this process's memory."""
    local_pages.clear()
    yield
    local_pages.clear()
