"""Writing a security event: the one way any module records a login, an MFA change, a token or a delegation."""

from django.utils import timezone

from .models import SecurityEvent
from .network import client_address

Kind = SecurityEvent.Kind


def record(kind, *, user=None, username="", request=None, **details):
    """Record one security event of ``kind`` (a ``SecurityEvent.Kind``) and return it.

    ``username`` defaults to the user's; ``request`` gives the client's address; ``details`` are structured
    values (ids, role names, reason codes), never rendered text.
    """
    if user is not None and getattr(user, "is_authenticated", False) and not username:
        username = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind,
        at=timezone.now(),
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=username[:150],
        address=client_address(request) if request is not None else None,
        details=details,
    )
