"""The suite runs against what the environment names: PostgreSQL and Redis in CI's second pass."""

import os

import pytest
from django.conf import settings
from django.db import connection


def test_the_database_is_the_configured_one(db):
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_broker_is_redis_when_configured_else_the_embedded_folder():
    if os.environ.get("REDIS_URL"):
        assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"].startswith(str(settings.CELERY_BROKER_DIR))
    assert settings.CELERY_TASK_ALWAYS_EAGER is False  # real workers everywhere; tests opt in (tests/conftest.py)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="embedded default: no Redis configured")
def test_the_configured_redis_broker_answers():
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        assert conn.connected
    import redis

    assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping() is True
