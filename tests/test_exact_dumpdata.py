"""dumpdata's json moves rows exactly: times to the microsecond (rows recorded before the millisecond rule),
content types and permissions by natural key (migrate numbers them per database), everything else by id."""

import json

from django.core.management import call_command
from django.utils import timezone

from assessments import canonical
from assessments.models import (
    AssessmentGroupObjectPermission,
    AuditChainHead,
    AuditEntry,
    AuditSigningKey,
    State,
)

from .audit_tools import checkpoint_file, quoted, sql, verify
from .workflow import advance, create_draft

AUDIT_TABLES = ["assessments.auditentry", "assessments.auditchainhead", "assessments.auditsigningkey"]


def test_rows_recorded_to_the_microsecond_survive_dumpdata_and_loaddata(people, tmp_path, monkeypatch):
    # A chain begun before times were recorded to the millisecond.
    monkeypatch.setattr(canonical, "now", timezone.now)
    advance(people, create_draft(people), State.PRODUCT_REVIEW)
    assert any(t.microsecond % 1000 for t in AuditEntry.objects.values_list("created_at", flat=True))
    checkpoint, _ = checkpoint_file(tmp_path)
    dump = tmp_path / "audit.json"
    call_command("dumpdata", *AUDIT_TABLES, output=str(dump), verbosity=0)

    for model in (AuditEntry, AuditChainHead, AuditSigningKey):
        sql(f"DELETE FROM {quoted(model)}")  # noqa: S608 - a table name of ours
    assert verify()[0] != 0
    call_command("loaddata", str(dump), verbosity=0)

    status, output = verify("--checkpoint", checkpoint)
    assert status == 0, output


def test_dumpdata_names_permissions_by_natural_key_and_people_by_id(people, tmp_path):
    advance(people, create_draft(people), State.LEGAL_REVIEW)
    dump = tmp_path / "data.json"
    call_command(
        "dumpdata",
        "assessments.assessmentgroupobjectpermission",
        "assessments.auditentry",
        output=str(dump),
        verbosity=0,
    )
    objects = json.loads(dump.read_text())
    grants = [o["fields"] for o in objects if o["model"] == "assessments.assessmentgroupobjectpermission"]
    assert len(grants) == AssessmentGroupObjectPermission.objects.count() > 0
    for grant in grants:
        assert grant["permission"][1:] == ["assessments", "assessment"]  # codename, app label, model
        assert isinstance(grant["group"], int) and isinstance(grant["content_object"], int)
    actors = {o["fields"]["actor"] for o in objects if o["model"] == "assessments.auditentry"}
    assert people.alice.pk in actors and all(isinstance(actor, int) for actor in actors)
