"""Who may add bias evidence, and when: the states that take it and the kind of evidence each takes."""

from accounts import roles

from .. import permissions
from ..errors import NotPermitted, TransitionConflict
from ..models import EvidenceKind
from ..states import BIAS_EVIDENCE_STATES, MONITORING_STATES


def evidence_kind_in(state):
    """The kind of bias evidence an assessment in ``state`` takes, or None when it takes none."""
    if state in BIAS_EVIDENCE_STATES:
        return EvidenceKind.APPROVAL
    if state in MONITORING_STATES:
        return EvidenceKind.MONITORING
    return None


def refuse_unless_evidence_owner(locked, by):
    roles.forget(by)
    if not permissions.may_add_bias_evidence(by, locked):
        raise NotPermitted("Only the team or a Data/AI reviewer may add bias evidence.", code="not_evidence_owner")
    kind = evidence_kind_in(locked.state)
    if kind is None:
        raise TransitionConflict(
            "Bias evidence can be added up to Data/AI review, and as monitoring once launched; "
            f"this assessment is in {locked.get_state_display()}.",
            code="wrong_state",
        )
    return kind


def bias_evidence_check(*, assessment, by):
    """Raise NotPermitted or TransitionConflict when ``by`` may not add bias evidence to it now (reads only).

    Lets a caller refuse before reading an upload; the services check again under the lock.
    """
    refuse_unless_evidence_owner(assessment, by)
