"""Ed25519 signatures over the audit chain: keys, statements, signing and verifying.

The private key lives outside the database (``AUDIT_SIGNING_KEY``: a path to a
PEM file, or the PEM text itself); whoever can write to the database but does
not hold it cannot sign. Public keys verify and can be published. A key is
named by its ``key_id``: the first 16 hex digits of the SHA-256 of its raw
public bytes, computed here from the key itself, never taken on trust.

Nothing in this module touches the database, so a checkpoint can be verified
with the public key alone (``checkpoint_is_valid``).
"""

import base64
import binascii
import hashlib
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured

from . import canonical

CHECKPOINT_TYPE = "raia.audit.checkpoint.v1"
ROW_TYPE = "raia.audit.row.v1"
CHECKPOINT_FIELDS = ("seq", "hash", "signed_at", "key_id", "signature")


# -- keys ------------------------------------------------------------------------------------


def key_id_of(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key):
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def new_private_key_pem():
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def _pem_text(value, what):
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return value.encode("ascii")
    path = Path(value).expanduser()
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(f"{what}: cannot read {path}: {error.strerror}") from None


@cache
def load_private_key(value):
    """The Ed25519 private key from a PEM file path or PEM text; ImproperlyConfigured when it is not one."""
    try:
        key = serialization.load_pem_private_key(_pem_text(value, "AUDIT_SIGNING_KEY"), password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"AUDIT_SIGNING_KEY is not an unencrypted PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY must be an Ed25519 key (openssl genpkey -algorithm ed25519).")
    return key


def load_public_keys(pem_bytes, source="public key file"):
    """Every Ed25519 public key in PEM text (several may be concatenated), keyed by key id."""
    keys = {}
    blocks = pem_bytes.split(b"-----END PUBLIC KEY-----")
    for block in blocks:
        if b"-----BEGIN PUBLIC KEY-----" not in block:
            continue
        pem = block[block.index(b"-----BEGIN PUBLIC KEY-----") :] + b"-----END PUBLIC KEY-----\n"
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError as error:
            raise ImproperlyConfigured(f"{source}: not a PEM public key: {error}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured(f"{source}: only Ed25519 public keys verify the audit log.")
        keys[key_id_of(key)] = key
    if not keys:
        raise ImproperlyConfigured(f"{source}: no PEM public key found.")
    return keys


def public_key_from_pem(pem_text):
    """One Ed25519 public key from its PEM text."""
    keys = load_public_keys(pem_text.encode("ascii") if isinstance(pem_text, str) else pem_text)
    return next(iter(keys.values()))


class Signer:
    """Signs with the configured private key."""

    def __init__(self, private_key):
        self.private_key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id_of(self.public_key)

    def sign(self, statement):
        return base64.b64encode(self.private_key.sign(canonical.dumps(statement))).decode("ascii")


def signer_from_settings():
    """The Signer for ``settings.AUDIT_SIGNING_KEY``, or None when no key is configured."""
    from django.conf import settings

    value = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if not value:
        return None
    return _signer(value)


@cache
def _signer(value):
    return Signer(load_private_key(value))


# -- statements -------------------------------------------------------------------------------


def checkpoint_statement(*, seq, hash, signed_at, key_id):
    """What a checkpoint (a signed chain head) asserts: the chain ended at row ``seq`` with ``hash``."""
    return {"type": CHECKPOINT_TYPE, "seq": seq, "hash": hash, "signed_at": signed_at, "key_id": key_id}


def row_statement(*, seq, hash, key_id):
    """What a row's own signature asserts: row ``seq`` was appended with ``hash`` (not that it is the last)."""
    return {"type": ROW_TYPE, "seq": seq, "hash": hash, "key_id": key_id}


def signature_is_valid(public_key, statement, signature):
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, canonical.dumps(statement))
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def checkpoint_problem(checkpoint):
    """Why ``checkpoint`` (parsed JSON) is not a well-formed checkpoint, or None."""
    if not isinstance(checkpoint, dict):
        return "it is not a JSON object"
    missing = [name for name in CHECKPOINT_FIELDS if name not in checkpoint]
    if missing:
        return f"it lacks {', '.join(missing)}"
    seq = checkpoint["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        return "its seq is not a row number"
    if not all(isinstance(checkpoint[name], str) for name in ("hash", "signed_at", "key_id", "signature")):
        return "hash, signed_at, key_id and signature must be text"
    return None


def checkpoint_is_valid(checkpoint, public_key):
    """True when ``public_key`` signed this checkpoint. Needs no database."""
    if checkpoint_problem(checkpoint) or checkpoint["key_id"] != key_id_of(public_key):
        return False
    statement = checkpoint_statement(
        seq=checkpoint["seq"],
        hash=checkpoint["hash"],
        signed_at=checkpoint["signed_at"],
        key_id=checkpoint["key_id"],
    )
    return signature_is_valid(public_key, statement, checkpoint["signature"])
