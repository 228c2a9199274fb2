"""python manage.py export_dossiers --since DATE OUT_DIR: one PDF per approved version and a manifest."""

import csv
import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.models import Assessment, State
from reports.models import DossierDownload

from ..workflow import advance, create_draft


def test_it_writes_every_approved_version_since_the_date_with_their_hashes(people, fast_render, tmp_path):
    first = advance(people, create_draft(people, name="=Approved first"), State.APPROVED)
    launched = advance(people, create_draft(people, name="Launched"), State.LAUNCHED)
    advance(people, create_draft(people), State.REJECTED)
    advance(people, create_draft(people), State.DATA_AI_REVIEW)
    old = advance(people, create_draft(people, name="Old"), State.APPROVED)
    Assessment.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timedelta(days=400))
    since = (timezone.localdate() - timedelta(days=30)).isoformat()

    call_command("export_dossiers", "--since", since, str(tmp_path / "out"))

    with open(tmp_path / "out" / "manifest.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(int(r["assessment_id"]) for r in rows) == sorted([first.pk, launched.pk])
    for row in rows:
        content = (tmp_path / "out" / row["file"]).read_bytes()
        assert (
            hashlib.sha256(content).hexdigest()
            == row["sha256"]
            == Assessment.objects.get(pk=row["assessment_id"]).dossiers.get().sha256
        )
        assert int(row["size"]) == len(content)
    assert {r["feature"] for r in rows} == {"'=Approved first", "Launched"}
    assert DossierDownload.objects.filter(channel="export").count() == 2
    pdfs = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.pdf"))
    assert pdfs == sorted(r["file"] for r in rows)
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "dossiers",
        "certificates",
        "manifest.csv",
        "manifest.json",
        "manifest.json.sig",
        "checkpoint.json",
        "audit-public-keys.pem",
        "verify.py",
        "README.txt",
    }


def test_it_refuses_a_date_that_is_not_one(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_dossiers", "--since", "yesterday", str(tmp_path))


def test_it_refuses_an_output_path_that_is_a_file(db, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(CommandError, match="not a folder"):
        call_command("export_dossiers", "--since", "2026-01-01", str(target))
