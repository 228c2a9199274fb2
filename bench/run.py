"""Benchmark: page and API latency with thousands of assessments.

    make bench                                  # 10,000 assessments in a throwaway SQLite file
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench

Each page is requested REPEAT times as the role that uses it; the script prints
p50/p95 latency and the SQL query count, and exits non-zero when a p95 is over
its target. Timing is in-process (Django's test client), so it measures the app
and the database, not a network.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/raia-bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from bench.bulk import bench_users, bulk_seed  # noqa: E402

COUNT = int(os.environ.get("BENCH_ASSESSMENTS", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
# p95 targets in milliseconds.
TARGETS = {"page": 500, "api": 500}


def main():
    call_command("migrate", verbosity=0)
    added = bulk_seed(COUNT)
    print(f"database: {connection.vendor}; bench assessments: {COUNT} ({added} added now)")
    users = bench_users()
    some = _some_assessment_id()
    cases = [
        ("page", "bench_team", "/"),
        ("page", "bench_team", "/assessments/"),
        ("page", "bench_legal", "/committee/queue/"),
        ("page", "bench_chair", "/"),
        ("page", "bench_chair", "/assessments/?state=legal_review&risk_level=2"),
        ("page", "bench_chair", "/assessments/?page=50"),
        ("page", "bench_auditor", "/assessments/?overdue=1"),
        ("page", "bench_chair", f"/assessments/{some}/"),
        ("api", "bench_chair", "/api/v1/assessments/"),
        ("api", "bench_chair", "/api/v1/assessments/?state=approved&page=3"),
        ("api", "bench_team", "/api/v1/assessments/"),
    ]
    failures = 0
    print(f"{'what':<6} {'user':<14} {'path':<52} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8}")
    with override_settings(DEBUG=True, PASSWORD_HASHERS=settings.PASSWORD_HASHERS):
        for kind, username, path in cases:
            client = Client()
            client.force_login(users[username])
            timings = []
            status = queries = None
            for _ in range(REPEAT):
                reset_queries()
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                status, queries = response.status_code, len(connection.queries)
            p50 = statistics.median(timings)
            p95 = sorted(timings)[max(0, int(round(0.95 * len(timings))) - 1)]
            over = status != 200 or p95 > TARGETS[kind]
            failures += over
            flag = "  OVER TARGET" if over else ""
            print(f"{kind:<6} {username:<14} {path:<52} {status:>6} {queries:>7} {p50:>8.1f} {p95:>8.1f}{flag}")
    print(f"targets: p95 <= {TARGETS['page']} ms per page, {TARGETS['api']} ms per API call, status 200")
    return 1 if failures else 0


def _some_assessment_id():
    from assessments.models import Assessment

    return (
        Assessment.objects.filter(feature__name__startswith="Bench feature")
        .exclude(state="draft")
        .values_list("pk", flat=True)
        .first()
    )


if __name__ == "__main__":
    sys.exit(main())
