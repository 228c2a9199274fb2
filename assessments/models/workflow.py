"""What the transition table's declarations and effects share with the services that take them.

A transition's body receives a ``TransitionContext`` and may ask the service for ``FollowUp`` work;
``guard`` turns a function returning reasons into a django-fsm condition.
"""

from dataclasses import dataclass, field
from datetime import datetime


class FollowUp:
    """Work a transition asks the service to do after it, on other assessments (it needs the audit log)."""

    SUPERSEDE_PREVIOUS = "supersede_previous"
    OPEN_NEW_VERSION = "open_new_version"


@dataclass
class TransitionContext:
    """What a transition's body needs: who acts, their input, the moment; what it records for the audit row."""

    by: object  # a user, or services.SYSTEM
    now: datetime
    comment: str = ""
    conditions: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    sign_off: object = None
    follow_ups: list = field(default_factory=list)
    # Querysets of the rows the body created or changed whose full data the audit row records (audit_records).
    records: list = field(default_factory=list)


def guard(reasons_of):
    """A django-fsm condition from a function returning reasons; evaluated once per assessment and state."""

    def condition(instance):
        return not instance.guard_reasons(reasons_of)

    condition.reasons_of = reasons_of
    condition.__name__ = f"guard_{reasons_of.__name__}"
    return condition
