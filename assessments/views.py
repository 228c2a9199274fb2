"""Browser views: the home page per role, the assessment form, the assessment page, lists.

Thin: parse input with a form, call a selector or a service, render. Every view
loads the assessment through the selectors (404 when the user may not see it)
and every change goes through a service, which checks permission on the object;
domain errors become a page with the reason and a 4xx status.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import roles
from assessments.deadlines import StageClock, overdue_q

from . import paging, permissions, presenters, services, transitions
from .conditions import may_review as condition_may_review
from .coverage import asked_anew, coverage_for_page
from .errors import InputError, NotPermitted, Reason, TransitionConflict
from .filters import BrowserAssessmentFilter
from .forms import (
    AnswersForm,
    ConditionFormSet,
    NewAssessmentForm,
    TransitionForm,
    dom_id,
)
from .models import STAGE_STATE, AuditEntry, Condition, QuestionComment, SignOff, State, Team
from .questionnaire import current_questionnaire, get_questionnaire
from .selectors import (
    assessment_visible_to,
    assessments_visible_to,
    question_comments_visible_to,
    review_queue_for,
    transitions_for,
    visibility_condition,
    visible_count,
)
from .states import OPEN_OUTSIDE_REVIEW_STATES, TERMINAL_STATES
from .views_bias import bias_context

PAGE_SIZE = 25
HOME_ROWS = 10
NEEDS_TEAM_ACTION = {
    State.DRAFT: "Finish the answers and submit it for review.",
    State.CHANGES_REQUESTED: "Answer the change request and resubmit.",
    State.APPROVED: "Approved: mark it launched when it goes live.",
    State.REASSESSMENT_DUE: "Re-review due: complete the new version's answers.",
}


# Lists show a few columns; the answers and the score breakdown stay in the database.
LISTING_DEFERRED = ("answers", "risk_score", "content_hash")


def for_listing(queryset):
    return queryset.defer(*LISTING_DEFERRED)


def problem(request, status, title, message, reasons=(), back=None):
    """A page that says what went wrong and what to do, with a 4xx status."""
    context = {"title": title, "message": message, "reasons": list(reasons), "back": back}
    return render(request, "problem.html", context, status=status)


# -- home ----------------------------------------------------------------------------------------


@require_safe
@login_required
def home(request):
    user = request.user
    now = timezone.now()
    teams = list(Team.objects.of(user).order_by("name"))
    domains = roles.user_domains(user)
    context = {"now": now, "teams": teams}
    if teams:
        context["team_home"] = _team_home(user, teams, now)
    if domains:
        queue = for_listing(review_queue_for(user))
        rows = list(queue[:HOME_ROWS])
        context["queue_home"] = {
            "domains": [roles.DOMAIN_LABELS[d] for d in domains],
            "rows": [{"assessment": a, "clock": StageClock(a, now)} for a in rows],
            "total": (total := paging.capped_count(queue, settings.QUEUE_COUNT_CAP, ordered=True)),
            "total_label": paging.count_label(total, settings.QUEUE_COUNT_CAP),
        }
    if roles.user_has_role(user, roles.CHAIR) or user.is_superuser:
        context["pipeline"] = _pipeline(user, now, sees_drafts=bool(teams))
    if roles.user_has_role(user, roles.AUDITOR):
        context["audit_home"] = _audit_home(user)
    context["has_role"] = any(k in context for k in ("team_home", "queue_home", "pipeline", "audit_home"))
    return render(request, "home.html", context)


def _team_home(user, teams, now):
    visible = for_listing(assessments_visible_to(user).filter(feature__team__in=teams))
    change_requests = Prefetch(
        "sign_offs",
        queryset=SignOff.objects.filter(decision=SignOff.Decision.CHANGES_REQUESTED)
        .select_related("reviewer")
        .order_by("-created_at", "-pk"),
        to_attr="change_requests",
    )
    waiting = list(
        visible.filter(state__in=list(NEEDS_TEAM_ACTION))
        .order_by("updated_at", "pk")
        .prefetch_related(change_requests)[:25]
    )
    conditions = list(
        Condition.objects.filter(
            visibility_condition(user, through="assessment"), owner=user, status=Condition.Status.OPEN
        )
        .select_related("assessment__feature")
        .order_by(F("due_date").asc(nulls_first=True), "pk")[:25]
    )
    today = timezone.localdate()
    current = visible.exclude(state=State.SUPERSEDED).order_by("-updated_at", "-pk")
    return {
        "waiting": [
            {
                "assessment": a,
                "todo": NEEDS_TEAM_ACTION[a.state],
                "request": a.change_requests[0] if a.state == State.CHANGES_REQUESTED and a.change_requests else None,
            }
            for a in waiting
        ],
        "conditions": [{"condition": c, "overdue": c.due_date is not None and c.due_date < today} for c in conditions],
        "current": [{"assessment": a, "clock": StageClock(a, now)} for a in current[:PAGE_SIZE]],
        "team_slugs": [t.slug for t in teams],
    }


def _pipeline(user, now, *, sees_drafts):
    """Counts per state, overdue counts per review stage, and the longest-waiting overdue items.

    Every count is capped (``paging``), all of them in one query, so the pipeline costs the same however large
    the archive grows; a capped count reads "1,000+".
    """
    visible = assessments_visible_to(user)
    late_q = overdue_q(now)
    counted = {("all", s.value): visible.filter(state=s.value) for s in State}
    counted.update({("late", state): visible.filter(late_q, state=state) for state in STAGE_STATE.values()})
    counts = paging.capped_counts(counted)

    def shown(kind, state):
        return paging.count_label(counts[(kind, state)])

    stages = [
        {
            "domain": domain,
            "label": roles.DOMAIN_LABELS[domain],
            "count": counts[("all", state)],
            "count_label": shown("all", state),
            "overdue": counts[("late", state)],
            "overdue_label": shown("late", state),
        }
        for domain, state in STAGE_STATE.items()
    ]
    # Drafts are visible only to their teams: a chair outside every team would always read "Draft 0".
    open_states = OPEN_OUTSIDE_REVIEW_STATES
    others = [
        {
            "state": s.value,
            "label": "Drafts of your teams" if s == State.DRAFT else s.label,
            "count": counts[("all", s.value)],
            "count_label": shown("all", s.value),
        }
        for s in ((State.DRAFT, *open_states) if sees_drafts else open_states)
    ]
    closed = [
        {"state": s.value, "label": s.label, "count": counts[("all", s.value)], "count_label": shown("all", s.value)}
        for s in TERMINAL_STATES
    ]
    late = list(
        for_listing(assessments_visible_to(user)).filter(overdue_q(now)).order_by("stage_entered_at", "pk")[:HOME_ROWS]
    )
    return {
        "stages": stages,
        "others": others,
        "closed": closed,
        "sees_drafts": sees_drafts,
        "in_review_label": _sum_label([s["count"] for s in stages]),
        "overdue_total": sum(s["overdue"] for s in stages),
        "overdue_label": _sum_label([s["overdue"] for s in stages]),
        "late": [{"assessment": a, "clock": StageClock(a, now)} for a in late],
    }


def _sum_label(counts):
    """The total of capped counts as shown: "2,000+" when any of them was capped."""
    cap = paging.count_cap()
    total = sum(min(n, cap) for n in counts)
    return f"{total:,}+" if any(n > cap for n in counts) else f"{total:,}"


def _audit_home(user):
    visible = for_listing(assessments_visible_to(user))
    decided = list(visible.filter(decided_at__isnull=False).order_by("-decided_at", "-pk")[:HOME_ROWS])
    entries = list(
        AuditEntry.objects.filter(visibility_condition(user, through="assessment"))
        .select_related("assessment__feature__team")  # the team: whose reviewer comments are withheld
        .order_by("-seq")[:HOME_ROWS]
    )
    return {"decided": decided, "entries": entries}


# -- lists ---------------------------------------------------------------------------------------


@require_safe
@login_required
def assessment_list(request):
    user = request.user
    now = timezone.now()
    queryset = for_listing(assessments_visible_to(user)).order_by("-updated_at", "-pk")
    filters = BrowserAssessmentFilter(request.GET or None, queryset=queryset, request=request)
    status = 200
    if filters.is_bound and not filters.is_valid():
        queryset = queryset.none()
        status = 400
    else:
        queryset = filters.qs
    filtered = bool(filters.active_filters())
    # Unfiltered, the list is everything the user may see: counted from the grants alone.
    counter = None if filtered or status != 200 else (lambda cap: visible_count(user, cap))
    page = paging.CappedPaginator(queryset, PAGE_SIZE, counter=counter).get_page(request.GET.get("page"))
    rows = [{"assessment": a, "clock": StageClock(a, now)} for a in page.object_list]
    context = {"form": filters.form, "page": page, "rows": rows, "filtered": filtered}
    return render(request, "assessments/list.html", context, status=status)


@require_safe
@login_required
def audit_trail(request):
    """The audit log of every assessment the user may see, newest first."""
    user = request.user
    entries = (
        AuditEntry.objects.filter(visibility_condition(user, through="assessment"))
        .select_related("assessment__feature__team")  # the team: whose reviewer comments are withheld
        .order_by("-seq")
    )
    action = request.GET.get("action", "")
    status = 200
    error = ""
    if action:
        if action in AuditEntry.Action.values:
            entries = entries.filter(action=action)
        else:
            entries = entries.none()
            status = 400
            error = "Choose one of the listed kinds of entry."
    page = paging.CappedPaginator(entries, 50).get_page(request.GET.get("page"))
    _withhold_pending_comments(user, page.object_list)
    context = {
        "page": page,
        "actions": AuditEntry.Action.choices,
        "action": action,
        "error": error,
        "state_labels": dict(State.choices),
    }
    return render(request, "assessments/audit_trail.html", context, status=status)


def _withhold_pending_comments(user, entries):
    """Mark the rows of reviewers' comments not yet sent to the team, on the user's own teams' assessments."""
    entries = list(entries)
    team_groups = set(roles.group_ids(user))
    candidates = [
        e
        for e in entries
        if e.action == AuditEntry.Action.QUESTION_COMMENT
        and (e.details or {}).get("role") == "reviewer"
        and e.assessment.feature.team.group_id in team_groups
    ]
    pending = set()
    if candidates:
        ids = [e.details.get("comment_id") for e in candidates]
        pending = set(
            QuestionComment.objects.filter(
                pk__in=[i for i in ids if isinstance(i, int)], shared_at__isnull=True
            ).values_list("pk", flat=True)
        )
    withheld = {e.seq for e in candidates if e.details.get("comment_id") in pending}
    for entry in entries:
        entry.withheld = entry.seq in withheld


