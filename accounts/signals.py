"""What identity announces to the apps above it (they subscribe; accounts imports none of them)."""

from django.dispatch import Signal

# A user's role or team groups changed outside the application's own screens (today: single sign-on following
# the identity provider's groups claim). Sent after the change commits with ``user``, ``added`` and ``removed``
# (tuples of group names) and ``source`` ("sso"). A subscriber may, for example, revoke the user's API tokens
# when a role is removed, or enter the change in another log.
roles_changed = Signal()

# A delegation of a domain's sign-off was granted, had its end moved, was ended or expired. Sent inside the
# transaction of the change with ``delegation``, so a subscriber's rows (the delegate's notices) commit with it.
delegation_changed = Signal()
