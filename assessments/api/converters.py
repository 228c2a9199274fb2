"""The API's id converter, ``<object_id:...>``: registered on import, so every app's API routes import this module."""

from django.urls import register_converter

from .parsers import MAX_JSON_INT


class ObjectIdConverter:
    """A database id: digits that fit a 64-bit key. Anything else matches no route (a JSON 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_JSON_INT:
            raise ValueError(value)
        return number

    def to_url(self, value):
        return str(value)


register_converter(ObjectIdConverter, "object_id")
