"""reports/ listens to the core's transition signal: an approval asks for its dossier to be issued."""

from django.db import transaction

from assessments.models import State

from . import services, tasks


def on_assessment_transitioned(sender, *, assessment, to_state, audit_entry, **kwargs):
    """On approval: write the dossier's row in the approval's transaction; render it after commit."""
    if to_state != State.APPROVED:
        return
    services.dossier_request(assessment=assessment, approval_entry=audit_entry)
    assessment_id = assessment.pk
    # robust: a failure to issue (or to queue) is logged; the approval stands, and the first download issues it.
    transaction.on_commit(lambda: tasks.dossier_freeze_task.delay(assessment_id), robust=True)
