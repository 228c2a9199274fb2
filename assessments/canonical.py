"""Canonical JSON (RFC 8785) and SHA-256: the basis of content hashes, the audit chain and its signatures.

Every hash is SHA-256 over the RFC 8785 canonical form (the ``rfc8785``
package) of values *as the database returns them*, so that SQLite and
PostgreSQL verify alike. Two things make that hold:

- Numbers are normalised before they are stored (``normalise``): PostgreSQL's
  jsonb keeps numbers as decimals, so ``-0.0`` comes back as ``0``, ``1e2`` as
  ``100``; an integral float is therefore stored as the integer it equals, and
  a number beyond what a JSON double holds exactly (2**53) is refused, since it
  could not come back as written.
- Text that UTF-8 cannot encode (a lone UTF-16 surrogate) or that PostgreSQL
  cannot store (NUL) is bad input, refused where it enters (``unstorable_text``).
"""

import hashlib
import json
import math
from datetime import UTC

import rfc8785
from django.utils import timezone

GENESIS_HASH = "0" * 64
# The largest integer a JSON number (an IEEE 754 double) holds exactly: RFC 8785's domain.
MAX_SAFE_INTEGER = 2**53 - 1


class NotCanonical(ValueError):
    """A value has no canonical JSON form: an unsafe number, unencodable text, a non-string key."""


def dumps(data):
    """RFC 8785 canonical JSON of ``data`` as bytes (the ``rfc8785`` package's output, byte for byte).

    Data without floats takes a fast path through the standard library's C encoder,
    whose output is RFC 8785 for exactly that case (sorted keys, the same string
    escapes, integers as digits); anything else goes to ``rfc8785``. The verifier
    hashes a million rows a minute this way; a test holds the two paths equal.
    """
    try:
        if _plain(data):
            return _PLAIN.encode(data).encode("utf-8")
        return rfc8785.dumps(data)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as error:
        raise NotCanonical(str(error)) from None


_PLAIN = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False)
# Below U+D800, sorting by code point (Python) and by UTF-16 code unit (RFC 8785) agree.
_FIRST_DIVERGENT = "\ud800"


def _plain(item):
    """True when ``item`` holds only str keys that sort alike both ways, strings, safe ints, bools and None."""
    kind = type(item)
    if kind is dict:
        for key in item:
            if type(key) is not str or (not key.isascii() and max(key) >= _FIRST_DIVERGENT):
                return False
        values = item.values()
    elif kind is list or kind is tuple:
        values = item
    else:
        values = (item,)
    for value in values:
        kind = type(value)
        if kind is str or value is None or kind is bool:
            continue
        if kind is int:
            if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                continue
            return False
        if (kind is dict or kind is list or kind is tuple) and _plain(value):
            continue
        return False  # floats, and anything else, take the reference path
    return True


def sha256_of(data):
    return hashlib.sha256(dumps(data)).hexdigest()


def timestamp(moment):
    """ISO 8601 in UTC with microseconds, identical on SQLite and PostgreSQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- the precision of recorded times ------------------------------------------------------------
# Every time that a hash or a signature covers (an audit row's time, the signed head's, a signing key's
# period, times written into an audit row's details) is recorded to the millisecond: the precision of
# Django's JSON serializer (``dumpdata``), of JavaScript and of most exports, so that such a value
# read back through any of them is the value that was hashed. ``timestamp`` still writes six digits,
# so rows recorded to the microsecond before this rule verify as they always did.


def recorded(moment):
    """``moment`` at the precision hashed and signed records keep: whole milliseconds (truncated)."""
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


def now():
    """The current time as hashed and signed records keep it: to the millisecond (see ``recorded``)."""
    return recorded(timezone.now())


# -- numbers -------------------------------------------------------------------------------


def normalise_number(number):
    """The number in the form every database gives back: an integral float becomes its int.

    ``-0.0`` -> ``0``, ``1.0`` -> ``1``, ``1e2`` -> ``100``; ``0.1`` stays ``0.1``.
    Raises NotCanonical for infinities, NaN and magnitudes beyond 2**53 - 1.
    """
    if isinstance(number, bool):
        return number
    if isinstance(number, int):
        if abs(number) > MAX_SAFE_INTEGER:
            raise NotCanonical(f"the number {number} is beyond what JSON holds exactly (2**53 - 1)")
        return number
    if isinstance(number, float):
        if not math.isfinite(number):
            raise NotCanonical(f"the number {number} is not finite")
        if number.is_integer():
            if abs(number) > MAX_SAFE_INTEGER:
                raise NotCanonical(f"the number {number!r} is beyond what JSON holds exactly (2**53 - 1)")
            return int(number)
        return number
    raise TypeError(f"not a number: {type(number).__name__}")


def normalise(data):
    """A copy of JSON-like ``data`` with every number normalised (see ``normalise_number``)."""
    if isinstance(data, dict):
        return {key: normalise(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [normalise(item) for item in data]
    if isinstance(data, int | float) and not isinstance(data, bool):
        return normalise_number(data)
    return data


# -- text ----------------------------------------------------------------------------------

NUL_MESSAGE = "contains a NUL character, which cannot be stored; remove it."
SURROGATE_MESSAGE = (
    "contains a lone UTF-16 surrogate (an unpaired half of a character), which is not text; "
    "send the whole character or remove it."
)


def unstorable_text(text):
    """Why ``text`` cannot be stored (a message to follow the field's name), or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None


def is_storable_text(text):
    return unstorable_text(text) is None


def unstorable_paths(data, limit=20):
    """``[(path, message)]`` for strings and keys in JSON-like ``data`` that cannot be stored (at most ``limit``).

    ``path`` is a tuple of keys and list indexes leading to the value; a bad key
    is reported at its parent's path, since the key itself cannot be named.
    """
    found = []
    pending = [((), data)]
    while pending and len(found) < limit:
        where, item = pending.pop()
        if isinstance(item, str):
            message = unstorable_text(item)
            if message:
                found.append((where, message))
        elif isinstance(item, dict):
            for key, value in item.items():
                message = unstorable_text(key) if isinstance(key, str) else None
                if message:
                    found.append((where, "has a key that " + message))
                else:
                    pending.append(((*where, key), value))
        elif isinstance(item, list | tuple):
            pending.extend(((*where, index), value) for index, value in reversed(list(enumerate(item))))
    return found