# -- the questionnaire form ------------------------------------------------------------------------


def _form_context(questionnaire, form, posted_answers, service_errors=None):
    """Sections, live panel and errors for the form page, from what the user typed."""
    errors = dict(form.errors_by_question())
    for qid, message in (service_errors or {}).items():
        errors.setdefault(qid, presenters.strip_question_prefix(questionnaire, qid, message))
    present = {qid: v for qid, v in posted_answers.items() if v is not None}
    cleaned, clean_errors = presenters.valid_subset(questionnaire, present)
    for qid, message in clean_errors.items():
        if qid in questionnaire.questions:
            errors.setdefault(qid, presenters.strip_question_prefix(questionnaire, qid, message))
    visibility_answers = {**present, **cleaned}
    return {
        "questionnaire": questionnaire,
        "form": form,
        "sections": presenters.form_sections(questionnaire, form, visibility_answers, errors),
        "live": presenters.live_summary(questionnaire, cleaned),
        "submission": transitions.submission_from(State.DRAFT),
        "show_if_rules": presenters.show_if_rules(questionnaire),
        "error_list": [
            {"anchor": dom_id(qid), "text": questionnaire.questions[qid].text, "message": message}
            for qid, message in errors.items()
            if qid in questionnaire.questions
        ],
    }


