"""Restoring an older backup is the one change the log cannot see by itself: a checkpoint kept outside catches it.

The README's backup and restore commands, run as written on a real database
(a SQLite file always; a PostgreSQL database of the test's own in CI's
PostgreSQL pass): back up, keep working, print a checkpoint outside the
database, restore the backup. The restored log verifies on its own (the
documented limit), and ``verify_audit_log --checkpoint`` with the newer
checkpoint reports the lost rows and exits non-zero.
"""

import pytest

from .tools import Operator, readme_blocks, runnable, signing_keys

HEADING = "## Backups, restores and moving to PostgreSQL"

WORK_AFTER_THE_BACKUP = """
import json, os
from django.contrib.auth import get_user_model
from assessments import services
from assessments.models import Assessment
notes = Assessment.objects.get(feature__name="Session-notes drafting for therapists", state="clinical_review")
services.assessment_transition(
    assessment=notes, name="approve", by=get_user_model().objects.get(username="claire"), comment="After the backup."
)
with open(os.environ["PROOF_OUT"], "w") as handle:
    json.dump({"state": Assessment.objects.get(pk=notes.pk).state}, handle)
"""


def restore_an_older_backup(operator, *, url, vendor, tmp_path):
    backup, restore = (runnable(block, vendor) for block in readme_blocks(HEADING)[:2])
    checkpoint_line = next(line for line in backup if "audit_checkpoint" in line)
    verify_line = restore[-1]
    assert "verify_audit_log --checkpoint" in verify_line
    media, checkpoints = tmp_path / "media", tmp_path / "write-once-checkpoints"
    checkpoints.mkdir()
    env = {
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "BACKUP": str(tmp_path / "backup"),
        "CHECKPOINTS": str(checkpoints),
    }
    operator.manage("migrate", url=url, media=media)
    operator.manage("seed_demo", "--password", "demo", url=url, media=media)

    operator.run_lines(backup, **env)  # the backup, and a checkpoint printed with it
    (at_backup,) = checkpoints.glob("*.json")
    work = operator.python(WORK_AFTER_THE_BACKUP, url=url, media=media)
    assert work["state"] == "product_review"
    operator.run_lines([checkpoint_line], **env)  # a later checkpoint, kept outside the database
    assert len(list(checkpoints.glob("*.json"))) == 2

    operator.run_lines(restore[:-1], **env)
    # The documented limit: the restored copy is consistent, so on its own it verifies ...
    alone = operator.manage("verify_audit_log", url=url, media=media, check=False)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert (
        operator.manage(
            "verify_audit_log", "--checkpoint", str(at_backup), url=url, media=media, check=False
        ).returncode
        == 0
    )
    # ... and the checkpoint taken after the backup catches it.
    caught = operator.sh(verify_line, **env)
    assert caught.returncode != 0
    output = caught.stdout + caught.stderr
    assert "PROBLEM [checkpoint_missing]" in output and "the chain ends at row" in output, output


def test_a_restored_older_sqlite_backup_is_caught_by_the_outside_checkpoint(tmp_path):
    operator = Operator(tmp_path / "site", signing_keys(tmp_path / "secrets"))
    restore_an_older_backup(operator, url="sqlite:///db.sqlite3", vendor="sqlite", tmp_path=tmp_path)


@pytest.mark.postgres
def test_a_restored_older_postgresql_backup_is_caught_by_the_outside_checkpoint(tmp_path, postgres_database):
    operator = Operator(tmp_path / "site", signing_keys(tmp_path / "secrets"))
    restore_an_older_backup(operator, url=postgres_database, vendor="postgresql", tmp_path=tmp_path)


def test_the_readme_backs_up_and_restores_both_databases_with_the_commands_these_tests_run():
    backup, restore = readme_blocks(HEADING)[:2]
    for vendor, dump, load in (("postgresql", "pg_dump", "pg_restore"), ("sqlite", ".backup", ".restore")):
        assert any(dump in line for line in runnable(backup, vendor)), vendor
        assert any(load in line for line in runnable(restore, vendor)), vendor
        assert runnable(restore, vendor)[-1].startswith(".venv/bin/python manage.py verify_audit_log --checkpoint")
    assert not any("pg_dump" in line for line in runnable(backup, "sqlite"))
