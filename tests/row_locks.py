"""Two transactions racing for a row lock (PostgreSQL, with the ``postgres_only`` fixture): the first holds the lock
while the second waits on it, so a test sees whether a service looks again under the lock at what it was given."""

import threading
import time

from django.db import connection, connections, transaction


def waiting_on_a_lock():
    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken once; drop it to see the other thread now.
        cursor.execute("select pg_stat_clear_snapshot()")
        cursor.execute(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"
        )
        return cursor.fetchone()[0]


def second_while_first_holds_the_lock(first, second):
    """Run ``first`` in a transaction left open while ``second`` runs in another thread and waits on the row lock;
    commit ``first``, then return what ``second`` returned or raised."""
    outcome = {}

    def run_second():
        try:
            outcome["value"] = second()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcome["value"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        first()
        thread = threading.Thread(target=run_second)
        thread.start()
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock():
            assert time.monotonic() < deadline, ("the second call never waited for the row lock", outcome)
            time.sleep(0.02)
        assert "value" not in outcome
    thread.join(timeout=30)
    return outcome["value"]