def _user_teams(user):
    return list(Team.objects.of(user).order_by("name"))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def assessment_new(request):
    user = request.user
    teams = _user_teams(user)
    if not teams:
        return problem(
            request,
            403,
            "Only product teams start assessments",
            "You are not a member of a product team. Ask an administrator to add you to your team.",
            back=reverse("home"),
        )
    questionnaire = current_questionnaire()
    if request.method == "GET":
        meta = NewAssessmentForm(teams=teams)
        form = AnswersForm(questionnaire, auto_id="f-%s")
        context = _form_context(questionnaire, form, {})
        return render(request, "assessments/form.html", {**context, "meta": meta, "is_new": True})

    meta = NewAssessmentForm(request.POST, teams=teams)
    form = AnswersForm(questionnaire, request.POST, auto_id="f-%s")
    meta_ok = meta.is_valid()
    form_ok = form.is_valid()
    answers = form.answers()
    service_errors = {}
    if meta_ok and form_ok:
        try:
            assessment = services.assessment_create(
                team=meta.selected_team(),
                feature_name=meta.cleaned_data["feature_name"],
                answers={k: v for k, v in answers.items() if v is not None},
                by=user,
            )
        except InputError as error:
            if "feature_name" in error.errors:
                meta.add_error("feature_name", error.errors["feature_name"])
            service_errors = error.errors.get("answers") or {}
            if not isinstance(service_errors, dict):
                service_errors = {}
        except NotPermitted as error:
            return problem(request, 403, "Not permitted", error.message, back=reverse("home"))
        else:
            if request.POST.get("action") == "submit":
                return _submit_after_save(request, assessment)
            messages.success(request, f"Draft of “{assessment.feature.name}” saved.")
            return redirect("assessment_edit", pk=assessment.pk)
    context = _form_context(questionnaire, form, answers, service_errors)
    meta_errors = [
        {"anchor": f"f-{name}", "text": meta.fields[name].label, "message": " ".join(errs)}
        for name, errs in meta.errors.items()
        if name in meta.fields
    ]
    context["error_list"] = meta_errors + context["error_list"]
    return render(request, "assessments/form.html", {**context, "meta": meta, "is_new": True}, status=400)


