"""The duplicate-name hint beside a new assessment's feature name."""

from django import template

from ..feature_names import features_named_like

register = template.Library()


@register.inclusion_tag("assessments/feature_name_hint.html", takes_context=True)
def feature_name_hint(context, name, oob=False):
    """Features the user may see that already carry ``name``; ``oob`` when sent with the live panel (htmx)."""
    request = context["request"]
    return {"matches": features_named_like(request.user, name), "oob": oob, "name": (name or "").strip()}
