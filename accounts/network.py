"""The client's network address, as every limit in the project sees it.

Behind ``NUM_PROXIES`` trusted proxies, each appends the address it received the
connection from to X-Forwarded-For, so the client's address is the entry that
many places from the end; anything before it was written by the client and is
ignored. Without proxies (``NUM_PROXIES = 0``) it is the TCP peer, REMOTE_ADDR.
django-axes (``AXES_CLIENT_IP_CALLABLE``), the API throttles and the login
form's address limit all call ``client_address``, so they cannot disagree.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address in canonical form, or None when the server gave none (a Unix socket).

    Falls back to REMOTE_ADDR when the forwarded chain is shorter than NUM_PROXIES or its entry is malformed:
    such a request did not come through the proxies.
    """
    meta = request.META
    hops = settings.NUM_PROXIES
    if hops:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops:
            address = _canonical(forwarded[-hops])
            if address is not None:
                return address
    return _canonical(meta.get("REMOTE_ADDR", ""))


def address_block(address):
    """What one client controls: its IPv4 address, or the /64 network of an IPv6 address."""
    parsed = ipaddress.ip_address(address)
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def _canonical(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
