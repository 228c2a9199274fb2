"""Benchmark: the dossier of an assessment with 300 audit events.

    make bench                      # runs this after bench/run.py
    .venv/bin/python bench/dossier.py

Builds (once, in a throwaway SQLite file) an approved assessment whose audit
trail has 300 entries, through the real services. Then, side by side and
alternating, it times:

- the dossier render: loading the record, the template, WeasyPrint to PDF/A-3b
  with the attached assessment.json (``reports.dossier.dossier_render``);
- a bare ``weasyprint.HTML(string=html).write_pdf()`` of the same HTML;
- signing the result (reported, not part of the render).

It exits non-zero when the median render takes 3 seconds or more, or more than
1.25 times the median bare render.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DOSSIER_DATABASE_URL", "sqlite:////tmp/raia-bench-dossier.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments import services  # noqa: E402
from assessments.demo import MATCHING, bias_rows  # noqa: E402
from assessments.models import AIFeature, AuditEntry, State, Team  # noqa: E402
from committee import roles  # noqa: E402
from reports import signing  # noqa: E402
from reports.dossier import dossier_record, dossier_render, record_html  # noqa: E402
from reports.models import Dossier  # noqa: E402
from reports.services import dossier_request  # noqa: E402

EVENTS = 300
REPEAT = int(os.environ.get("BENCH_DOSSIER_REPEAT", "5"))
LIMIT_SECONDS = 3.0
LIMIT_RATIO = 1.25
FEATURE = "Bench dossier: therapist matching"


def _user(username, group=None):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"first_name": username.title()})
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def the_assessment():
    """The approved assessment with EVENTS audit entries, made once through the services."""
    feature = AIFeature.objects.filter(name=FEATURE).first()
    if feature is not None:
        return feature.assessments.get(version=1)
    team, _ = Team.objects.get_or_create(slug="bench-dossier", defaults={"name": "Bench dossier team"})
    member = _user("bench_dossier_member")
    team.members.add(member)
    reviewers = {d: _user(f"bench_dossier_{d}", d) for d in roles.DOMAINS}
    for user in (member, *reviewers.values()):
        roles.forget(user)
    answers = dict(MATCHING)
    assessment = services.assessment_create(team=team, feature_name=FEATURE, answers=answers, by=member)
    services.bias_results_add(assessment=assessment, rows=bias_rows(["race", "religion", "gender"]), by=member)
    # Edits in draft until, with submit and five approvals, the trail has EVENTS entries.
    purpose = answers["overview.purpose"]
    for index in range(EVENTS - 8):
        text = f"{purpose} (revision {index + 1})"
        assessment = services.assessment_update_answers(assessment=assessment, answers={"overview.purpose": text}, by=member)
    assessment = services.assessment_transition(assessment=assessment, name="submit", by=member)
    while assessment.state != State.APPROVED:
        assessment = services.assessment_transition(
            assessment=assessment, name="approve", by=reviewers[assessment.stage], comment="Reviewed for the bench."
        )
    return assessment


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main():
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as keys:
        if not settings.DOSSIER_SIGNING_KEY:
            key, cert = signing.make_demo_pair(keys)
            settings.DOSSIER_SIGNING_KEY, settings.DOSSIER_SIGNING_CERT = str(key), str(cert)
        return run()


def run():
    assessment = the_assessment()
    entries = AuditEntry.objects.filter(assessment_id=assessment.pk).count()
    dossier = Dossier.objects.filter(assessment=assessment).first() or dossier_request(
        assessment=assessment, approval_entry=assessment.audit_entries.get(to_state=State.APPROVED)
    )
    now = timezone.now()
    html = record_html(dossier_record(assessment, dossier=dossier, now=now))
    ours, bare, signs = [], [], []
    pages = 0
    for _ in range(REPEAT):
        seconds, (pdf, _) = timed(lambda: dossier_render(assessment, dossier=dossier, now=now))
        ours.append(seconds)
        seconds, _ = timed(lambda: weasyprint.HTML(string=html).write_pdf())
        bare.append(seconds)
        seconds, _ = timed(lambda: signing.sign_pdf(pdf, signed_at=now, reason="bench"))
        signs.append(seconds)
    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    render, plain = statistics.median(ours), statistics.median(bare)
    ratio = render / plain
    print(f"dossier of an assessment with {entries} audit events: {pages} pages, {len(pdf):,} bytes")
    print(f"{'':<44} {'median s':>9} {'min s':>7} {'max s':>7}")
    for label, values in (
        ("dossier render (record, template, PDF/A-3b)", ours),
        ("bare weasyprint write_pdf of the same HTML", bare),
        ("signing (pyHanko, not in the render)", signs),
    ):
        print(f"{label:<44} {statistics.median(values):>9.3f} {min(values):>7.3f} {max(values):>7.3f}")
    print(f"ratio render / bare: {ratio:.3f}  (targets: render < {LIMIT_SECONDS:.0f} s, ratio <= {LIMIT_RATIO})")
    failed = entries < EVENTS or render >= LIMIT_SECONDS or ratio > LIMIT_RATIO
    print("OVER TARGET" if failed else "within targets")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
