"""The assessment page: what it shows, the transitions taken from it, and comments on answers."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts import reauth, sso_reauth

from .. import evidence_files, permissions, services, transitions
from ..conditions import may_review as condition_may_review
from ..coverage import asked_anew, coverage_for_page
from ..deadlines import StageClock
from ..errors import InputError, NotPermitted, TransitionConflict
from ..forms import ConditionFormSet, TransitionForm, dom_id
from ..models import AuditEntry, State
from ..presenters.answers import (
    answer_sections,
    nist_table,
    reason_item,
    risk_breakdown,
)
from ..presenters.resign import resign_panel
from ..presenters.review import comment_threads, outcome, review_progress, reviewer_diff, sign_off_rounds, version_links
from ..presenters.timeline import timeline
from ..questionnaire import get_questionnaire
from ..selectors import (
    assessment_visible_to,
    assessments_visible_to,
    question_comments_visible_to,
)
from .actions import actions_context
from .bias import bias_context
from .common import problem
from .resign import carried_errors_of, carried_from_post, resign_context
from .signing_sso import send_to_provider, take_pending


def _render_detail(request, assessment, *, status=200, bound=None, conflict=None):
    user = request.user
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    sign_offs = list(
        assessment.sign_offs.select_related("reviewer", "delegation__delegated_by").order_by(
            "review_round", "created_at", "pk"
        )
    )
    conditions = list(
        assessment.conditions.select_related("owner", "sign_off").order_by(F("due_date").asc(nulls_first=True), "pk")
    )
    entries = list(AuditEntry.objects.filter(assessment_id=assessment.pk).order_by("seq"))
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    people = {u.pk: u for u in get_user_model().objects.filter(pk__in=actor_ids)} if actor_ids else {}
    comments = list(question_comments_visible_to(user, assessment))
    threads = comment_threads(questionnaire, comments, entries)
    versions = list(
        assessments_visible_to(user)
        .filter(feature_id=assessment.feature_id)
        .only("pk", "version", "state", "feature_id")
        .order_by("version")
    )
    actions = actions_context(request, assessment, questionnaire, bound=bound, comments=comments)
    allowed = actions["allowed"]
    today = timezone.localdate()
    team_acts = permissions.is_team_member(user, assessment)
    # The team's note of what changed, with the resubmission that opened this round: every reviewer sees it.
    resubmit_note = next(
        (e for e in reversed(entries) if e.transition == "resubmit" and e.to_state == State.LEGAL_REVIEW), None
    )
    diff = reviewer_diff(questionnaire, assessment, user, sign_offs, entries)
    resigning = bound if bound and bound.get("resign") else None
    resign = resign_panel(assessment, user, sign_offs, conditions, diff, resubmit_note, allowed)
    context = {
        "assessment": assessment,
        "questionnaire": questionnaire,
        "answer_sections": answer_sections(questionnaire, assessment.answers),
        "risk": risk_breakdown(questionnaire, assessment.risk_score or {}),
        "hard_stops": [
            {"question": q, "message": m, "anchor": dom_id(q.id)}
            for q, m in questionnaire.hard_stops(assessment.answers)
        ],
        "nist": nist_table(questionnaire, assessment.answers),
        "coverage": coverage_for_page(questionnaire, assessment.answers),
        "asked_anew": asked_anew(
            questionnaire,
            next((e.details for e in entries if e.action == AuditEntry.Action.CREATED), None),
            assessment.answers,
        )
        if assessment.is_editable()
        else [],
        "progress": review_progress(assessment, sign_offs),
        "outcome": outcome(assessment, sign_offs, conditions, versions, threads),
        "versions": version_links(assessment, versions) if len(versions) > 1 else [],
        "threads": threads,
        "may_comment": permissions.reviewer_comment_denial(user, assessment) is None,
        "may_reply": permissions.team_reply_denial(user, assessment) is None,
        "comment_origin": "page",
        "rounds": sign_off_rounds(sign_offs, conditions),
        "conditions": [
            {
                "condition": c,
                "overdue": c.is_overdue(today),
                "may_review": c.awaits_confirmation and condition_may_review(user, c, assessment),
                "may_decide": c.status == c.Status.PROPOSED
                and c.domain == assessment.stage
                and condition_may_review(user, c, assessment),
            }
            for c in conditions
        ],
        "may_close_conditions": team_acts,
        # What the "Mark met" form says of the file it takes.
        "evidence_file": {
            "accept": evidence_files.ACCEPT_ATTRIBUTE,
            "kinds": evidence_files.ACCEPTED,
            "limit": evidence_files.limit_text(),
        },
        "resubmit_note": resubmit_note,
        "timeline": timeline(
            questionnaire, entries, people, withhold_pending_comments=permissions.is_team_member(user, assessment)
        ),
        "diff": diff,
        "resign": resign,
        **resign_context(resign, resigning),
        **bias_context(user, assessment),
        **actions,
        "clock": StageClock(assessment, timezone.now()),
        "conflict": conflict,
        "needs_disclosure": questionnaire.needs_disclosure(assessment.answers),
    }
    response = render(request, "assessments/detail.html", context, status=status)
    if context["signing"] and context["signing"]["provider"]:
        sso_reauth.let_forms_reach_provider(response)
    return response


@require_safe
@login_required
def assessment_detail(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    bound = None
    # Back from confirming a signature at the identity provider: the action's panel, open, with what was typed.
    kept = take_pending(request, assessment)
    spec = transitions.get(kept[0]) if kept else None
    if spec is not None and spec.for_users:
        bound = _bound_from_post(assessment, spec, kept[1])[0]
        bound["reopen"] = True
    return _render_detail(request, assessment, bound=bound)


def _bound_from_post(assessment, spec, post):
    """The action's forms bound to ``post``: ``(bound, valid, conditions, carried)``."""
    form = TransitionForm(post)
    form_ok = form.is_valid()
    bound = {"name": spec.name, "form": form}
    conditions = None
    carried = carried_from_post(post) if spec.takes_conditions else None
    bound["resign"] = carried is not None
    bound["carried_decisions"] = carried or []
    # A post without the conditions rows (another client, or an older page) simply sets no conditions.
    if spec.takes_conditions and "conditions-TOTAL_FORMS" in post:
        owners = list(assessment.feature.team.members.order_by("username"))
        formset = ConditionFormSet(post, prefix="conditions", form_kwargs={"owners": owners})
        bound["conditions"] = formset
        if formset.is_valid():
            conditions = [f.as_service_value() for f in formset if f.has_changed() and not f.is_blank()]
        else:
            form_ok = False
    return bound, form_ok, conditions, carried