def _submit_after_save(request, assessment):
    """Submit (or resubmit) right after saving; a blocked submission keeps the saved draft and says why."""
    spec = transitions.submission_from(assessment.state)
    if spec is None:
        return problem(request, 409, "Not submitted", "This assessment cannot be submitted in its current state.")
    try:
        services.assessment_transition(
            assessment=assessment,
            name=spec.name,
            by=request.user,
            expected_state=assessment.state,
            comment=request.POST.get("resubmit_note", "") if spec.comment_required else "",
        )
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message)
    except TransitionConflict as error:
        # Post/redirect/get: the answers are saved; the blockers travel as structured reasons in the session,
        # so a refresh shows them again instead of posting the form a second time.
        request.session[_blocked_key(assessment)] = [r.as_dict() for r in error.reasons]
        messages.error(request, "Your answers are saved, but the assessment was not submitted: " + error.message)
        return redirect(reverse("assessment_edit", args=[assessment.pk]) + "#submit-blocked")
    except InputError as error:
        detail = " ".join(map(str, error.errors.values())) or error.message
        back = reverse("assessment_edit", args=[assessment.pk]) + "#resubmit-note"
        return problem(request, 400, "Saved, but not submitted", f"Your answers are saved. {detail}", back=back)
    messages.success(request, spec.done_message(assessment))
    return redirect("assessment_detail", pk=assessment.pk)


def _blocked_key(assessment):
    return f"submit_blocked:{assessment.pk}"


