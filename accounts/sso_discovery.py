"""The identity provider's endpoints, read from its OpenID Connect discovery document.

``OIDC_DISCOVERY_URL`` is the issuer (``https://idp.example.org/realms/staff``) or its discovery document
(``.../.well-known/openid-configuration``). The document is fetched at the first sign-on and kept in the
default cache for ``OIDC_DISCOVERY_CACHE_SECONDS``; its ``issuer`` must be the configured one (OpenID Connect
Discovery 1.0, section 4.3), so a document served from elsewhere cannot name other endpoints.
"""

import hashlib
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache

WELL_KNOWN = "/.well-known/openid-configuration"
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The discovery document could not be fetched or is unusable; the message says which."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str = ""


def sso_enabled():
    """Single sign-on is on when a provider and a client are configured; otherwise only local logins exist."""
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_RP_CLIENT_ID)


def issuer_and_document_url(configured):
    url = configured.strip().rstrip("/")
    if url.endswith(WELL_KNOWN):
        return url[: -len(WELL_KNOWN)], url
    return url, url + WELL_KNOWN


def provider():
    """The configured provider's endpoints; raises ``ProviderUnavailable``."""
    issuer, url = issuer_and_document_url(settings.OIDC_DISCOVERY_URL)
    key = "oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        document = _fetch(url, issuer)
        cache.set(key, document, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return Provider(**{name: document.get(name) or "" for name in (*REQUIRED, "end_session_endpoint")})


def forget_provider():
    """Drop the cached document (tests; a provider that moved its endpoints)."""
    _, url = issuer_and_document_url(settings.OIDC_DISCOVERY_URL)
    cache.delete("oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest())


def _fetch(url, issuer):
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(
            f"The identity provider's discovery document {url} could not be read ({exc})."
        ) from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"The identity provider's discovery document {url} is not a JSON object.")
    missing = [name for name in REQUIRED if not isinstance(document.get(name), str) or not document[name]]
    if missing:
        raise ProviderUnavailable(f"The identity provider's discovery document lacks {', '.join(missing)}.")
    if document["issuer"].rstrip("/") != issuer:
        raise ProviderUnavailable(
            f"The discovery document names the issuer {document['issuer']!r}, not the configured {issuer!r}."
        )
    return {name: document.get(name) for name in (*REQUIRED, "end_session_endpoint")}
