"""What every sweep shares: one transaction per run, raced runs retried, due rows claimed, schedules moved."""

import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone

from assessments.models import Assessment

logger = logging.getLogger(__name__)

ASSESSMENT_FIELDS = (
    "id",
    "version",
    "state",
    "risk_level",
    "review_round",
    "stage_entered_at",
    "next_review_due",
    "feature__name",
    "feature__team__name",
    "feature__team__group_id",
)


def assessments_listed():
    return Assessment.objects.select_related("feature__team").only(*ASSESSMENT_FIELDS).order_by("pk")


def recorded(sweep):
    """Run a sweep in one transaction. A concurrent run that wrote the same keys first makes this one
    fail on the unique key; it runs once more and finds nothing new to send."""

    def run(now=None):
        now = now or timezone.now()
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    return sweep(now)
            except IntegrityError:
                if attempt == 2:
                    raise
                logger.info("%s raced another run; running it again.", sweep.__name__)

    run.__name__ = sweep.__name__
    run.__doc__ = sweep.__doc__
    return run


# -- the stored schedules --------------------------------------------------------------------------------


def claim(queryset):
    """The ids of the due rows, locked; rows another sweep holds are skipped (it is handling them). SQLite has no
    row locks and runs one writer at a time, so there it is the plain query.

    Ids only, from the schedule's index: when nothing is due that is the sweep's one query, whatever plan the
    joins of the rows' details would get (the planner's statistics lag behind a schedule just moved on).
    """
    return list(queryset.select_for_update(skip_locked=True).order_by().values_list("pk", flat=True))


def schedule_move(model, field, moments):
    """Store each row's next reminder (``{pk: value}``) in one query on PostgreSQL, whatever the number of rows."""
    if not moments:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field)
        kind = "timestamptz" if isinstance(model._meta.get_field(field), DateTimeField) else "date"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = moved.value "  # noqa: S608  # nosec B608 (names from the model)
                f"FROM unnest(%s::bigint[], %s::{kind}[]) AS moved(id, value) WHERE {table}.id = moved.id",
                [list(moments), list(moments.values())],
            )
        return
    rows = [model(pk=pk, **{field: value}) for pk, value in moments.items()]
    model.objects.bulk_update(rows, [field])
