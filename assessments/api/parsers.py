"""A JSON parser that turns every malformed or hostile body into a 4xx, never a 500.

DRF's own JSONParser reads the whole stream without a size limit, lets
``1e400`` through as infinity and huge integers through as Python ints (which
later overflow float conversions), and answers deep nesting or an unknown
charset with an unhandled exception. This one refuses all of those up front,
and refuses text that cannot be stored: NUL characters (PostgreSQL cannot store
them) and lone UTF-16 surrogates (``"\\udfff"`` is valid JSON but not text),
in values and keys alike, with a 400 naming the field.
"""

import codecs
import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser

from assessments import canonical

# Integers must fit a signed 64-bit column; anything larger is a mistake or an attack.
MAX_JSON_INT = 2**63 - 1


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _parse_int(text):
    value = int(text)
    if abs(value) > MAX_JSON_INT:
        raise ValueError(f"the number {text[:20]}... does not fit in 64 bits")
    return value


def _parse_float(text):
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _field_errors(found):
    """Nest ``[(path, message)]`` as field errors: ``{"answers": {"overview.vendor": "This text ..."}}``.

    List items are named as the services name them, ``rows[1]`` (1-based); the
    items of a top-level list are bias result rows, the only list body the API takes.
    """
    errors = {}
    for path, message in found:
        names = []
        for part in path:
            if isinstance(part, int):
                names.append(f"{names.pop() if names else 'rows'}[{part + 1}]")
            else:
                names.append(part)
        text = ("This object " if message.startswith("has a key") else "This text ") + message
        if not names:
            return {"non_field_errors": text}
        node = errors
        for name in names[:-1]:
            node = node.setdefault(name, {})
            if not isinstance(node, dict):
                break
        else:
            node.setdefault(names[-1], text)
    return errors


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"The request body is over {limit} bytes.")
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            codecs.lookup(encoding)
            text = raw.decode(encoding)
            data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_reject_constant)
        except (ValueError, LookupError, RecursionError) as exc:
            raise ParseError(f"JSON parse error: {str(exc)[:200]}") from None
        found = canonical.unstorable_paths(data)
        if found:
            # A 400 naming each field, like any other invalid input (never a 500 further in).
            raise ValidationError(_field_errors(found))
        return data
