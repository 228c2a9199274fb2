"""The benchmark's work inside one database, run by ``bench/run.py`` as a subprocess per database.

    worker.py marker | seed SIZE | migrate | setup | sweeps | write-setup CLIENTS

The environment (``bench/run.py``'s ``environment``) names the database and the
production settings. The answer is one line of JSON on stdout; progress goes to
stderr.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments.models import (  # noqa: E402
    REVIEW_STATES,
    AIFeature,
    Assessment,
    AssessmentGroupObjectPermission,
    AuditEntry,
    Condition,
    SignOff,
    State,
)
from bench import seed as seeding  # noqa: E402
from bench.run import HTTPS, PAGES  # noqa: E402

MARKER = "bench_seed"
SWEEP_REPEAT = 5


def log(message):
    print(f"  {message}", file=sys.stderr, flush=True)


def marker():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return {"wanted": seeding.SEED_VERSION}
        cursor.execute(f"SELECT version, size FROM {MARKER}")  # noqa: S608 (a constant)
        row = cursor.fetchone()
    return {"wanted": seeding.SEED_VERSION, "version": row[0] if row else None, "size": row[1] if row else None}


def seed(size):
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = seeding.seed(int(size), log=log)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (version integer, size integer, seconds float, seeded_at timestamptz)")
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s, now())",  # noqa: S608 (a constant)
            [seeding.SEED_VERSION, int(size), seconds],
        )
        # As autovacuum leaves a long-lived database: statistics and the visibility map (index-only scans).
        cursor.execute("VACUUM ANALYZE")
    return counts


def migrate():
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "assessment": Assessment.objects.count(),
        "feature": AIFeature.objects.count(),
        "states": Assessment.objects.values("state").distinct().count(),
        "grant": AssessmentGroupObjectPermission.objects.count(),
        "sign_off": SignOff.objects.count(),
        "audit": AuditEntry.objects.count(),
        "condition": Condition.objects.count(),
        "open_stages": Assessment.objects.filter(state__in=REVIEW_STATES).count(),
    }


def setup():
    """Sessions for the bench's people, the pages' paths, and each page's query count (test client)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench_")}
    team_page = (
        Assessment.objects.filter(feature__team__slug="bench-team-0", state=State.LAUNCHED)
        .order_by("-updated_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    reviewer_page = (
        Assessment.objects.filter(state=State.LEGAL_REVIEW)
        .order_by("stage_entered_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    cookies, paths, queries = {}, {}, {}
    clients = {}
    for name, username, path in PAGES:
        if username not in clients:
            client = Client()
            client.force_login(users[username])
            clients[username] = client
            cookies[username] = client.cookies["sessionid"].value
        path = path.format(team_pk=team_page, reviewer_pk=reviewer_page)
        paths[name] = path
        client = clients[username]
        client.get(path, headers=HTTPS)  # warm: the first request of a session reads more
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=HTTPS)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code} in the test client")
        queries[name] = len(captured.captured_queries)
    return {"cookies": cookies, "paths": paths, "queries": queries}


def sweeps():
    """Each reminder sweep, then again at the same moment (finding everything sent), each run committed:
    ``bench/run.py`` runs this on a copy of the bench database that it drops afterwards."""
    from assessments.deadlines import overdue_q
    from committee import sweeps as sweep_module

    now = timezone.now()
    runs = {}
    names = ["stage_reminders", "condition_reminders", "rereview_notices", "reassessments_due"]
    if not connection.settings_dict["NAME"].endswith("_sweeps"):
        raise SystemExit("sweeps commit what they send: run them on a copy (bench/run.py does)")
    facts = {
        "open_stages": Assessment.objects.filter(state__in=REVIEW_STATES).count(),
        "overdue": Assessment.objects.filter(overdue_q(now)).count(),
    }
    for name in names:
        function = getattr(sweep_module, name)
        runs[name] = {}
        # The first run sends what is due; the re-runs (the steady state) find it all sent. Each commits, as
        # the sweeps do in production. The fastest of the re-runs is the estimate least disturbed by other
        # load on the machine.
        for run, times in (("first", 1), ("again", SWEEP_REPEAT)):
            timings = []
            for _ in range(times):
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    result = function(now)
                timings.append((time.perf_counter() - start) * 1000)
            if run == "first":
                # The first run moved the schedules of every overdue row (a tenth of the table or more): that is
                # what makes autovacuum ANALYZE the table within its one-minute naptime. Until then the planner
                # expects thousands of due rows and reads them with a bitmap scan that revisits the moved rows'
                # dead tuples on every run (measured: 5 ms at 100k against 0.1 ms after ANALYZE).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE assessments_assessment, assessments_condition")
            runs[name][run] = {
                "ms": min(timings),
                "queries": len(captured.captured_queries),
                "notices": len(result) if name != "reassessments_due" else 0,
            }
            log(f"{name} {run}: {min(timings):.0f} ms, {runs[name][run]['queries']} queries")
    return {**facts, "sweeps": runs}


def write_setup(clients):
    """Tokens and, per client, a draft of its own team for edits and another for transitions."""
    from accounts.tokens import token_create

    clients = int(clients)
    reviewer = get_user_model().objects.get(username="bench_legal")
    reviewer_token = token_create(user=reviewer).key
    # Drafts spread over the teams, round robin; each is edited by its own team's member.
    by_team = {}
    for draft in (
        Assessment.objects.filter(state=State.DRAFT, feature__name__startswith="Bench feature")
        .select_related("feature__team")
        .order_by("pk")
    ):
        by_team.setdefault(draft.feature.team.slug, []).append(draft)
    spread = []
    while len(spread) < 2 * clients and any(by_team.values()):
        for slug in sorted(by_team):
            if by_team[slug]:
                spread.append(by_team[slug].pop(0))
    if len(spread) < 2 * clients:
        raise SystemExit(f"fewer than {2 * clients} drafts to write to")
    tokens = {}

    def token_of(draft):
        member = get_user_model().objects.get(username=f"bench_member_{draft.feature.team.slug.rsplit('-', 1)[1]}")
        if member.pk not in tokens:
            tokens[member.pk] = token_create(user=member).key
        return tokens[member.pk]

    edits = [
        {
            "pk": d.pk,
            "state": d.state,
            "purpose": d.answers["overview.purpose"].split(" (revision ")[0],
            "tokens": {"team": token_of(d)},
        }
        for d in spread[:clients]
    ]
    cycles = [
        {"pk": d.pk, "state": d.state, "tokens": {"team": token_of(d), "reviewer": reviewer_token}}
        for d in spread[clients : 2 * clients]
    ]
    return {"edits": edits, "transitions": cycles}


TASKS = {
    "marker": marker,
    "seed": seed,
    "migrate": migrate,
    "setup": setup,
    "sweeps": sweeps,
    "write-setup": write_setup,
}

if __name__ == "__main__":
    print(json.dumps(TASKS[sys.argv[1]](*sys.argv[2:]), default=str))
