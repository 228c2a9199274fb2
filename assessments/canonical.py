"""Canonical JSON and SHA-256, the basis of content hashes and the audit chain.

Canonical means sorted keys and no insignificant whitespace, so the same data
always hashes the same on every machine and database.
"""

import hashlib
import json
from datetime import UTC

GENESIS_HASH = "0" * 64


def dumps(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_of(data):
    return hashlib.sha256(dumps(data).encode("utf-8")).hexdigest()


def timestamp(moment):
    """ISO 8601 in UTC with microseconds, identical on SQLite and PostgreSQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
