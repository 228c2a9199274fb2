"""Domain errors raised by services, each with a message a user can read.

Views and the API map them to HTTP: InputError 400, NotPermitted 403,
TransitionConflict 409.
"""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InputError(DomainError):
    """Bad input; ``errors`` maps a field or question id to a message."""

    def __init__(self, errors, message="Some answers are not valid."):
        super().__init__(message)
        self.errors = errors


class NotPermitted(DomainError):
    """The user may not do this to this object."""


class TransitionConflict(DomainError):
    """The state, a guard or a concurrent change forbids this now; ``reasons`` say why."""

    def __init__(self, message, reasons=()):
        super().__init__(message)
        self.reasons = list(reasons) or [message]
