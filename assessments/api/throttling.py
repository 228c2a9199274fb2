"""Request rates for the API: generous for reads, tighter for writes, tight for token requests.

Rates can be changed with ``API_THROTTLE_RATES = {"api_read": "600/min", ...}``
in settings (``None`` turns one off); these defaults apply otherwise. Counts
live in Django's default cache, so several web processes need a shared cache
(Redis) to share them.
"""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from accounts.network import client_address

DEFAULT_RATES = {
    "api_token": "10/min",  # per client address
    "api_read": "600/min",  # per user
    "api_write": "60/min",  # per user
}


class _ConfiguredRate:
    def get_rate(self):
        rates = getattr(settings, "API_THROTTLE_RATES", None) or {}
        return rates[self.scope] if self.scope in rates else DEFAULT_RATES[self.scope]

    def get_ident(self, request):
        # The same address django-axes and the login form see: X-Forwarded-For counts only as far as
        # NUM_PROXIES trusted proxies wrote it, so a client cannot name a new address on every request.
        return client_address(request) or "unknown"


class TokenRateThrottle(_ConfiguredRate, SimpleRateThrottle):
    """Token requests per client address: a password-guessing brake in front of django-axes."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ReadRateThrottle(_ConfiguredRate, UserRateThrottle):
    scope = "api_read"

    def allow_request(self, request, view):
        if request.method not in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class WriteRateThrottle(_ConfiguredRate, UserRateThrottle):
    scope = "api_write"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
