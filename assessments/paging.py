"""Counts and pages whose cost is bounded, however many assessments the archive holds.

An exact ``COUNT(*)`` reads every row the filter matches, so it grows with the
archive. Lists count at most ``settings.LIST_COUNT_CAP + 1`` rows (a ``COUNT``
over a ``LIMIT`` subquery) and say "1,000+" beyond the cap; pages fetch one row
more than they show to know whether another page follows.
"""

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property


def count_cap():
    return settings.LIST_COUNT_CAP


def capped_count(queryset, cap=None, *, ordered=False):
    """The number of rows, counted up to ``cap + 1``: ``cap + 1`` means "more than ``cap``".

    By default without an ordering, so PostgreSQL may drive the count from
    whichever side is cheaper (the group's grants or an index of the
    assessments) and stop after ``cap + 1`` rows; measured on 60,000 assessments,
    this beat counting a list in the page's order, which made it hash whole
    tables. ``ordered=True`` keeps the queryset's order, for a list whose order
    is an index that also narrows it (the queue: ``(state, stage_entered_at, id)``):
    unordered, PostgreSQL hashed every view grant of the reviewer's group
    (89,000 at 100,000 assessments, 30 ms); in the queue's order it walks the
    index and stops at the cap.
    """
    cap = count_cap() if cap is None else cap
    return (queryset if ordered else queryset.order_by())[: cap + 1].count()


def capped_counts(querysets, cap=None):
    """``{key: capped_count(queryset)}`` for many querysets of one database, in one query.

    Each count is ``SELECT COUNT(*) FROM (<queryset> LIMIT cap + 1)``; they are
    selected side by side, so a page with a dozen counts makes one round trip.
    """
    cap = count_cap() if cap is None else cap
    keys = list(querysets)
    if not keys:
        return {}
    parts, params, empty = [], [], set()
    using = None
    for i, key in enumerate(keys):
        queryset = querysets[key]
        using = using or queryset.db
        if queryset.db != using:
            raise ValueError("capped_counts() needs querysets of one database.")
        limited = queryset.order_by().values("pk")[: cap + 1]  # unordered, as capped_count()
        try:
            sql, part_params = limited.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:  # a filter that can match nothing (a user in no group): no SQL to run
            empty.add(key)
            continue
        # Django compiled ``sql`` with placeholders; the values travel in ``params``.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")  # noqa: S608  # nosec B608
        params.extend(part_params)
    counts = dict.fromkeys(empty, 0)
    if parts:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        counts.update(zip([k for k in keys if k not in empty], row, strict=True))
    return {key: counts[key] for key in keys}


def count_label(count, cap=None):
    """A capped count as pages show it: ``1,000+`` beyond the cap, else the number (``1,000`` at the cap)."""
    cap = count_cap() if cap is None else cap
    return f"{cap:,}+" if count > cap else f"{count:,}"


class CappedPaginator(Paginator):
    """Django's paginator with a bounded count: pages past the cap still open, counted as "1,000+"."""

    def __init__(self, object_list, per_page, cap=None, *, ordered=False, counter=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap() if cap is None else cap
        self.ordered = ordered  # count in the list's order (see capped_count)
        # ``counter(cap)``: a cheaper way to the same capped count, when the caller knows one.
        self.counter = counter

    @cached_property
    def count(self):
        if self.counter is not None:
            return self.counter(self.cap)
        return capped_count(self.object_list, self.cap, ordered=self.ordered)

    @property
    def capped(self):
        """True when more rows exist than the cap: the page count is then unknown."""
        return self.count > self.cap

    @property
    def label(self):
        """The count as the page shows it: "1,000+" beyond the cap."""
        return count_label(self.count, self.cap)

    @property
    def plural(self):
        return self.count != 1

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        # Past the cap the last page is unknown: any whole number from 1 may be asked for.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number):
        try:
            return super().get_page(number)
        except EmptyPage:
            # Past the end of a list longer than the cap: the last page the capped count knows of.
            return self.page(self.num_pages)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # One row more than the page shows: whether a next page exists, without counting.
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, *, has_more):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self):
        return self.has_more