def _blocked_reasons(request, assessment, questionnaire):
    """The reasons a submission was refused just before this page was redirected to, once; then forgotten."""
    stored = request.session.pop(_blocked_key(assessment), None)
    if not isinstance(stored, list):
        return []
    reasons = []
    for item in stored:
        if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("message"), str):
            question = item.get("question") if isinstance(item.get("question"), str) else None
            reasons.append(presenters.reason_item(questionnaire, Reason(item["code"], item["message"], question)))
    return reasons


def _editable_or_problem(request, assessment):
    if not permissions.acts_for_team(request.user, assessment):
        return problem(
            request,
            403,
            "Only the team edits its answers",
            f"Only members of the team {assessment.feature.team.name} may edit this assessment's answers.",
            back=reverse("assessment_detail", args=[assessment.pk]),
        )
    if not assessment.is_editable():
        return problem(
            request,
            409,
            "This assessment cannot be edited now",
            f"Answers can be edited only in draft or after changes were requested; "
            f"this assessment is in {assessment.get_state_display()}.",
            back=reverse("assessment_detail", args=[assessment.pk]),
        )
    return None


def _render_edit(request, assessment, *, form=None, answers=None, service_errors=None, status=200, conflict=None):
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    if form is None:
        form = AnswersForm(questionnaire, answers=assessment.answers, auto_id="f-%s")
        answers = dict(assessment.answers)
    context = _form_context(questionnaire, form, answers, service_errors)
    if conflict is None and request.method == "GET":
        conflict = _blocked_reasons(request, assessment, questionnaire)
    comments = list(question_comments_visible_to(request.user, assessment))
    latest_request = (
        assessment.sign_offs.filter(decision=SignOff.Decision.CHANGES_REQUESTED)
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
        .first()
        if assessment.state == State.CHANGES_REQUESTED
        else None
    )
    context.update(
        {
            "assessment": assessment,
            "is_new": False,
            "base_hash": assessment.content_hash,
            "submission": transitions.submission_from(assessment.state),
            "change_request": latest_request,
            "change_request_stage": roles.DOMAIN_LABELS.get(latest_request.stage) if latest_request else "",
            "conflict": conflict or [],
            "threads": presenters.comment_threads(questionnaire, comments),
            "may_reply": permissions.team_reply_denial(request.user, assessment) is None,
            "comment_origin": "form",
        }
    )
    return render(request, "assessments/form.html", context, status=status)


def _not_saved_moved_on(request, assessment, form, answers):
    """The assessment left draft while this user was editing: keep their input on screen, save nothing."""
    messages.error(
        request,
        f"Not saved: this assessment moved to {assessment.get_state_display()} while you were editing, and "
        "answers can no longer be changed. Your input is still below so that you can copy what you need.",
    )
    return _render_edit(request, assessment, form=form, answers=answers, status=409)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def assessment_edit(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    if request.method == "POST" and permissions.acts_for_team(request.user, assessment):
        questionnaire = get_questionnaire(assessment.questionnaire_version)
        form = AnswersForm(questionnaire, request.POST, auto_id="f-%s")
        form_ok = form.is_valid()
        answers = form.answers()
        if not assessment.is_editable():
            return _not_saved_moved_on(request, assessment, form, answers)
    else:
        refused = _editable_or_problem(request, assessment)
        if refused:
            return refused
        if request.method == "GET":
            return _render_edit(request, assessment)
    if not form_ok:
        return _render_edit(request, assessment, form=form, answers=answers, status=400)
    base_hash = request.POST.get("base_hash", "")
    if base_hash and base_hash != assessment.content_hash:
        # Someone saved in between: do not overwrite their answers silently; keep this user's input on screen.
        messages.error(
            request,
            "Someone else saved changes to this assessment after you opened it (see its audit trail). "
            "Your answers are still in the form below and were not saved: check them and save again.",
        )
        return _render_edit(request, assessment, form=form, answers=answers, status=409)
    try:
        assessment = services.assessment_update_answers(assessment=assessment, answers=answers, by=request.user)
    except InputError as error:
        errors = error.errors.get("answers") if isinstance(error.errors.get("answers"), dict) else error.errors
        return _render_edit(request, assessment, form=form, answers=answers, service_errors=errors, status=400)
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message)
    except TransitionConflict:
        assessment = assessment_visible_to(request.user, pk)
        return _not_saved_moved_on(request, assessment, form, answers)
    if request.POST.get("action") == "submit":
        return _submit_after_save(request, assessment)
    messages.success(request, "Draft saved.")
    return redirect("assessment_edit", pk=assessment.pk)


