"""Who acts when nobody does: the system's own actor, for what the periodic sweeps do."""


class SystemActor:
    """The actor of what the system does on its own (periodic sweeps); the audit log names it "system"."""

    pk = None
    is_authenticated = False
    is_active = True

    def get_username(self):
        return "system"

    def __str__(self):
        return "system"


SYSTEM = SystemActor()
