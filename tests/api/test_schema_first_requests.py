"""Concurrent first requests to /api/schema/ on a freshly started multi-threaded server all get the schema.

drf-spectacular builds the schema lazily on the first request; built by several threads at once it crashed
(AttributeError inside its lazy loading). Each start is a new gunicorn process with 8 threads on a free
loopback port, the project's settings and a temporary SQLite database; 16 requests are sent at once.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTS = 3
REQUESTS = 16


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(port, path):
    """The status of one GET, redirects not followed."""
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated SQLite database of its own, made once for the three starts."""
    path = tmp_path_factory.mktemp("schema-db") / "db.sqlite3"
    env = _environment(path)
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
    return path


def _environment(database_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{database_path}",
        DJANGO_DEBUG="false",
        SECRET_KEY="schema-test-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        # The production profile needs a cache its processes share (check assessments.E002): the database's.
        CACHE_URL="dbcache://raia_cache",
    )
    return env


def _start(database_path, port):
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=_environment(database_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_until_listening(server, port):
    """Wait for the port to accept connections, without sending a request (the first request must be ours)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening within 60 s")


def _first_requests(port):
    statuses = [None] * REQUESTS
    barrier = threading.Barrier(REQUESTS)

    def fetch(index):
        barrier.wait()
        statuses[index] = _status(port, "/api/schema/")

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return statuses


@pytest.mark.parametrize("start", range(1, STARTS + 1))
def test_concurrent_first_schema_requests_on_a_fresh_server_all_succeed(database, start):
    port = _free_port()
    server = _start(database, port)
    try:
        _wait_until_listening(server, port)
        statuses = _first_requests(port)
    finally:
        server.terminate()
        try:
            _, errors = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, errors = server.communicate()
    assert statuses == [200] * REQUESTS, (statuses, errors.decode()[-6000:])
