"""Pagination whose query parameters are checked (400 on a bad value) and documented from one definition.

``ValidatedQueryMixin`` reads a pagination class's parameters through a small
serializer of query fields: the same fields validate the request and describe
the parameters in the OpenAPI schema, so the two cannot drift apart. Any DRF
pagination style can use it (page numbers now; a cursor would add a ``cursor``
field to its query serializer).
"""

import re

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

from .parsers import MAX_JSON_INT

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class QueryInteger(serializers.IntegerField):
    """A whole number written in a query string as plain decimal digits (no sign, no leading zero)."""

    default_error_messages = {"invalid": "Give a whole number, written with digits only."}
    digits = re.compile(r"[1-9][0-9]{0,18}")

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.digits.fullmatch(data):
            self.fail("invalid")
        return int(data)

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


class PageQuery(serializers.Serializer):
    page = QueryInteger(
        required=False, min_value=1, max_value=MAX_JSON_INT, help_text="The page to return, from 1; 404 past the last."
    )
    page_size = QueryInteger(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Results per page, 1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} when left out.",
    )


class AssessmentPagination(ValidatedQueryMixin, PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    query_serializer_class = PageQuery

    def paginate_queryset(self, queryset, request, view=None):
        self.query = self.validated_query(request)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        return self.query.get("page_size", self.page_size)

    def get_page_number(self, request, paginator):
        return self.query.get("page", 1)
