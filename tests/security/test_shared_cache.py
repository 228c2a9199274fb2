"""The production profile's cache is shared by every web process, or `manage.py check` fails with a clear error.

Throttle counts, log-in limits, lockouts and the register's invalidation live in the cache; kept per process,
each gunicorn worker would count and forget on its own. Settings are read once at import, so what the
environment selects is checked in a fresh interpreter (as in test_production_settings); the check itself is
also called here, in the test process.
"""

import pytest

from assessments.checks import shared_cache_check

from .test_production_settings import a_real_key, production_settings, run

PRODUCTION = {"DJANGO_DEBUG": "false", "SECRET_KEY": a_real_key()}
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def test_production_with_nothing_set_fails_the_check_with_a_clear_message():
    result = run(["manage.py", "check"], PRODUCTION)

    assert result.returncode != 0
    assert "assessments.E002" in result.stderr
    assert "The production profile keeps the 'default' cache in process memory (LocMemCache)" in result.stderr
    assert "Set CACHE_URL to a shared cache" in result.stderr


@pytest.mark.parametrize(
    ("backend", "where"),
    [(LOCMEM, "process memory (LocMemCache)"), ("django.core.cache.backends.dummy.DummyCache", "nowhere (DummyCache)")],
    ids=["local memory", "dummy"],
)
def test_a_per_process_cache_in_production_is_an_error(settings, backend, where):
    settings.PRODUCTION = True
    settings.CACHES = {"default": {"BACKEND": backend}}

    [error] = shared_cache_check(None)

    assert error.id == "assessments.E002" and error.level >= 40  # checks.ERROR
    assert error.msg.startswith(f"The production profile keeps the 'default' cache in {where}:")


@pytest.mark.parametrize(
    "backend",
    ["django.core.cache.backends.redis.RedisCache", "django.core.cache.backends.db.DatabaseCache"],
    ids=["redis", "database"],
)
def test_a_shared_cache_in_production_passes(settings, backend):
    settings.PRODUCTION = True
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "raia_cache"}}

    assert shared_cache_check(None) == []


def test_the_development_profile_may_keep_a_local_cache(settings):
    settings.PRODUCTION = False
    settings.CACHES = {"default": {"BACKEND": LOCMEM}}

    assert shared_cache_check(None) == []


def test_production_without_cache_url_uses_the_redis_of_redis_url_and_development_a_local_one():
    redis_url = "redis://redis.internal:6379/0"

    production = production_settings({**PRODUCTION, "REDIS_URL": redis_url}, ["CACHES"])["CACHES"]
    development = production_settings({"DJANGO_DEBUG": "true", "REDIS_URL": redis_url}, ["CACHES"])["CACHES"]

    assert production["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert production["default"]["LOCATION"] == redis_url
    assert development["default"]["BACKEND"] == LOCMEM
