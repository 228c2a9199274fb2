"""A JSON parser that turns every malformed or hostile body into a 4xx, never a 500.

DRF's own JSONParser reads the whole stream without a size limit, lets
``1e400`` through as infinity and huge integers through as Python ints (which
later overflow float conversions), and answers deep nesting or an unknown
charset with an unhandled exception. This one refuses all of those up front,
and refuses NUL characters, which PostgreSQL cannot store in text.
"""

import codecs
import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

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


def _contains_nul(data):
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


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
        if _contains_nul(data):
            raise ParseError("Text in the request may not contain NUL characters.")
        return data
