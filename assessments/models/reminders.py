"""Rows that keep their own next reminder: the assessment and its conditions.

The first reminder is the deadline rule (``assessments.deadlines``); the sweeps move it on (``committee.schedule``).
"""

_UNKNOWN = object()


class KeepsReminderSchedule:
    """A row that stores when its next reminder falls due (``assessments.deadlines``; moved on: ``committee.schedule``).

    Saving it with a change to what the schedule is computed from (``schedule_basis``) starts the
    schedule again (``schedule_start``); saving it otherwise keeps the schedule the sweeps have moved on.
    """

    schedule_field = ""
    schedule_basis = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_basis = instance._basis()
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        if kwargs.get("fields") is None and not args[1:]:
            self._saved_basis = self._basis()

    def _basis(self):
        # A deferred field is not in __dict__; None stands for "not known", which never matches.
        values = tuple(self.__dict__.get(name, _UNKNOWN) for name in self.schedule_basis)
        return None if _UNKNOWN in values else values

    def save(self, *args, **kwargs):
        basis = self._basis()
        if basis is not None and basis != getattr(self, "_saved_basis", None):
            self.schedule_start()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, self.schedule_field}
        super().save(*args, **kwargs)
        self._saved_basis = basis
