"""Template helpers of the public register page."""

from datetime import date

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def long_date(iso):
    """An ISO date of the register's data ("2026-11-27") as people read it ("27 November 2026")."""
    try:
        return date_format(date.fromisoformat(iso), "j F Y")
    except (TypeError, ValueError):
        return iso
