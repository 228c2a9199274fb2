"""The admin changelist's page links when its count is capped (``assessments.admin.ArchiveAdmin``)."""

from django import template
from django.contrib.admin.views.main import PAGE_VAR

register = template.Library()


@register.simple_tag
def admin_page_query(cl, number):
    """The changelist's query string with the page set to ``number`` (its filters and ordering kept)."""
    return cl.get_query_string({PAGE_VAR: number})
