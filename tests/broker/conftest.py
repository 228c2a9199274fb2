"""A real Redis and a real Celery worker (celery.contrib.pytest) for the integration tests.

Redis is the one ``REDIS_URL`` names when it is set; otherwise a throwaway ``redis-server``
started here. When neither is available the tests skip, except under CI (``CI`` set), where
they fail: the broker's guarantees must be checked there.
"""

import os
import shutil
import socket
import subprocess
import time
import uuid
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings

from accounts import roles

from ..factories import TeamFactory, UserFactory


def unavailable(message):
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: the broker tests must run)", pytrace=False)
    pytest.skip(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    """``redis-server`` on a spare port, without persistence: killing it loses every queued message."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed (scripts/system-deps.sh installs it)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        self.kill()
        unavailable(f"redis-server did not start on port {self.port}")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def answers(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        if not answers(url):
            unavailable(f"Redis at REDIS_URL ({url}) does not answer")
        yield url
        return
    server = ThrowawayRedis().start()
    yield server.url
    server.kill()


@pytest.fixture(scope="session")
def celery_config(redis_url):
    # The project's production settings, on this Redis, on a queue of our own (other workers may share it).
    return {
        "broker_url": redis_url,
        "broker_transport_options": {"visibility_timeout": 3600, "socket_connect_timeout": 3},
        "task_default_queue": f"test-{uuid.uuid4().hex[:8]}",
        "task_ignore_result": settings.CELERY_TASK_IGNORE_RESULT,
        "task_acks_late": settings.CELERY_TASK_ACKS_LATE,
        "worker_prefetch_multiplier": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
        "task_publish_retry_policy": settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        "broker_connection_retry_on_startup": True,
        "worker_cancel_long_running_tasks_on_connection_loss": (
            settings.CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS
        ),
    }


@pytest.fixture(scope="session")
def celery_includes():
    return ["committee.tasks"]


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"perform_ping_check": False, "shutdown_timeout": 20}


def wait_until(check, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


@pytest.fixture
def duo(transactional_db):
    """A one-person team and one Legal reviewer: every transition then writes exactly one notice."""
    team = TeamFactory(slug="solo", name="Solo")
    owner = UserFactory(username="sol")
    team.members.add(owner)
    return SimpleNamespace(team=team, owner=owner, legal=UserFactory(username="lex", roles=[roles.LEGAL]))