@require_POST
def assessment_preview(request, pk=None):
    """The live panel (risk level, hard stops, what blocks submission) for answers being typed; saves nothing."""
    user = request.user
    if not user.is_authenticated:
        # The panel is fetched in the background: say so in it rather than swapping in a login page.
        status = 200 if request.headers.get("HX-Request") else 401
        return render(request, "assessments/preview_logged_out.html", status=status)
    if pk is None:
        if not _user_teams(user):
            return problem(request, 403, "Not permitted", "Only members of a product team fill in assessments.")
        questionnaire = current_questionnaire()
        submission = transitions.submission_from(State.DRAFT)
    else:
        assessment = assessment_visible_to(user, pk)
        if not permissions.acts_for_team(user, assessment):
            return problem(request, 403, "Not permitted", "Only the team edits this assessment.")
        questionnaire = get_questionnaire(assessment.questionnaire_version)
        submission = transitions.submission_from(assessment.state)
    form = AnswersForm(questionnaire, request.POST, auto_id="f-%s")
    form.is_valid()
    context = _form_context(questionnaire, form, form.answers())
    context["submission"] = submission
    return render(request, "assessments/preview.html", context)


# -- the assessment page -------------------------------------------------------------------------


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
        items = [presenters.reason_item(questionnaire, r) for r in option["reasons"]]
        key = tuple((i["code"], i["message"]) for i in items)
        for group in groups:
            if group["key"] == key:
                group["labels"].append(option["label"])
                break
        else:
            groups.append({"key": key, "labels": [option["label"]], "reasons": items, "name": option["name"]})
    return groups


