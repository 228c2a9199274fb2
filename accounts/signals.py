"""What identity announces to the apps above it (they subscribe; accounts imports none of them)."""

from django.dispatch import Signal

# A user's role or team groups changed outside the application's own screens (today: single sign-on following
# the identity provider's groups claim). Sent after the change commits with ``user``, ``added`` and ``removed``
# (tuples of group names) and ``source`` ("sso"). A subscriber may, for example, revoke the user's API tokens
# when a role is removed, or enter the change in another log.
roles_changed = Signal()
