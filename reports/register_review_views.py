"""Register text in the browser: the team drafts it, Legal or the chair publishes or retracts it
(``/reports/register/``). Thin: ``register_publication`` holds the rules."""

import re

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

# The version a form was opened at (``register_publication.text_version``): a SHA-256 in hexadecimal.
VERSION = re.compile(r"[0-9a-f]{64}")


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
    """One feature's register text: the team's draft form, and publish or retract for Legal and the chair.

    The draft form and the publish form carry the version of the text they showed; the services compare it
    under the feature's lock, so a change saved meanwhile is shown (409) beside what was typed, never
    overwritten nor published unread."""
    feature = features_visible_to(request.user).filter(pk=pk).first()
    if feature is None:
        return problem(request, 404, "Not found", "There is no such feature, or you may not see it.")
    may_draft = feature.team.has_member(request.user)
    may_publish = publication.may_publish(request.user) and not may_draft
    errors, reasons, status, conflict, kept_version = {}, [], 200, None, None
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            # Who may act hears a refusal (from the service) before a missing version.
            may_act = may_draft if action == "save" else may_publish if action == "publish" else False
            if may_act and not VERSION.fullmatch(version):
                raise InputError(
                    {"version": "The form did not say which version of the text it showed; nothing was saved."}
                )
            if action == "save":
                values = {name: request.POST.get(name, "") for name in publication.FIELDS}
                publication.register_text_draft(
                    feature=feature, by=request.user, values=values, expected_version=version
                )
            elif action == "publish":
                draft = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.DRAFT).first()
                if draft is None:
                    raise TransitionConflict("There is no draft to publish.")
                publication.register_text_publish(
                    text=draft, by=request.user, comment=request.POST.get("comment", ""), expected_version=version
                )
            elif action == "retract":
                publication.register_text_retract(feature=feature, by=request.user, reason=request.POST.get("reason"))
            else:
                return problem(request, 400, "Unknown action", "Choose save, publish or retract.")
            return redirect(reverse("register_text", args=[feature.pk]))
        except NotPermitted as error:
            return problem(request, 403, "Not allowed", error.message, back=reverse("register_text", args=[pk]))
        except InputError as error:
            # The page keeps the version the form was opened at, so a change saved meanwhile is still caught.
            errors, status, kept_version = error.errors, 400, version
        except TransitionConflict as error:
            if any(reason.code == "stale_register_text" for reason in error.reasons):
                conflict, status = error.message, 409
            else:
                reasons, status = error.reasons, 409
    draft = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.DRAFT).first()
    published = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.PUBLISHED).first()
    listed = publication.listed_version(feature)
    source = draft or published
    keep_typed = action == "save" and (errors or conflict)
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
                "value": request.POST.get(name, "") if keep_typed else getattr(source, name, "") if source else "",
                "error": errors.get(name),
            }
            for name, (label, limit, prose) in publication.FIELDS.items()
        ],
        "errors": errors,
        "reasons": reasons,
        "conflict": {"message": conflict, "action": action, "current": source} if conflict else None,
        # After a conflict the forms carry the version just shown; after bad input, the one first opened.
        "edit_version": kept_version if kept_version and action == "save" else publication.text_version(source),
        "publish_version": publication.text_version(draft) if draft else "",
        "comment": request.POST.get("comment", "") if action == "publish" else "",
        "blockers": publication.publication_blockers(draft, listed) if draft else [],
        "preview": _preview(draft, listed) if draft and listed else None,
        "may_draft": may_draft,
        "may_publish": may_publish,
    }
    return render(request, "reports/register_text.html", context, status=status)


def _preview(draft, listed):
    """The records the draft would publish in the two standard formats, for the reviewer to read first."""
    entry = publication.preview_entry(draft, listed)
    return [
        ("UK ATRS v4", sorted(register_formats.atrs_record(entry).items())),
        ("Dutch Algoritmeregister 1.0", sorted(register_formats.algoritmeregister_record(entry).items())),
    ]
