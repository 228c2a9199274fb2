"""The questionnaire form: a new assessment, editing the answers, and the live preview panel."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles

from .. import permissions, services, transitions
from ..errors import InputError, NotPermitted, Reason, TransitionConflict
from ..forms import AnswersForm, NewAssessmentForm
from ..models import AuditEntry, SignOff, State, Team
from ..presenters.answers import (
    changes_since,
    form_sections,
    live_summary,
    reason_item,
    show_if_rules,
    strip_question_prefix,
    valid_subset,
)
from ..presenters.review import comment_threads
from ..questionnaire import current_questionnaire, get_questionnaire
from ..selectors import (
    assessment_visible_to,
    question_comments_visible_to,
)
from .common import problem

# The version a form was opened at: the SHA-256 of the answers, as the page wrote it in the form.
CONTENT_HASH = re.compile(r"[0-9a-f]{64}")
RESUBMIT_NOTE_MISSING = "Say what you changed: every reviewer reads this note with the changes."
# A refused note is kept for its writer to shorten or complete, up to this length (the session holds it).
NOTE_KEPT = 20_000


def _form_context(questionnaire, form, posted_answers, service_errors=None):
    """Sections, live panel and errors for the form page, from what the user typed."""
    errors = dict(form.errors_by_question())
    for qid, message in (service_errors or {}).items():
        errors.setdefault(qid, strip_question_prefix(questionnaire, qid, message))
    present = {qid: v for qid, v in posted_answers.items() if v is not None}
    cleaned, clean_errors = valid_subset(questionnaire, present)
    for qid, message in clean_errors.items():
        if qid in questionnaire.questions:
            errors.setdefault(qid, strip_question_prefix(questionnaire, qid, message))
    visibility_answers = {**present, **cleaned}
    return {
        "questionnaire": questionnaire,
        "form": form,
        "sections": form_sections(questionnaire, form, visibility_answers, errors),
        "live": live_summary(questionnaire, cleaned),
        "submission": transitions.submission_from(State.DRAFT),
        "show_if_rules": show_if_rules(questionnaire),
        "error_list": [
            {"anchor": form.control_id(qid), "text": questionnaire.questions[qid].text, "message": message}
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
        # Only the note can be wrong here: it is said beside the note, which keeps what was typed.
        note = request.POST.get("resubmit_note", "")
        message = RESUBMIT_NOTE_MISSING if not note.strip() else " ".join(map(str, error.errors.values()))
        message = message or error.message
        request.session[_note_key(assessment)] = {"message": message, "note": note[:NOTE_KEPT]}
        messages.error(request, "Your answers are saved, but the assessment was not resubmitted: " + message)
        return redirect(reverse("assessment_edit", args=[assessment.pk]) + "#resubmit-note")
    messages.success(request, spec.done_message(assessment))
    return redirect("assessment_detail", pk=assessment.pk)


def _blocked_key(assessment):
    return f"submit_blocked:{assessment.pk}"


def _note_key(assessment):
    return f"resubmit_note:{assessment.pk}"


def _note_refusal(request, assessment):
    """What was wrong with the resubmission note just refused, and the note as typed, once; then forgotten."""
    stored = request.session.pop(_note_key(assessment), None)
    if not isinstance(stored, dict) or not isinstance(stored.get("message"), str):
        return None
    return {"message": stored["message"], "note": str(stored.get("note") or "")}


def _blocked_reasons(request, assessment, questionnaire):
    """The reasons a submission was refused just before this page was redirected to, once; then forgotten."""
    stored = request.session.pop(_blocked_key(assessment), None)
    if not isinstance(stored, list):
        return []
    reasons = []
    for item in stored:
        if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("message"), str):
            question = item.get("question") if isinstance(item.get("question"), str) else None
            reasons.append(reason_item(questionnaire, Reason(item["code"], item["message"], question)))
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


def _render_edit(
    request,
    assessment,
    *,
    form=None,
    answers=None,
    service_errors=None,
    status=200,
    conflict=None,
    base_hash=None,
    changed_meanwhile=None,
):
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    if form is None:
        form = AnswersForm(questionnaire, answers=assessment.answers, auto_id="f-%s")
        answers = dict(assessment.answers)
    context = _form_context(questionnaire, form, answers, service_errors)
    note_refusal = None
    if conflict is None and request.method == "GET":
        conflict = _blocked_reasons(request, assessment, questionnaire)
        note_refusal = _note_refusal(request, assessment)
        if note_refusal:
            conflict.append({"message": note_refusal["message"], "anchor": "resubmit-note"})
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
            # A page re-rendered with the user's input keeps the version they opened, so a save made by
            # someone else meanwhile is still caught; after a conflict it is the version just shown to them.
            "base_hash": base_hash or assessment.content_hash,
            "changed_meanwhile": changed_meanwhile,
            "submission": transitions.submission_from(assessment.state),
            "change_request": latest_request,
            "change_request_stage": roles.DOMAIN_LABELS.get(latest_request.stage) if latest_request else "",
            "conflict": conflict or [],
            "note_refusal": note_refusal,
            "threads": comment_threads(questionnaire, comments),
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


def _saved_meanwhile(request, assessment, form, answers, base_hash):
    """Someone saved after this user opened the form: show what changed, keep their input, save nothing (409)."""
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    entries = list(
        AuditEntry.objects.filter(
            assessment_id=assessment.pk, action__in=[AuditEntry.Action.CREATED, AuditEntry.Action.ANSWERS_CHANGED]
        )
        .only("seq", "content_hash", "details", "actor_username", "created_at")
        .order_by("seq")
    )
    changes = changes_since(questionnaire, entries, base_hash)
    messages.error(
        request,
        "Not saved: someone else saved changes to these answers after you opened this page. Your answers are "
        "still in the form below; compare them with what changed meanwhile, then save again.",
    )
    return _render_edit(
        request,
        assessment,
        form=form,
        answers=answers,
        status=409,
        changed_meanwhile={"rows": changes or [], "known": changes is not None},
    )


def _render_without_base(request, assessment, form, answers):
    """A post without the version it was opened at cannot be checked against concurrent saves: refuse it (400)."""
    messages.error(
        request,
        "Not saved: the form did not say which version of the answers it was opened at. Your answers are "
        "still below; save again from this page.",
    )
    return _render_edit(request, assessment, form=form, answers=answers, status=400)


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
    base_hash = request.POST.get("base_hash", "")
    if not CONTENT_HASH.fullmatch(base_hash):
        return _render_without_base(request, assessment, form, answers)
    if not form_ok:
        return _render_edit(request, assessment, form=form, answers=answers, status=400, base_hash=base_hash)
    try:
        # The service compares base_hash with the saved answers under the row lock: a save made by someone
        # else after this form was opened is refused, never overwritten.
        assessment = services.assessment_update_answers(
            assessment=assessment, answers=answers, by=request.user, expected_content_hash=base_hash
        )
    except InputError as error:
        errors = error.errors.get("answers") if isinstance(error.errors.get("answers"), dict) else error.errors
        return _render_edit(
            request,
            assessment,
            form=form,
            answers=answers,
            service_errors=errors,
            status=400,
            base_hash=base_hash,
        )
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message)
    except TransitionConflict as error:
        assessment = assessment_visible_to(request.user, pk)
        if any(reason.code == "stale_content" for reason in error.reasons):
            return _saved_meanwhile(request, assessment, form, answers, base_hash)
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
