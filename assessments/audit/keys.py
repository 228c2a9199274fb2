"""The public keys the verifier trusts."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .. import signing


def trusted_public_keys(extra=()):
    """Public keys the verifier trusts, by key id: never the database's word alone.

    The configured signing key's public half, the keys in the file named by
    ``AUDIT_PUBLIC_KEYS`` (the published keys, retired ones included), and any
    given here (``verify_audit_log --public-key``).
    """
    keys = {}
    signer = signing.signer_from_settings()
    if signer is not None:
        keys[signer.key_id] = signer.public_key
    path = getattr(settings, "AUDIT_PUBLIC_KEYS", "")
    if path:
        try:
            with open(path, "rb") as handle:
                keys.update(signing.load_public_keys(handle.read(), source=path))
        except OSError as error:
            raise ImproperlyConfigured(f"AUDIT_PUBLIC_KEYS: cannot read {path}: {error.strerror}") from None
    for key in extra:
        keys[signing.key_id_of(key)] = key
    return keys
