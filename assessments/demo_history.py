"""The demo's history, written as it would have happened: each feature's steps at their own moments.

Each demo feature is a generator that yields how many days ago its next step happens, then takes it. The
steps of all features run merged in time order, each under time-machine travel to its moment, so every
record (audit rows, sign-offs, stage clocks, notices) carries the time it would carry in real use, and the
audit chain's times only go forward with its sequence.
"""

import heapq
from datetime import timedelta

import time_machine
from django.utils import timezone


class HistoryOutOfOrder(Exception):
    """A feature's next step was dated before one already taken: the history would run backwards."""


def run_in_time_order(histories, *, now=None):
    """Run ``histories`` (generators yielding days ago) merged by moment; returns the moments, in order.

    Guarantees: steps run in non-decreasing time (ties in the order given), and never in the future.
    """
    now = now or timezone.now()
    queue = []
    taken = []

    def schedule(index, steps, after):
        days_ago = next(steps, None)
        if days_ago is None:
            return
        moment = now - timedelta(days=days_ago)
        if moment > now or (after is not None and moment < after):
            raise HistoryOutOfOrder(f"A step dated {moment.isoformat()} would come after {after} or now ({now}).")
        heapq.heappush(queue, (moment, index, steps))

    for index, steps in enumerate(histories):
        schedule(index, steps, None)
    while queue:
        moment, index, steps = heapq.heappop(queue)
        if taken and moment < taken[-1]:
            raise HistoryOutOfOrder(f"A step dated {moment.isoformat()} after one at {taken[-1].isoformat()}.")
        taken.append(moment)
        # The clock ticks on from the moment: the rows one step writes stay in order among themselves.
        with time_machine.travel(moment, tick=True):
            schedule(index, steps, moment)
    return taken
