"""The production profile's cache is shared by every web process, or `manage.py check` fails with a clear error.

Throttle counts, log-in limits, lockouts and the register's invalidation live in the cache; kept per process,
each gunicorn worker would count and forget on its own.
"""

import pytest

from .test_production_settings import a_real_key, production_settings, run

PRODUCTION = {"DJANGO_DEBUG": "false", "SECRET_KEY": a_real_key()}


@pytest.mark.parametrize(
    ("environment", "where"),
    [
        ({}, "process memory (LocMemCache)"),
        ({"CACHE_URL": "dummycache://"}, "nowhere (DummyCache)"),
    ],
    ids=["nothing set", "dummy"],
)
def test_production_with_a_per_process_cache_fails_the_check_with_a_clear_message(environment, where):
    result = run(["manage.py", "check"], {**PRODUCTION, **environment})

    assert result.returncode != 0
    assert "assessments.E002" in result.stderr
    assert f"The production profile keeps the 'default' cache in {where}" in result.stderr
    assert "Set CACHE_URL to a shared cache" in result.stderr


def test_production_without_cache_url_uses_the_redis_of_redis_url():
    environment = {**PRODUCTION, "REDIS_URL": "redis://redis.internal:6379/0"}

    caches = production_settings(environment, ["CACHES"])["CACHES"]

    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://redis.internal:6379/0"
    result = run(["manage.py", "check"], environment)
    assert result.returncode == 0, result.stderr


def test_production_may_use_the_database_cache():
    result = run(["manage.py", "check"], {**PRODUCTION, "CACHE_URL": "dbcache://raia_cache"})

    assert result.returncode == 0, result.stderr
    assert "E002" not in result.stderr


def test_the_development_profile_keeps_a_local_cache_and_passes():
    environment = {"DJANGO_DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/0"}

    caches = production_settings(environment, ["CACHES"])["CACHES"]

    # (manage.py check passes in this profile: test_production_settings.test_debug_on_starts_with_the_development_key)
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
