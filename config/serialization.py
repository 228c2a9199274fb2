"""The ``json`` format of ``dumpdata`` and ``loaddata``, made to move this project's data exactly.

Django's own JSON serializers differ from what a data move needs in two ways, and
both would break the proof the audit log carries:

- They write times to the millisecond (ECMA-262's format), but audit rows recorded
  before times were kept to the millisecond (``assessments.canonical.recorded``)
  hash their time to the microsecond: read back, every such row would look altered.
  Here every time is written whole (``isoformat``); Django's deserializer reads it.
- They name content types and permissions by id, and a freshly migrated database
  numbers those rows itself, so the ids of two databases need not agree. Here a
  reference to a content type or a permission is written by natural key
  (``["assessments", "assessment"]``, ``["sign_off_assessment", "assessments",
  "assessment"]``); everything else keeps its id, since hashes cover ids (an audit
  row's actor, a sign-off's reviewer) and a user deleted since is still named by id.

Registered over the built-in ``json`` format by ``SERIALIZATION_MODULES`` in settings, so the
plain commands of the README ("Backups, restores and moving to PostgreSQL") use them.
"""

import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers import json as django_json

# Rows that ``migrate`` makes in every database, numbering them itself: referred to by natural key.
REBUILT_BY_MIGRATE = (ContentType, Permission)


class ExactJSONEncoder(django_json.DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.tzinfo is None:
            return o.isoformat()
        return super().default(o)


class _ExactReferences:
    """Natural keys for references to rows ``migrate`` rebuilds; ids for everything else (unless asked)."""

    def _natural_for(self, model):
        return self.use_natural_foreign_keys or issubclass(model, REBUILT_BY_MIGRATE)

    def handle_fk_field(self, obj, field):
        asked = self.use_natural_foreign_keys
        self.use_natural_foreign_keys = self._natural_for(field.remote_field.model)
        try:
            super().handle_fk_field(obj, field)
        finally:
            self.use_natural_foreign_keys = asked

    def handle_m2m_field(self, obj, field):
        asked = self.use_natural_foreign_keys
        self.use_natural_foreign_keys = self._natural_for(field.remote_field.model)
        try:
            super().handle_m2m_field(obj, field)
        finally:
            self.use_natural_foreign_keys = asked

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


class Serializer(_ExactReferences, django_json.Serializer):
    """``json``: Django's JSON serializer with exact times and portable references."""


Deserializer = django_json.Deserializer
