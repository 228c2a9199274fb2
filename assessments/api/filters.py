"""The API's filter backend: django-filter over the one FilterSet (``assessments.filters``), stricter on input."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that a filter given with no value is a 400 rather than silently no filter.

    A browser form sends empty fields for "any"; an API client that writes ``?state=`` has made a mistake, and
    the schema (an enum, an integer) does not allow an empty value.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = {
                name: "Give a value, or leave the parameter out."
                for name in filterset_class.base_filters
                if name in request.query_params and not request.query_params[name]
            }
            if empty:
                raise ValidationError(empty)
        return super().filter_queryset(request, queryset, view)
