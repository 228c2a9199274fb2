"""Which unique constraint an ``IntegrityError`` broke, so that only a concurrent writer's is a conflict.

A transition that loses a race to another one breaks a unique constraint that stands for "someone did this
first" (one sign-off per stage and round, one row per feature version); that is a 409 for the caller. Any
other integrity error (a NOT NULL, a foreign key, an unrelated unique key) is a bug and must surface as one.

PostgreSQL names the constraint (psycopg's ``diag.constraint_name``); SQLite names the table's columns
(``UNIQUE constraint failed: table.a, table.b``), which identify the constraint just as well.
"""

import re

SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


def _constraint(model, name):
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return constraint
    raise LookupError(f"{model.__name__} has no constraint named {name!r}")


def _sqlite_columns(model, name):
    table = model._meta.db_table
    fields = _constraint(model, name).fields
    return {f"{table}.{model._meta.get_field(field).column}" for field in fields}


def violated_constraint(error, constraints):
    """The name of the constraint among ``constraints`` (``(model, name)`` pairs) that ``error`` broke, or None."""
    cause = error.__cause__
    reported = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if reported:
        return next((name for _, name in constraints if name == reported), None)
    match = SQLITE_UNIQUE.search(str(cause or error))
    if match:
        columns = {column.strip() for column in match["columns"].split(",")}
        return next((name for model, name in constraints if _sqlite_columns(model, name) == columns), None)
    return None
