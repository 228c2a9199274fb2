"""Domain errors raised by services, each with a message a user can read.

Views and the API map them to HTTP: InputError 400 (AlreadyExists 409),
NotPermitted 403, TransitionConflict 409. Reasons are structured (``Reason``): a
stable ``code`` for programs, a ``message`` for people (question texts, never
ids), and the ``question`` id when one question is concerned, so the browser can
link to it.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    """Why something is refused: ``code`` for programs, ``message`` for people, ``question`` when one applies."""

    code: str
    message: str
    question: str | None = None
    # What the reason is about, as plain values (a dimension, a flag): programs read these, never the message.
    params: dict = field(default_factory=dict, compare=False)

    def as_dict(self):
        data = {"code": self.code, "message": self.message, "question": self.question}
        if self.params:  # only reasons about something specific (a dimension, a flag) carry them
            data["params"] = dict(self.params)
        return data


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InputError(DomainError):
    """Bad input; ``errors`` maps a field or question id to a message.

    ``fields``: for an error about one item of a list (``"carried_conditions[2]"``), the item's field it concerns
    (``"due_date"``), so a form shows it beside that field; the API answers ``errors`` alone.
    """

    def __init__(self, errors, message="Some answers are not valid.", fields=None):
        super().__init__(message)
        self.errors = errors
        self.fields = fields or {}


class AlreadyExists(InputError):
    """The input names something that exists already (a feature name in its team); the API answers 409."""


class NotPermitted(DomainError):
    """The user could never do this to this object (wrong role, own team, an editor)."""

    def __init__(self, message, code="not_permitted"):
        super().__init__(message)
        self.code = code


class TransitionConflict(DomainError):
    """The state, the moment, a guard or a concurrent change forbids this now; ``reasons`` say why."""

    def __init__(self, message, reasons=(), code="conflict"):
        super().__init__(message)
        self.reasons = list(reasons) or [Reason(code, message)]


class FileRefused(Exception):
    """An uploaded file refused as a whole: ``status`` 413 (too large) or 400 (empty, not a file, a kind not
    accepted); ``message`` says why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status
