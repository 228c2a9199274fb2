"""The base of every request body: refuses fields it does not know, and bounds its lists (DESIGN section 9).

Input serializers check the shape of a request exactly as the OpenAPI schema
generated from them states it: JSON types, lengths, patterns, bounds, which
fields (the strict fields of ``fields.py``; unknown fields are refused). Rules
that depend on the database (team membership, condition owners and dates, the
state) live in ``assessments.services`` and reach the client through its domain
errors.
"""

from collections.abc import Mapping

from rest_framework import serializers


class BoundedListSerializer(serializers.ListSerializer):
    """A list of objects whose bounds (allow_empty, max_length) the schema states (schema.BoundedListExtension)."""


class StrictInputSerializer(serializers.Serializer):
    # Refuses fields it does not know, so a typo or a read-only field is an error, not silently ignored; the
    # schema says so too (additionalProperties: false, see schema.StrictInputExtension).
    # (A comment, not a docstring: drf-spectacular would copy a docstring into every subclass's schema.)

    class Meta:
        list_serializer_class = BoundedListSerializer

    def unknown_field_message(self, key):
        return f"Unknown field; this request takes {', '.join(self.fields)}."

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key[:100]: self.unknown_field_message(key) for key in unknown[:20]})
        return super().to_internal_value(data)
