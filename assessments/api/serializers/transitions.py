"""The transitions a caller may take, and one request shape per kind of transition."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.lockout import PASSWORD_MAX_LENGTH
from assessments import services, transitions
from assessments.models import State

from ..fields import StrictBoolean, StrictChoice, StrictDate, StrictInteger, Text
from ..parsers import MAX_JSON_INT
from .strict import StrictInputSerializer


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class ConditionInputSerializer(StrictInputSerializer):
    text = Text(
        max_length=2000,
        blank=False,
        help_text="What the team must do.",
        error_messages={"blank": "Say what the team must do.", "required": "Say what the team must do."},
    )
    owner = Text(
        max_length=150,
        blank=False,
        required=False,
        help_text="Username of a member of the assessment's team (anyone else is a 400); the feature's owner when "
        "left out.",
    )
    due_date = StrictDate(
        required=False, help_text="YYYY-MM-DD, today or later (an earlier date is a 400); or before_launch instead."
    )
    before_launch = StrictBoolean(
        required=False,
        help_text="Due before launch instead of by a date: launch is blocked until the team records it as met.",
    )


class CarriedConditionInputSerializer(StrictInputSerializer):
    id = StrictInteger(
        min_value=1, max_value=MAX_JSON_INT, help_text="A condition carried to this stage (status proposed)."
    )
    action = StrictChoice(
        choices=[("keep", "keep"), ("edit", "edit"), ("drop", "drop")],
        help_text="keep it (open again with this sign-off), edit it (then keep it) or drop it.",
    )
    text = Text(max_length=2000, blank=False, required=False, help_text="edit: the new text.")
    owner = Text(max_length=150, blank=False, required=False, help_text="edit: the new owner's username.")
    due_date = StrictDate(required=False, help_text="edit: the new due date (YYYY-MM-DD), or before_launch.")
    before_launch = StrictBoolean(required=False, help_text="edit: due before launch instead of by a date.")
    comment = Text(
        max_length=5000, required=False, help_text="Why (recorded in the audit trail); for a drop, the reason."
    )


@extend_schema_field({"$ref": "#/components/schemas/StateEnum"})
class StateField(StrictChoice):
    """A state name, documented as the same enum as an assessment's ``state``."""

    def __init__(self, **kwargs):
        super().__init__(choices=State.choices, **kwargs)


def _transition_names(*, takes_conditions=False, comment_required=False):
    return [
        (name, spec.label)
        for name, spec in transitions.user_transitions().items()
        if spec.takes_conditions == takes_conditions and spec.comment_required == comment_required
    ]


COMMENT_REQUIRED = "Say what must change, or why: a comment is required."
UNKNOWN_TRANSITION = 'Unknown transition "{input}"; expected one of ' + ", ".join(transitions.names_for_users()) + "."
EXPECTED_STATE_HELP = "The state you decided on; 409 if the assessment has moved on since."
PASSWORD_HELP = (
    "Your password: approving, requesting changes and rejecting are signing acts. Without it a 400 with code "
    "reauthentication_required; a wrong one is a 403 and counts towards the lockout; an account that signs in "
    "through single sign-on only signs in the browser (403)."
)


def _password():
    return Text(
        max_length=PASSWORD_MAX_LENGTH,
        required=False,
        write_only=True,
        style={"input_type": "password"},
        help_text=PASSWORD_HELP,
    )


class TransitionNameSerializer(StrictInputSerializer):
    # Only to report a missing or unknown ``name``: the request is then checked by none of the shapes below.
    name = StrictChoice(choices=transitions.names_for_users(), error_messages={"invalid_choice": UNKNOWN_TRANSITION})


class SimpleTransitionRequestSerializer(StrictInputSerializer):
    name = StrictChoice(choices=_transition_names())
    comment = Text(max_length=services.MAX_COMMENT, required=False, help_text="Recorded in the audit trail.")
    expected_state = StateField(required=False, help_text=EXPECTED_STATE_HELP)


class ApproveRequestSerializer(StrictInputSerializer):
    name = StrictChoice(choices=_transition_names(takes_conditions=True))
    comment = Text(max_length=services.MAX_COMMENT, required=False, help_text="Recorded with the sign-off.")
    conditions = ConditionInputSerializer(
        many=True, required=False, max_length=services.MAX_CONDITIONS, help_text="What the team must do."
    )
    carried_conditions = CarriedConditionInputSerializer(
        many=True,
        required=False,
        max_length=services.MAX_CONDITIONS,
        help_text="Re-signing after a change request: what to do with this stage's carried (proposed) conditions, "
        "by id. Those not named are kept.",
    )
    expected_state = StateField(required=False, help_text=EXPECTED_STATE_HELP)
    password = _password()


class ReasonedDecisionRequestSerializer(StrictInputSerializer):
    name = StrictChoice(choices=_transition_names(comment_required=True))
    comment = Text(
        max_length=services.MAX_COMMENT,
        blank=False,
        help_text="Say what must change, or why.",
        error_messages={"blank": COMMENT_REQUIRED, "required": COMMENT_REQUIRED},
    )
    expected_state = StateField(required=False, help_text=EXPECTED_STATE_HELP)
    password = _password()


TRANSITION_REQUESTS = {
    name: shape
    for shape in (SimpleTransitionRequestSerializer, ApproveRequestSerializer, ReasonedDecisionRequestSerializer)
    for name, _ in shape().fields["name"].choices.items()
}


def transition_request_serializer(data):
    """The request shape for the transition ``data`` names (each has its own fields and rules)."""
    name = data.get("name") if isinstance(data, Mapping) else None
    shape = TRANSITION_REQUESTS.get(name) if isinstance(name, str) else None
    return (shape or TransitionNameSerializer)(data=data)
