"""Pagination whose query parameters are checked (400 on a bad value) and documented from one definition.

``ValidatedQueryMixin`` reads a pagination class's parameters through a small
serializer of query fields: the same fields validate the request and describe
the parameters in the OpenAPI schema, so the two cannot drift apart.

The assessment list is walked by cursor (keyset pagination): a page is "the
next ``page_size`` rows after this one" in the list's order, read from the index
on that order, so page 1 and page 4,000 cost the same and nothing is counted.
"""

import base64
import binascii
import re
from datetime import datetime
from typing import NamedTuple

from django.db.models import Q
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .parsers import MAX_JSON_INT

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class QueryInteger(serializers.IntegerField):
    """A whole number written in a query string as plain decimal digits (no sign, no leading zero).

    Each way to get it wrong has its own message: not a number, a number out of range (``page_size=0``), or a
    number spelt with a sign or leading zeros.
    """

    default_error_messages = {
        "invalid": "Give a whole number, written with digits only.",
        "out_of_range": "Give a whole number from {min_value} to {max_value}.",
        "spelling": "Write the number with digits only, without a sign or leading zeros.",
    }
    digits = re.compile(r"[1-9][0-9]{0,18}")
    number = re.compile(r"[+-]?[0-9]{1,20}")

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.number.fullmatch(data):
            self.fail("invalid")
        value = int(data)
        if not self.min_value <= value <= self.max_value:
            self.fail("out_of_range", min_value=self.min_value, max_value=self.max_value)
        if not self.digits.fullmatch(data):
            self.fail("spelling")
        return value

    def parameter_schema(self):
        return {"type": "integer", "minimum": self.min_value, "maximum": self.max_value}


class ValidatedQueryMixin:
    """Validate and document a pagination class's query parameters with ``query_serializer_class``."""

    query_serializer_class = None

    def validated_query(self, request):
        # A plain dict (the last value of each parameter): as an HTML-form QueryDict, DRF would read an
        # empty value as "not given", which the schema does not say.
        serializer = self.query_serializer_class(data=dict(request.query_params.items()))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "required": field.required,
                "in": "query",
                "description": str(field.help_text),
                "schema": field.parameter_schema(),
            }
            for name, field in self.query_serializer_class().fields.items()
        ]


class Position(NamedTuple):
    """Where a page starts: the row ``(updated_at, id)`` it follows, and which way it reads."""

    updated_at: datetime
    pk: int
    reverse: bool  # True: the rows before this one (a "previous" link)

    def encode(self):
        text = f"{self.updated_at.isoformat()}|{self.pk}|{'r' if self.reverse else 'f'}"
        return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


class CursorField(serializers.Field):
    """A cursor as the ``next`` and ``previous`` links give it; anything else is refused, not guessed at."""

    default_error_messages = {
        "invalid": "This cursor is not valid: use the next or previous link of a response as it is, "
        "or leave the cursor out for the first page."
    }
    max_length = 120
    alphabet = re.compile(r"[A-Za-z0-9_-]{1,120}")

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.alphabet.fullmatch(data):
            self.fail("invalid")
        try:
            text = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode("ascii")
            stamp, pk, way = text.split("|")
            updated_at = datetime.fromisoformat(stamp)
            if not QueryInteger.digits.fullmatch(pk):
                raise ValueError(pk)
            position = Position(updated_at, int(pk), {"f": False, "r": True}[way])
        except (binascii.Error, UnicodeDecodeError, ValueError, KeyError):
            self.fail("invalid")
        if position.updated_at.utcoffset() is None or position.pk > MAX_JSON_INT:
            self.fail("invalid")
        if position.encode() != data:
            self.fail("invalid")  # one spelling per position: a cursor is exactly what the server wrote
        return position

    def to_representation(self, value):
        return value.encode()

    def parameter_schema(self):
        return {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": self.max_length}


class CursorQuery(serializers.Serializer):
    cursor = CursorField(
        required=False,
        help_text="Where the page starts: copy it from the `next` or `previous` link of the last response; "
        "leave it out for the first page (the newest change first). A cursor the server did not write is a 400, "
        "even one that matches the pattern.",
    )
    page_size = QueryInteger(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Results per page, 1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} when left out.",
    )


class AssessmentCursorPagination(ValidatedQueryMixin, CursorPagination):
    """Keyset pagination on the list's order, newest change first: ``(updated_at, id)`` descending.

    A cursor names the row a page follows (or precedes), so a page reads its
    rows from the index ``(updated_at DESC, id DESC)`` after that row: no
    ``OFFSET``, no ``COUNT``, the same cost at any depth and any archive size.
    ``(updated_at, id)`` is unique, so pages never repeat or skip a row that
    stayed put; an assessment changed while a client walks the list moves to
    the front (it is then newer than the first page read).
    """

    ordering = ("-updated_at", "-pk")
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    query_serializer_class = CursorQuery
    # Parameters of the page-numbered list this replaced: refused by name rather than ignored, so an old client
    # does not fetch page 1 forever.
    retired = {"page": "Pages are not numbered: follow the next link (a cursor) to read on."}

    def paginate_queryset(self, queryset, request, view=None):
        refused = {name: message for name, message in self.retired.items() if name in request.query_params}
        if refused:
            raise ValidationError(refused)
        query = self.validated_query(request)
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = query.get("page_size", DEFAULT_PAGE_SIZE)
        self.cursor = query.get("cursor")
        cursor = self.cursor
        if cursor is None:
            rows = queryset.order_by("-updated_at", "-pk")
        elif not cursor.reverse:
            # "(updated_at, id) < cursor", spelt so the first condition is an index range and the rest a filter.
            rows = queryset.order_by("-updated_at", "-pk").filter(
                Q(updated_at__lte=cursor.updated_at) & (Q(updated_at__lt=cursor.updated_at) | Q(pk__lt=cursor.pk))
            )
        else:
            rows = queryset.order_by("updated_at", "pk").filter(
                Q(updated_at__gte=cursor.updated_at) & (Q(updated_at__gt=cursor.updated_at) | Q(pk__gt=cursor.pk))
            )
        # One more row than the page holds: whether another page follows, without counting.
        fetched = list(rows[: self.page_size + 1])
        more = len(fetched) > self.page_size
        page = fetched[: self.page_size]
        if cursor is not None and cursor.reverse:
            page.reverse()
            self.has_previous, self.has_next = more, True
        else:
            self.has_previous, self.has_next = cursor is not None, more
        self.page = page
        return page

    def _link(self, position):
        return replace_query_param(self.base_url, self.cursor_query_param, position.encode())

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.page:
            last = self.page[-1]
            return self._link(Position(last.updated_at, last.pk, reverse=False))
        # Reading back found nothing newer than the cursor: the next page is the first one.
        return remove_query_param(self.base_url, self.cursor_query_param)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.page:
            first = self.page[0]
            return self._link(Position(first.updated_at, first.pk, reverse=True))
        # Read past the end: the previous page ends with the row the cursor named.
        return self._link(self.cursor._replace(reverse=True)) if self.cursor else None

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        link = {
            "type": "string",
            "format": "uri",
            "nullable": True,
        }
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    **link,
                    "description": "The following page (older changes), or null on the last page.",
                },
                "previous": {
                    **link,
                    "description": "The page before (newer changes), or null on the first page.",
                },
                "results": schema,
            },
        }