def _render_detail(request, assessment, *, status=200, bound=None, conflict=None):
    user = request.user
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    sign_offs = list(assessment.sign_offs.select_related("reviewer").order_by("review_round", "created_at", "pk"))
    conditions = list(
        assessment.conditions.select_related("owner", "sign_off").order_by(F("due_date").asc(nulls_first=True), "pk")
    )
    entries = list(AuditEntry.objects.filter(assessment_id=assessment.pk).order_by("seq"))
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    people = {u.pk: u for u in get_user_model().objects.filter(pk__in=actor_ids)} if actor_ids else {}
    comments = list(question_comments_visible_to(user, assessment))
    threads = presenters.comment_threads(questionnaire, comments)
    versions = list(
        assessments_visible_to(user)
        .filter(feature_id=assessment.feature_id)
        .only("pk", "version", "state", "feature_id")
        .order_by("version")
    )
    options = transitions_for(user, assessment)
    allowed = [t for t in options if t["allowed"]]
    blocked = [t for t in options if not t["allowed"]]
    today = timezone.localdate()
    may_edit = assessment.is_editable() and permissions.acts_for_team(user, assessment)
    team_acts = permissions.is_team_member(user, assessment)
    stage_label = roles.DOMAIN_LABELS.get(assessment.stage, "")
    for option in allowed:
        option["hint"] = option["spec"].hint_text(stage_label)
    owners = (
        list(assessment.feature.team.members.order_by("username"))
        if any(o["spec"].takes_conditions for o in allowed)
        else []
    )
    context = {
        "assessment": assessment,
        "questionnaire": questionnaire,
        "answer_sections": presenters.answer_sections(questionnaire, assessment.answers),
        "risk": presenters.risk_breakdown(questionnaire, assessment.risk_score or {}),
        "hard_stops": [
            {"question": q, "message": m, "anchor": dom_id(q.id)}
            for q, m in questionnaire.hard_stops(assessment.answers)
        ],
        "nist": presenters.nist_table(questionnaire, assessment.answers),
        "coverage": coverage_for_page(questionnaire, assessment.answers),
        "asked_anew": asked_anew(
            questionnaire,
            next((e.details for e in entries if e.action == AuditEntry.Action.CREATED), None),
            assessment.answers,
        )
        if assessment.is_editable()
        else [],
        "progress": presenters.review_progress(assessment, sign_offs),
        "outcome": presenters.outcome(assessment, sign_offs, conditions, versions, threads),
        "versions": presenters.version_links(assessment, versions) if len(versions) > 1 else [],
        "threads": threads,
        "pending_comments": sum(
            1 for c in comments if not c.is_shared and c.review_round == assessment.review_round and not c.reply_to_id
        ),
        "may_comment": permissions.reviewer_comment_denial(user, assessment) is None,
        "may_reply": permissions.team_reply_denial(user, assessment) is None,
        "comment_origin": "page",
        "rounds": presenters.sign_off_rounds(sign_offs, conditions),
        "conditions": [
            {
                "condition": c,
                "overdue": c.is_open and c.due_date is not None and c.due_date < today,
                "may_review": c.awaits_confirmation and condition_may_review(user, c, assessment),
            }
            for c in conditions
        ],
        "may_close_conditions": team_acts,
        # The team's note of what changed, with the resubmission that opened this round: every reviewer sees it.
        "resubmit_note": next(
            (e for e in reversed(entries) if e.transition == "resubmit" and e.to_state == State.LEGAL_REVIEW), None
        ),
        "timeline": presenters.timeline(
            questionnaire, entries, people, withhold_pending_comments=permissions.is_team_member(user, assessment)
        ),
        "diff": presenters.reviewer_diff(questionnaire, assessment, user, sign_offs, entries),
        **bias_context(user, assessment),
        "allowed": allowed,
        "blocked": _why_not(questionnaire, blocked),
        "action_forms": _action_forms(assessment, allowed, bound, owners=owners),
        "action_forms_end": _action_forms(assessment, allowed, auto_id="end-id_%s", owners=owners),
        "may_edit": may_edit,
        "clock": StageClock(assessment, timezone.now()),
        "conflict": conflict,
        "stage_label": stage_label,
        "needs_disclosure": questionnaire.needs_disclosure(assessment.answers),
    }
    return render(request, "assessments/detail.html", context, status=status)


@require_safe
@login_required
def assessment_detail(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    return _render_detail(request, assessment)


@require_POST
@login_required
def assessment_transition(request, pk, name):
    user = request.user
    assessment = assessment_visible_to(user, pk)
    spec = transitions.get(name)
    if spec is None or not spec.for_users:
        raise Http404("No such action.")
    form = TransitionForm(request.POST)
    form_ok = form.is_valid()
    bound = {"name": name, "form": form}
    conditions = None
    # A post without the conditions rows (another client, or an older page) simply sets no conditions.
    if spec.takes_conditions and "conditions-TOTAL_FORMS" in request.POST:
        owners = list(assessment.feature.team.members.order_by("username"))
        formset = ConditionFormSet(request.POST, prefix="conditions", form_kwargs={"owners": owners})
        bound["conditions"] = formset
        if formset.is_valid():
            conditions = [f.as_service_value() for f in formset if f.has_changed() and not f.is_blank()]
        else:
            form_ok = False
    try:
        if not form_ok:
            # Who may act is decided before the input: a refusal outranks a badly filled form.
            refusal = services.transition_refusal(assessment=assessment, name=name, by=user)
            if refusal is not None:
                raise refusal
            return _render_detail(request, assessment, status=400, bound=bound)
        moved = services.assessment_transition(
            assessment=assessment,
            name=name,
            by=user,
            comment=form.cleaned_data["comment"],
            conditions=conditions or None,
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
            "reasons": [presenters.reason_item(questionnaire, r) for r in error.reasons],
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


def _attach_transition_errors(bound, error):
    form = bound["form"]
    formset = bound.get("conditions")
    for key, message in error.errors.items():
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