@require_POST
@login_required
def assessment_transition(request, pk, name):
    user = request.user
    assessment = assessment_visible_to(user, pk)
    spec = transitions.get(name)
    if spec is None or not spec.for_users:
        raise Http404("No such action.")
    bound, form_ok, conditions, carried = _bound_from_post(assessment, spec, request.POST)
    form = bound["form"]
    try:
        if not form_ok:
            # Who may act is decided before the input: a refusal (a stale state first) outranks a badly filled form.
            seen = request.POST.get("expected_state")
            refusal = services.transition_refusal(
                assessment=assessment, name=name, by=user, expected_state=seen if seen in State.values else None
            )
            if refusal is not None:
                raise refusal
            return _render_detail(request, assessment, status=400, bound=bound)
        if spec.signs and not reauth.is_fresh(request):
            # Who may act is decided first, so someone who could not sign anyway is refused, not asked to sign.
            refusal = services.transition_refusal(
                assessment=assessment,
                name=name,
                by=user,
                expected_state=form.cleaned_data.get("expected_state") or None,
            )
            if refusal is not None:
                raise refusal
            if reauth.signs_through_provider(user):
                return send_to_provider(request, assessment, name)
            if not _reauthenticated(request, form):
                return _render_detail(request, assessment, status=400, bound=bound)
        moved = services.assessment_transition(
            assessment=assessment,
            name=name,
            by=user,
            comment=form.cleaned_data["comment"],
            conditions=conditions or None,
            carried_conditions=carried,
            expected_state=form.cleaned_data.get("expected_state") or None,
        )
    except InputError as error:
        _attach_transition_errors(bound, error)
        return _render_detail(request, assessment, status=400, bound=bound)
    except NotPermitted as error:
        return problem(
            request, 403, "Not permitted", error.message, back=reverse("assessment_detail", args=[assessment.pk])
        )
    except TransitionConflict as error:
        assessment = assessment_visible_to(user, pk)
        questionnaire = get_questionnaire(assessment.questionnaire_version)
        conflict = {
            "message": error.message,
            "reasons": [reason_item(questionnaire, r) for r in error.reasons],
        }
        return _render_detail(request, assessment, status=409, conflict=conflict)
    messages.success(request, spec.done_message(assessment))
    if moved.state == State.REASSESSMENT_DUE:
        # The re-assessment is the new draft it opened: take the team there, not back to the old version.
        newer = (
            assessments_visible_to(user)
            .filter(feature_id=moved.feature_id, version__gt=moved.version, state=State.DRAFT)
            .order_by("-version")
            .first()
        )
        if newer is not None:
            return redirect("assessment_detail", pk=newer.pk)
    return redirect("assessment_detail", pk=assessment.pk)


