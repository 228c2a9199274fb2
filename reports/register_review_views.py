"""Register text in the browser: the team drafts it, Legal or the chair publishes or retracts it
(``/reports/register/``). Thin: ``register_publication`` holds the rules."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts import roles
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import AIFeature, Team
from assessments.views.common import problem

from . import register_formats
from . import register_publication as publication
from .models import RegisterText


def features_visible_to(user):
    """Features whose register text the user may see: their teams' features; every one for Legal, the chair
    and auditors."""
    features = AIFeature.objects.select_related("team")
    if any(roles.user_has_role(user, role) for role in (roles.LEGAL, roles.CHAIR, roles.AUDITOR)):
        return features
    return features.filter(team__in=Team.objects.of(user))


@require_safe
@login_required
def register_texts(request):
    """Every feature the user may see with its register text's state: what is public, what awaits review."""
    features = list(features_visible_to(request.user).order_by("name", "pk"))
    texts = {}
    for text in RegisterText.objects.filter(feature__in=features).exclude(status=RegisterText.Status.REPLACED):
        texts.setdefault(text.feature_id, []).append(text)
    rows = [{"feature": f, "texts": texts.get(f.pk, [])} for f in features]
    return render(request, "reports/register_texts.html", {"rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def register_text(request, pk):
    """One feature's register text: the team's draft form, and publish or retract for Legal and the chair."""
    feature = features_visible_to(request.user).filter(pk=pk).first()
    if feature is None:
        return problem(request, 404, "Not found", "There is no such feature, or you may not see it.")
    errors, reasons, status = {}, [], 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save":
                values = {name: request.POST.get(name, "") for name in publication.FIELDS}
                publication.register_text_draft(feature=feature, by=request.user, values=values)
            elif action == "publish":
                draft = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.DRAFT).first()
                if draft is None:
                    raise TransitionConflict("There is no draft to publish.")
                publication.register_text_publish(text=draft, by=request.user, comment=request.POST.get("comment", ""))
            elif action == "retract":
                publication.register_text_retract(feature=feature, by=request.user, reason=request.POST.get("reason"))
            else:
                return problem(request, 400, "Unknown action", "Choose save, publish or retract.")
            return redirect(reverse("register_text", args=[feature.pk]))
        except NotPermitted as error:
            return problem(request, 403, "Not allowed", error.message, back=reverse("register_text", args=[pk]))
        except InputError as error:
            errors, status = error.errors, 400
        except TransitionConflict as error:
            reasons, status = error.reasons, 409
    draft = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.DRAFT).first()
    published = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.PUBLISHED).first()
    listed = publication.listed_version(feature)
    source = draft or published
    context = {
        "feature": feature,
        "draft": draft,
        "published": published,
        "listed": listed,
        "fields": [
            {
                "name": name,
                "label": label,
                "limit": limit,
                "long": prose,
                "value": request.POST.get(name) if errors else getattr(source, name, "") if source else "",
                "error": errors.get(name),
            }
            for name, (label, limit, prose) in publication.FIELDS.items()
        ],
        "errors": errors,
        "reasons": reasons,
        "blockers": publication.publication_blockers(draft, listed) if draft else [],
        "preview": _preview(draft, listed) if draft and listed else None,
        "may_draft": feature.team.has_member(request.user),
        "may_publish": publication.may_publish(request.user) and not feature.team.has_member(request.user),
    }
    return render(request, "reports/register_text.html", context, status=status)


def _preview(draft, listed):
    """The records the draft would publish in the two standard formats, for the reviewer to read first."""
    entry = publication.preview_entry(draft, listed)
    return [
        ("UK ATRS v4", sorted(register_formats.atrs_record(entry).items())),
        ("Dutch Algoritmeregister 1.0", sorted(register_formats.algoritmeregister_record(entry).items())),
    ]
