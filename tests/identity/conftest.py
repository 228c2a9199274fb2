import pytest
from django.core.cache import cache

from .helpers import signed_in


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts and log-in failures per address live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(people):
    """A browser session signed in as Alice, with no second factor proved."""
    return signed_in(people.alice)
