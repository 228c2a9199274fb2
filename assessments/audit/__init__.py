"""The append-only, hash-chained, signed audit log: appending, checkpoints and verifying.

``chain`` writes the log and signs its head; ``keys`` names the public keys the
verifier trusts; ``verify`` checks the chain, the head, checkpoints and (through
``replay``) the tables against the log. This package re-exports the names callers
use; its modules import each other directly, never this package.
"""

from .chain import HEAD_PK, audit_append, audit_checkpoint, audit_event
from .keys import trusted_public_keys
from .verify import audit_verify, load_checkpoint

__all__ = [
    "HEAD_PK",
    "audit_append",
    "audit_checkpoint",
    "audit_event",
    "audit_verify",
    "load_checkpoint",
    "trusted_public_keys",
]
