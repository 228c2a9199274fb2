"""reports/ listens to the core: an approval asks for its dossier to be issued; changes to what the public
register shows make it forget its cached copy."""

from django.db import transaction

from assessments.models import State

from . import register, services, tasks
from . import register_demo as from_demo
from .dossier import DECISION_RECORD_STATES


def on_assessment_transitioned(sender, *, assessment, to_state, audit_entry, **kwargs):
    """On a decision (approval, rejection, withdrawal): write the dossier's row and snapshot in its transaction;
    render and sign it after commit."""
    if to_state != State.APPROVED and to_state not in DECISION_RECORD_STATES:
        return
    services.dossier_request(assessment=assessment, approval_entry=audit_entry, decision=to_state)
    assessment_id = assessment.pk
    # robust: a failure to issue (or to queue) is logged; the approval stands, and the first download issues it.
    transaction.on_commit(lambda: tasks.dossier_freeze_task.delay(assessment_id), robust=True)


# -- the public register: forget the cached copy when what it shows changes ---------------------------


def register_on_transition(sender, *, from_state, to_state, **kwargs):
    """A version enters or leaves the register (approved, launched, re-assessment, superseded, retired)."""
    if from_state in register.REGISTER_STATES or to_state in register.REGISTER_STATES:
        register.register_changed()


def register_on_audit_entry(sender, *, instance, created, **kwargs):
    """Every change to an assessment is audited: one to a listed version (its answers, its bias evidence, its
    monitoring) may change what the register shows."""
    if created and (instance.from_state in register.REGISTER_STATES or instance.to_state in register.REGISTER_STATES):
        register.register_changed()


def register_on_assessment_save(sender, *, instance, **kwargs):
    """A listed version saved outside the services (the admin, a shell, a data migration)."""
    if instance.state in register.REGISTER_STATES:
        register.register_changed()


def register_on_name_save(sender, *, created=False, **kwargs):
    """A feature's or a team's name, shown in the register (a new one has no listed version yet)."""
    if not created:
        register.register_changed()


def register_on_bias_result_save(sender, **kwargs):
    """A bias result saved or deleted one by one (the admin, monitoring): the last bias date may change."""
    register.register_changed()


def register_demo_on_seed(sender, *, team, users, **kwargs):
    """The demo's features on the register get register text, drafted by the team and published by Legal."""
    from_demo.register_demo_texts(team=team, users=users)
