"""The actions panel of the assessment page: what the user may do now, its forms, and why not the rest.

Shown twice on the page (beside the content and at its end). ``actions_panels_oob`` renders both for an htmx
answer that changed what they depend on (a bias mitigation recorded opens the approval's gate), as out-of-band
swaps: the page's panels are replaced in place, with no reload.
"""

from django.template.loader import render_to_string

from accounts import reauth, roles

from .. import permissions
from ..forms import ConditionFormSet, TransitionForm
from ..presenters.answers import reason_item
from ..questionnaire import get_questionnaire
from ..selectors import question_comments_visible_to, transitions_for


def actions_context(request, assessment, questionnaire, *, bound=None, comments=None):
    """The panel's context: ``allowed`` transitions with a form each (``action_forms``, ``action_forms_end``),
    ``blocked`` grouped by reason, ``may_edit``, ``signing``, ``stage_label`` and ``pending_comments``.

    ``bound``: the posted, invalid form of one transition; ``comments``: the question comments the user sees,
    when the caller has read them already.
    """
    user = request.user
    options = transitions_for(user, assessment)
    allowed = [t for t in options if t["allowed"]]
    blocked = [t for t in options if not t["allowed"]]
    stage_label = roles.DOMAIN_LABELS.get(assessment.stage, "")
    for option in allowed:
        option["hint"] = option["spec"].hint_text(stage_label)
    owners = (
        list(assessment.feature.team.members.order_by("username"))
        if any(o["spec"].takes_conditions for o in allowed)
        else []
    )
    if comments is None:
        comments = question_comments_visible_to(user, assessment)
    return {
        "allowed": allowed,
        "blocked": _why_not(questionnaire, blocked),
        "action_forms": _action_forms(assessment, allowed, bound, owners=owners),
        "action_forms_end": _action_forms(assessment, allowed, auto_id="end-id_%s", owners=owners),
        "may_edit": assessment.is_editable() and permissions.acts_for_team(user, assessment),
        # What a signing act asks for now (password, code), read once for every sign form on the page.
        "signing": reauth.what_signing_asks(request) if any(o["spec"].signs for o in allowed) else None,
        "stage_label": stage_label,
        "pending_comments": sum(
            1 for c in comments if not c.is_shared and c.review_round == assessment.review_round and not c.reply_to_id
        ),
    }


def actions_panels_oob(request, assessment):
    """Both of the page's action panels as they are now, marked for htmx to swap them in place (out of band)."""
    context = {
        "assessment": assessment,
        **actions_context(request, assessment, get_questionnaire(assessment.questionnaire_version)),
    }
    return render_to_string("assessments/actions_oob.html", context, request=request)


def _action_forms(assessment, options, bound=None, auto_id="id_%s", owners=None):
    """A form per transition the user may take now; ``bound`` replaces one with the posted, invalid one.

    The page shows its actions twice (beside the content and at its end): ``auto_id`` keeps the ids apart,
    and ``owners`` (the team's members, for conditions) is read once for both.
    """
    forms = {}
    for option in options:
        spec = option["spec"]
        if bound and bound["name"] == spec.name:
            entry = bound
        else:
            entry = {"name": spec.name, "form": TransitionForm(initial={"expected_state": assessment.state})}
        if spec.takes_conditions and "conditions" not in entry:
            entry["conditions"] = ConditionFormSet(prefix="conditions", auto_id=auto_id, form_kwargs={"owners": owners})
        forms[spec.name] = entry
    return forms


def _why_not(questionnaire, blocked):
    """Unavailable transitions grouped by their reasons, so one refusal is said once for all it concerns."""
    groups = []
    for option in blocked:
        items = [reason_item(questionnaire, r) for r in option["reasons"]]
        key = tuple((i["code"], i["message"]) for i in items)
        for group in groups:
            if group["key"] == key:
                group["labels"].append(option["label"])
                break
        else:
            groups.append({"key": key, "labels": [option["label"]], "reasons": items, "name": option["name"]})
    return groups
