"""The demo moves from the embedded SQLite to PostgreSQL and back with the README's commands, and still verifies.

Real databases (a SQLite file, a PostgreSQL database of the test's own), one
process per command, the commands read from the README. After each move the
audit log verifies against the checkpoint taken before it, everything hashed or
signed reads back exactly as it was, and the dossiers downloaded before the
first move still verify; between the moves PostgreSQL writes rows of its own.
"""

import pytest

from .tools import SECTION, VERIFY_DOSSIERS_SCRIPT, Operator, readme_blocks, runnable, signing_keys, vendor_of

pytestmark = pytest.mark.postgres

MOVE_HEADING = "### Moving from the embedded default to PostgreSQL"

# Work done on PostgreSQL between the moves, through the services: a sign-off, approval evidence with its file's
# SHA-256, and monitoring results on a launched feature that raise a flag with a deadline.
WORK_ON_POSTGRESQL = """
import json, os
from django.contrib.auth import get_user_model
from assessments import services
from assessments.models import Assessment
users = get_user_model().objects
notes = Assessment.objects.get(feature__name="Session-notes drafting for therapists", state="clinical_review")
services.assessment_transition(
    assessment=notes, name="approve", by=users.get(username="claire"), comment="Approved after the move."
)
rows = [
    {"dimension": "race", "group": "group a", "n": 210, "metric": "selection_rate", "value": 0.912345678901},
    {"dimension": "race", "group": "group b", "n": 190, "metric": "selection_rate", "value": 0.31},
]
draft = Assessment.objects.get(feature__name="Wellbeing check-in summariser")
services.bias_results_add(
    assessment=draft, rows=rows, by=users.get(username="alice"), source_name="after-move.csv", source_sha256="5e" * 32,
    description="Check-in model v1, pilot of 400 clients.",
)
launched = Assessment.objects.get(state="launched")
flags = services.bias_results_add(
    assessment=launched, rows=rows, by=users.get(username="alice"), description="Intake model, month one after launch."
)
with open(os.environ["PROOF_OUT"], "w") as handle:
    json.dump({"monitoring": [row.kind for row in flags]}, handle)
"""


def move(operator, *, source, source_media, target, target_media):
    """Run the README's move commands from ``source`` to ``target``; its output (a CompletedProcess per line)."""
    lines = runnable(readme_blocks(MOVE_HEADING)[0], vendor_of(target))
    assert any("dumpdata" in line for line in lines) and any("loaddata" in line for line in lines)
    operator.run_lines(lines, FROM=source, FROM_MEDIA=str(source_media), TO=target, TO_MEDIA=str(target_media))
    verified = operator.sh(
        next(line for line in lines if "verify_audit_log" in line), FROM=source, TO=target, TO_MEDIA=str(target_media)
    )
    assert "1 checkpoint holds" in verified.stdout, verified.stdout + verified.stderr
    return lines


def dossiers_verify(operator, folder, *, url, media):
    return operator.python(VERIFY_DOSSIERS_SCRIPT, url=url, media=media, DOSSIERS=str(folder))


def test_the_demo_moves_sqlite_to_postgresql_and_back_and_every_proof_still_verifies(tmp_path, postgres_database):
    keys = signing_keys(tmp_path / "secrets")
    trial = Operator(tmp_path / "trial", keys)
    sqlite_url, sqlite_media = f"sqlite:///{tmp_path / 'trial' / 'db.sqlite3'}", tmp_path / "trial" / "media"
    trial.manage("migrate", url=sqlite_url, media=sqlite_media)
    trial.manage("seed_demo", "--password", "demo", url=sqlite_url, media=sqlite_media)
    downloaded = tmp_path / "downloaded-before-the-move"
    trial.manage("export_dossiers", "--since", "2000-01-01", str(downloaded), url=sqlite_url, media=sqlite_media)
    pdfs = {path.name: path.read_bytes() for path in downloaded.rglob("*.pdf")}
    assert pdfs, "the demo has an approved assessment whose dossier is issued"
    on_sqlite = trial.proof(url=sqlite_url, media=sqlite_media)
    assert on_sqlite["dossiers"] and on_sqlite["sign_offs"] and on_sqlite["evidence"]

    # SQLite -> PostgreSQL.
    to_pg = Operator(tmp_path / "move-to-postgresql", keys)
    pg_media = tmp_path / "production" / "media"
    move(to_pg, source=sqlite_url, source_media=sqlite_media, target=postgres_database, target_media=pg_media)
    assert to_pg.proof(url=postgres_database, media=pg_media) == on_sqlite
    answers = dossiers_verify(to_pg, downloaded, url=postgres_database, media=pg_media)
    assert answers and all(answer["issued"] for answer in answers.values()), answers
    assert {path.name: path.read_bytes() for path in (to_pg.folder / "dossiers-after-move").rglob("*.pdf")} == pdfs

    # PostgreSQL writes rows of its own (its own times, to the microsecond where nothing is hashed).
    work = to_pg.python(WORK_ON_POSTGRESQL, url=postgres_database, media=pg_media)
    assert work["monitoring"], "the monitoring results raised a flag"
    to_pg.manage("verify_audit_log", url=postgres_database, media=pg_media)
    on_postgresql = to_pg.proof(url=postgres_database, media=pg_media)
    assert len(on_postgresql["chain"]) > len(on_sqlite["chain"]) and on_postgresql["monitoring_flags"]

    # PostgreSQL -> a new SQLite file.
    back = Operator(tmp_path / "move-back-to-sqlite", keys)
    back_url, back_media = f"sqlite:///{back.folder / 'db.sqlite3'}", tmp_path / "back" / "media"
    move(back, source=postgres_database, source_media=pg_media, target=back_url, target_media=back_media)
    assert back.proof(url=back_url, media=back_media) == on_postgresql
    answers = dossiers_verify(back, downloaded, url=back_url, media=back_media)
    assert answers and all(answer["issued"] for answer in answers.values()), answers


def test_the_readme_moves_with_the_commands_this_test_runs():
    blocks = readme_blocks(MOVE_HEADING)
    assert blocks, f"the README's section {SECTION!r} has a move block under {MOVE_HEADING!r}"
    lines = runnable(blocks[0], "postgresql")
    assert [line.split(" manage.py ")[1].split()[0] for line in lines if " manage.py " in line] == [
        "audit_checkpoint",
        "dumpdata",
        "migrate",
        "loaddata",
        "verify_audit_log",
        "export_dossiers",
    ]
