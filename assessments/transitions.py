"""The transition table, read from the ``@transition`` declarations on ``Assessment``.

Nothing else lists transition names: services, permissions, pages, the API and
its OpenAPI enum all ask this module. Adding a transition means declaring it on
the model (and testing it).
"""

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    verb: str  # past tense, for the timeline: "approved", "withdrew it"
    done: str  # the message after it succeeded; may use {feature} and {stage}
    hint: str  # what it does, shown beside its button; may use {stage}
    actor: str  # "team", "reviewer" or "system"
    comment_required: bool
    takes_conditions: bool
    system: bool  # the system may take it too (periodic sweeps)
    tone: str  # "", "secondary" or "danger": how its button looks
    sends_answers: bool  # sends the answers to the committee (the form's "Save and submit")
    gathers_comments: bool  # sends the round's question comments to the team ("Request changes")
    signs: bool  # a signing act (approve, request changes, reject): the signer re-authenticates
    sources: tuple
    method_name: str
    permission: object  # the declaration's permissions.Permission: who may take it, and why not

    def denial(self, user, assessment):
        """Why ``user`` may not take this transition on ``assessment`` (a permissions.Denial), or None."""
        return self.permission.refusal(user, assessment)

    @property
    def for_users(self):
        return self.actor in ("team", "reviewer")

    def available_from(self, state):
        return state in self.sources

    def done_message(self, assessment, stage_label=""):
        return self.done.format(feature=assessment.feature.name, stage=stage_label)

    def hint_text(self, stage_label=""):
        return self.hint.format(stage=stage_label)

    def blockers(self, assessment):
        """Why the guards refuse this transition now (structured reasons), each guard evaluated once."""
        reasons = []
        for reasons_of in self.guards(assessment.state):
            reasons.extend(assessment.guard_reasons(reasons_of))
        return reasons

    def guards(self, state):
        """The reason functions of this transition's guards from ``state``."""
        from .models import Assessment

        meta = getattr(Assessment, self.method_name)._django_fsm
        found = meta.get_transition(state)
        return [condition.reasons_of for condition in (found.conditions if found else [])]


@cache
def table():
    """Every transition, in the order they are declared: ``{name: TransitionSpec}``."""
    from .models import Assessment

    specs = {}
    for attribute, value in Assessment.__dict__.items():
        meta = getattr(value, "_django_fsm", None)
        if meta is None:
            continue
        declared = list(meta.transitions.values())
        custom = declared[0].custom
        permission = declared[0].permission
        if not callable(getattr(permission, "refusal", None)) or not hasattr(permission, "actor"):
            raise TypeError(
                f"Assessment.{attribute}: permission= must be an assessments.permissions.Permission "
                f"(team_may, reviewer_may, nobody_may), not {permission!r}."
            )
        specs[attribute] = TransitionSpec(
            name=attribute,
            label=custom["label"],
            verb=custom["verb"],
            done=custom["done"],
            hint=custom["hint"],
            actor=permission.actor,
            comment_required=bool(custom.get("comment_required")),
            takes_conditions=bool(custom.get("takes_conditions")),
            system=permission.actor == "system" or bool(custom.get("system")),
            tone=custom.get("tone", ""),
            sends_answers=bool(custom.get("sends_answers")),
            gathers_comments=bool(custom.get("gathers_comments")),
            signs=bool(custom.get("signs")),
            sources=tuple(t.source for t in declared),
            method_name=attribute,
            permission=permission,
        )
    return specs


def get(name):
    """The transition called ``name``, or None."""
    return table().get(name) if isinstance(name, str) else None


def user_transitions():
    """The transitions people take (the API's enum): ``{name: spec}``."""
    return {name: spec for name, spec in table().items() if spec.for_users}


def submission_from(state):
    """The transition that sends the answers to the committee from ``state`` (submit or resubmit), or None."""
    return next((s for s in table().values() if s.sends_answers and s.available_from(state)), None)


def names_for_users():
    return list(user_transitions())
