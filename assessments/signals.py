"""The core's announcement of each transition, for the apps around it.

``assessment_transitioned`` is sent inside the transition's transaction, after
the state, the sign-off, the grants and the audit row are written. Receivers
(``committee`` for notices, ``reports`` for dossiers) write their rows in the
same transaction, so they commit or roll back with the transition; anything that
must happen only after commit (sending email, rendering) they schedule with
``transaction.on_commit``. The core imports none of its receivers.

Keyword arguments: ``assessment`` (saved, in its new state), ``transition``
(name), ``actor`` (a user, or ``services.SYSTEM``), ``from_state``, ``to_state``,
``sign_off`` (the SignOff it created, or None), ``comment`` and ``audit_entry``.
"""

from django.dispatch import Signal

assessment_transitioned = Signal()

bias_flags_raised = Signal()
"""A monitoring result raised new bias flags. Sent inside the transaction that recorded them.

Keyword arguments: ``assessment``, ``flags`` (the MonitoringFlag rows), ``actor`` and ``audit_entry``.
"""

demo_seeded = Signal()
"""``seed_demo`` created or refreshed the demo. Sent inside its transaction, so the apps around the core add
their part of the demo (reports: reviewed register text) through their own services.

Keyword arguments: ``team`` and ``users`` (username -> user).
"""

condition_changed = Signal()
"""A condition moved a step (marked met, confirmed, reopened, dropped). Sent inside the transaction that moved it.

Keyword arguments: ``assessment``, ``condition`` (saved, in its new status), ``from_status``, ``actor`` and
``audit_entry``.
"""
