"""Many approvals of one stage at the same instant: one wins, every other gets a clear 409, never a 5xx.

On PostgreSQL through the API in threads; on SQLite (the embedded default) through
a real server process on a database file, where writers must queue, not fail.
"""

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from assessments.models import SignOff, State
from tests.signing_client import SigningClient

from .workflow import advance, create_draft

BURST = 50


def burst(send, count=BURST):
    barrier = threading.Barrier(count)
    statuses = []

    def run():
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            statuses.append(send())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(statuses)


# Fifty connections each: PostgreSQL allows a hundred, so two such tests on two workers at once would run out
# (an OperationalError, "too many clients"). One group runs them one after the other on one worker.
@pytest.mark.xdist_group("fifty_connections")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_give_one_200_and_49_conflicts_on_postgresql(people):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    url = f"/api/v1/assessments/{assessment.pk}/transitions/"

    def approve():
        client = SigningClient()
        client.force_authenticate(people.reviewers["legal"])
        return client.post(url, {"name": "approve"}, format="json").status_code

    statuses = burst(approve)
    # One wins; a late one is a 409 (stage gone under the lock) or a 403 (read after the winner committed: Legal
    # may not approve Security's stage, decided before the signing password). Never a 5xx.
    assert statuses[200] == 1 and set(statuses) <= {200, 403, 409} and sum(statuses.values()) == BURST, statuses
    assert SignOff.objects.filter(assessment=assessment).count() == 1


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SETUP_SCRIPT = """
import itertools
import json
from assessments import services
from assessments.models import State, Team
from accounts import roles
from django.contrib.auth.models import Group, User
from accounts.models import ApiToken
from accounts.tokens import token_create
from tests.answers import complete_answers
from tests.workflow import EVIDENCE, bias_rows

team = Team.objects.create(slug="burst", name="Burst")
alice = User.objects.create_user("alice")
team.members.add(alice)
tokens = []
for i in range(5):
    lawyer = User.objects.create_user(f"lawyer{i}", password="burst-password")
    lawyer.groups.add(Group.objects.get(name=roles.LEGAL))
    tokens.append(token_create(user=lawyer).key)
assessment = services.assessment_create(team=team, feature_name="Burst", answers=complete_answers(), by=alice)
services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=alice)
services.assessment_transition(assessment=assessment, name="submit", by=alice)
print(json.dumps({"id": assessment.pk, "tokens": tokens}))
"""


@pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="this one exercises the embedded default"
)
def test_a_burst_of_approvals_on_sqlite_through_a_live_server_gives_no_5xx(tmp_path):
    root = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'burst.sqlite3'}",
        # The development profile: the production one would redirect these plain-HTTP requests to HTTPS.
        "DJANGO_DEBUG": "true",
        "SECRET_KEY": "burst-test-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(root),
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(root / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, cwd=root, check=True, capture_output=True)
    made = subprocess.run([*manage, "shell", "-c", SETUP_SCRIPT], env=env, cwd=root, check=True, capture_output=True)
    setup = json.loads(made.stdout.decode().strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--timeout",
            "60",
        ],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/assessments/{setup['id']}/transitions/"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        tokens = setup["tokens"]
        turns = itertools.count()

        def approve():
            token = tokens[next(turns) % len(tokens)]  # five reviewers share the burst
            request = urllib.request.Request(
                url,
                data=json.dumps({"name": "approve", "password": "burst-password"}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        statuses = burst(approve, count=25)
    finally:
        server.terminate()
        server.wait(timeout=10)
    # One approval wins. A late one is refused: 409 when its request read the assessment before the winner
    # committed (the service finds the stage gone under the lock), 403 when it read it after (Legal may not
    # approve Security's stage; the signing password is asked only of who may act). Never a 5xx.
    assert statuses[200] == 1 and set(statuses) <= {200, 403, 409} and sum(statuses.values()) == 25, statuses