def _reauthenticated(request, form):
    """A signing act whose last re-authentication is too old: True when the form's password (and code) are right."""
    failed = reauth.reauthenticate_in_browser(
        request,
        password=form.cleaned_data.get("password", ""),
        code=form.cleaned_data.get("code", ""),
        passkey=form.cleaned_data.get("passkey", ""),
    )
    if failed is not None:
        form.add_error(failed.field, failed.message)
    return failed is None


def _attach_transition_errors(bound, error):
    form = bound["form"]
    formset = bound.get("conditions")
    # A carried condition's error goes beside its field in the re-sign panel (views/resign.py).
    bound["carried_errors"], rest = carried_errors_of(error, bound.get("carried_decisions") or [])
    for message in rest:
        form.add_error(None, message)
    for key, message in error.errors.items():
        if key.startswith("carried_conditions"):
            continue
        if key == "comment":
            form.add_error("comment", message)
        elif key.startswith("conditions[") and formset is not None:
            index = int(key[len("conditions[") : -1]) - 1
            filled = [f for f in formset if f.has_changed() and not f.is_blank()]
            target = filled[index] if 0 <= index < len(filled) else None
            if target is not None:
                target.add_error(None, message)
            else:
                form.add_error(None, message)
        else:
            form.add_error(None, message)


# -- comments on answers ---------------------------------------------------------------------------

COMMENT_ORIGINS = {"page": "assessment_detail", "form": "assessment_edit"}


@require_POST
@login_required
def question_comment_create(request, pk):
    """A reviewer comments on an answer, or the team replies; back to the question on the page it came from."""
    user = request.user
    assessment = assessment_visible_to(user, pk)
    origin = COMMENT_ORIGINS.get(request.POST.get("origin"), "assessment_detail")
    back = reverse("assessment_detail", args=[assessment.pk])
    reply_to = request.POST.get("reply_to") or None
    try:
        comment = services.question_comment_add(
            assessment=assessment,
            question=request.POST.get("question", ""),
            text=request.POST.get("text", ""),
            by=user,
            reply_to=reply_to,
        )
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message, back=back)
    except TransitionConflict as error:
        return problem(request, 409, "Not now", error.message, back=back)
    except InputError as error:
        return problem(request, 400, "Comment not saved", " ".join(map(str, error.errors.values())), back=back)
    messages.success(request, "Your reply is saved." if reply_to else "Your comment is saved.")
    return redirect(reverse(origin, args=[assessment.pk]) + f"#{dom_id(comment.question)}")
