"""The header's links to the report pages, shown to exactly those the pages admit."""

from django import template

from .. import selectors

register = template.Library()

# The pages of the auditor's workspace (reports/urls.py), so its link is marked current on each.
WORKSPACE_PAGES = frozenset({"reports_workspace", "reports_assessment", "reports_downloads"})


@register.simple_tag
def reports_navigation(user, current):
    """Whether the workspace link shows (the view's own rule: ``may_use_workspace``) and whether it is the page."""
    return {
        "workspace": selectors.may_use_workspace(user),
        "in_workspace": current in WORKSPACE_PAGES,
    }
